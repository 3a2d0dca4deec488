//! The coupon redemption port: usage limits, redeemed atomically.

use super::health::PortHealth;
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// One redemption of a coupon code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CouponRedemption {
    /// What it was for (an order id).
    pub reference: String,
    /// Who redeemed it.
    pub customer_id: String,
}

/// How often a coupon code has been used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CouponUsage {
    /// The code (trimmed, upper case).
    pub code: String,
    /// Redemptions, oldest first.
    #[serde(default)]
    pub redemptions: Vec<CouponRedemption>,
}

impl CouponUsage {
    /// Redemptions overall.
    pub fn times_used(&self) -> u64 {
        self.redemptions.len() as u64
    }

    /// Redemptions by one customer.
    pub fn times_used_by(&self, customer_id: &str) -> u64 {
        self.redemptions
            .iter()
            .filter(|r| r.customer_id == customer_id)
            .count() as u64
    }
}

/// The limits a redemption must stay within (from the coupon definition).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "camelCase")]
pub struct CouponLimits {
    /// Redemptions allowed overall (`None` = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<u64>,
    /// Redemptions allowed per customer (`None` = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer: Option<u64>,
}

/// Coupon usage. `redeem` is redeem-if-under-limit in one atomic call; `undo` gives a
/// redemption back (a failed payment, a cancelled order).
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait CouponStore: Send + Sync {
    /// A code's usage (`None` when never redeemed).
    async fn usage(&self, code: &str) -> Result<Option<CouponUsage>>;
    /// Redeems `code` for `reference` if both limits allow it; `CONFLICT` (meta `code`,
    /// `limit`) otherwise. Redeeming again for the same reference is a no-op.
    async fn redeem(
        &self,
        code: &str,
        reference: &str,
        customer_id: &str,
        limits: CouponLimits,
    ) -> Result<CouponUsage>;
    /// Gives back the redemption of `reference`; `false` when there was none.
    async fn undo(&self, code: &str, reference: &str) -> Result<bool>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
