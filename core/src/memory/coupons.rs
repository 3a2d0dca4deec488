//! In-memory coupon usage.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::ports::{CouponLimits, CouponRedemption, CouponStore, CouponUsage, PortHealth};
use std::collections::HashMap;
use std::sync::Mutex;

/// Coupon usage in a map behind one lock.
#[derive(Debug, Default)]
pub struct MemoryCoupons {
    usage: Mutex<HashMap<String, CouponUsage>>,
}

/// The stored form of a code: trimmed, `a`–`z` upper-cased (the pricer's matching,
/// docs/pricing.md "Coupons").
pub fn normalize_code(code: &str) -> Result<String> {
    let c = code.trim().to_ascii_uppercase();
    if c.is_empty() {
        return Err(KassaError::validation("code", "must not be empty"));
    }
    Ok(c)
}

impl MemoryCoupons {
    /// An empty store.
    pub fn new() -> Self {
        MemoryCoupons::default()
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl CouponStore for MemoryCoupons {
    async fn usage(&self, code: &str) -> Result<Option<CouponUsage>> {
        let code = normalize_code(code)?;
        Ok(lock(&self.usage, "coupon")?.get(&code).cloned())
    }

    async fn redeem(
        &self,
        code: &str,
        reference: &str,
        customer_id: &str,
        limits: CouponLimits,
    ) -> Result<CouponUsage> {
        let code = normalize_code(code)?;
        let mut m = lock(&self.usage, "coupon")?;
        let u = m.entry(code.clone()).or_insert_with(|| CouponUsage {
            code: code.clone(),
            redemptions: Vec::new(),
        });
        if u.redemptions.iter().any(|r| r.reference == reference) {
            return Ok(u.clone());
        }
        let reached = |limit: u64, what: &str| {
            KassaError::conflict(format!(
                "coupon '{code}' has reached its {what} usage limit of {limit}"
            ))
            .with_meta("code", code.clone())
            .with_meta("limit", limit)
            .with_detail("couponCodes", "usage limit reached")
        };
        if let Some(limit) = limits.overall {
            if u.times_used() >= limit {
                return Err(reached(limit, "overall"));
            }
        }
        if let Some(limit) = limits.per_customer {
            if u.times_used_by(customer_id) >= limit {
                return Err(reached(limit, "per-customer"));
            }
        }
        u.redemptions.push(CouponRedemption {
            reference: reference.to_owned(),
            customer_id: customer_id.to_owned(),
        });
        Ok(u.clone())
    }

    async fn undo(&self, code: &str, reference: &str) -> Result<bool> {
        let code = normalize_code(code)?;
        let mut m = lock(&self.usage, "coupon")?;
        let Some(u) = m.get_mut(&code) else {
            return Ok(false);
        };
        let before = u.redemptions.len();
        u.redemptions.retain(|r| r.reference != reference);
        Ok(u.redemptions.len() < before)
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.usage, "coupon") {
            Ok(m) => PortHealth::up("coupons", format!("in-memory, {} codes", m.len())),
            Err(e) => PortHealth::down("coupons", e.message),
        }
    }
}
