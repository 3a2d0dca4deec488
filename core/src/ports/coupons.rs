//! The coupon redemption port: usage limits, redeemed atomically.

use super::health::PortHealth;
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// How often a coupon code has been used, against its limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CouponUsage {
    /// The code (as stored, upper case).
    pub code: String,
    /// Most redemptions allowed (`None` = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Redemptions so far.
    pub redeemed: u64,
    /// What each redemption was for (order ids), oldest first.
    #[serde(default)]
    pub redemptions: Vec<String>,
}

/// Coupon usage. `redeem` is redeem-if-under-limit in one atomic call; `undo` gives a
/// redemption back (a failed payment).
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait CouponStore: Send + Sync {
    /// Sets a code's limit (creating its usage record).
    async fn set_limit(&self, code: &str, limit: Option<u64>) -> Result<CouponUsage>;
    /// A code's usage.
    async fn usage(&self, code: &str) -> Result<Option<CouponUsage>>;
    /// Redeems the code for `reference` if it is under its limit; `CONFLICT` (meta `code`,
    /// `limit`) when the limit is reached. Redeeming again for the same reference is a no-op.
    async fn redeem(&self, code: &str, reference: &str) -> Result<CouponUsage>;
    /// Gives back the redemption of `reference`; `false` when there was none.
    async fn undo(&self, code: &str, reference: &str) -> Result<bool>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
