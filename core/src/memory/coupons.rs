//! In-memory coupon usage.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::ports::{CouponStore, CouponUsage, PortHealth};
use std::collections::HashMap;
use std::sync::Mutex;

/// Coupon usage in a map behind one lock.
#[derive(Debug, Default)]
pub struct MemoryCoupons {
    usage: Mutex<HashMap<String, CouponUsage>>,
}

fn normalize(code: &str) -> Result<String> {
    let c = code.trim().to_uppercase();
    if c.is_empty() {
        return Err(KassaError::validation("code", "must not be empty"));
    }
    Ok(c)
}

fn fresh(code: &str) -> CouponUsage {
    CouponUsage {
        code: code.to_owned(),
        limit: None,
        redeemed: 0,
        redemptions: Vec::new(),
    }
}

impl MemoryCoupons {
    /// An empty store (every code unlimited until given a limit).
    pub fn new() -> Self {
        MemoryCoupons::default()
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl CouponStore for MemoryCoupons {
    async fn set_limit(&self, code: &str, limit: Option<u64>) -> Result<CouponUsage> {
        let code = normalize(code)?;
        let mut m = lock(&self.usage, "coupon")?;
        let u = m.entry(code.clone()).or_insert_with(|| fresh(&code));
        u.limit = limit;
        Ok(u.clone())
    }

    async fn usage(&self, code: &str) -> Result<Option<CouponUsage>> {
        let code = normalize(code)?;
        Ok(lock(&self.usage, "coupon")?.get(&code).cloned())
    }

    async fn redeem(&self, code: &str, reference: &str) -> Result<CouponUsage> {
        let code = normalize(code)?;
        let mut m = lock(&self.usage, "coupon")?;
        let u = m.entry(code.clone()).or_insert_with(|| fresh(&code));
        if u.redemptions.iter().any(|r| r == reference) {
            return Ok(u.clone());
        }
        if let Some(limit) = u.limit {
            if u.redeemed >= limit {
                return Err(KassaError::conflict(format!(
                    "coupon '{code}' has reached its usage limit of {limit}"
                ))
                .with_meta("code", code.clone())
                .with_meta("limit", limit)
                .with_detail("couponCodes", "usage limit reached"));
            }
        }
        u.redeemed += 1;
        u.redemptions.push(reference.to_owned());
        Ok(u.clone())
    }

    async fn undo(&self, code: &str, reference: &str) -> Result<bool> {
        let code = normalize(code)?;
        let mut m = lock(&self.usage, "coupon")?;
        let Some(u) = m.get_mut(&code) else {
            return Ok(false);
        };
        let before = u.redemptions.len();
        u.redemptions.retain(|r| r != reference);
        let removed = before - u.redemptions.len();
        u.redeemed = u.redeemed.saturating_sub(removed as u64);
        Ok(removed > 0)
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.usage, "coupon") {
            Ok(m) => PortHealth::up("coupons", format!("in-memory, {} codes", m.len())),
            Err(e) => PortHealth::down("coupons", e.message),
        }
    }
}
