//! Metered usage: graduated ("tiered") and volume pricing.
//!
//! - **Graduated**: each unit is priced by the tier it falls in (units 1–100 at the first
//!   tier's price, 101–1000 at the second's, ...), plus each reached tier's flat fee.
//! - **Volume**: every unit is priced by the one tier the *total* quantity falls in, plus
//!   that tier's flat fee.
//!
//! Unit prices may be finer than the currency's minor unit (`0.0015` per API call); the exact
//! sum is rounded once, at the named point `usage_total` with the given mode.

use crate::error::{KassaError, Result};
use crate::money::{Currency, Money, RoundingMode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How the tiers combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum UsageMode {
    /// Each unit at the price of the tier it falls in.
    Graduated,
    /// Every unit at the price of the tier the total falls in.
    Volume,
}

/// One tier: up to `upTo` units (inclusive; none for the last, open tier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct UsageTier {
    /// Upper bound of the tier, inclusive; `None` only for the last tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<u64>,
    /// Price per unit (may have more decimals than the currency).
    pub unit_price: Money,
    /// A flat fee charged when the tier is reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat_fee: Option<Money>,
}

/// Usage pricing of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct UsagePricing {
    /// What is counted (`"api_calls"`), for invoice descriptions.
    pub metric: String,
    /// Graduated or volume.
    pub mode: UsageMode,
    /// Tiers in increasing `upTo` order; the last has no `upTo`.
    pub tiers: Vec<UsageTier>,
    /// Rounding of the total (`usage_total` point); default half-up.
    #[serde(default = "half_up")]
    pub rounding: RoundingMode,
}

fn half_up() -> RoundingMode {
    RoundingMode::HalfUp
}

/// The units and amount one tier contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TierCharge {
    /// Tier index.
    pub tier: usize,
    /// Units priced in this tier.
    pub units: u64,
    /// Unit price.
    pub unit_price: Money,
    /// `units × unitPrice + flatFee`, exact (unrounded).
    pub amount: Money,
}

/// The price of a quantity of usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct UsageCharge {
    /// Units.
    pub quantity: u64,
    /// Contribution per tier.
    pub tiers: Vec<TierCharge>,
    /// Exact sum of the tiers.
    pub exact: Money,
    /// `exact` rounded to the minor unit at `usage_total`.
    pub total: Money,
}

impl UsagePricing {
    /// Checks tiers: at least one, strictly increasing bounds, only the last open, prices
    /// non-negative in `currency`.
    pub fn validate(&self, currency: Currency, field: &str) -> Result<()> {
        if self.tiers.is_empty() {
            return Err(KassaError::validation(
                format!("{field}.tiers"),
                "needs at least one tier",
            ));
        }
        let last = self.tiers.len() - 1;
        let mut prev: Option<u64> = None;
        for (i, t) in self.tiers.iter().enumerate() {
            let f = format!("{field}.tiers[{i}]");
            match (t.up_to, i == last) {
                (None, false) => {
                    return Err(KassaError::validation(
                        format!("{f}.upTo"),
                        "only the last tier may be open",
                    ))
                }
                (Some(_), true) => {
                    return Err(KassaError::validation(
                        format!("{f}.upTo"),
                        "the last tier must be open (no upTo)",
                    ))
                }
                (Some(u), false) => {
                    if u == 0 || prev.is_some_and(|p| u <= p) {
                        return Err(KassaError::validation(
                            format!("{f}.upTo"),
                            "bounds must be positive and strictly increasing",
                        ));
                    }
                    prev = Some(u);
                }
                (None, true) => {}
            }
            for (name, m) in [
                ("unitPrice", Some(&t.unit_price)),
                ("flatFee", t.flat_fee.as_ref()),
            ] {
                if let Some(m) = m {
                    if m.currency() != currency || m.is_negative() {
                        return Err(KassaError::validation(
                            format!("{f}.{name}"),
                            format!("must be non-negative {}", currency.code()),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Prices `quantity` units.
    pub fn charge(&self, quantity: u64, currency: Currency) -> Result<UsageCharge> {
        self.validate(currency, "usage")?;
        let tier_charge = |i: usize, t: &UsageTier, units: u64| -> Result<TierCharge> {
            let mut amount = t.unit_price.checked_mul(Decimal::from(units))?;
            if units > 0 {
                if let Some(fee) = &t.flat_fee {
                    amount = amount.checked_add(fee)?;
                }
            }
            Ok(TierCharge {
                tier: i,
                units,
                unit_price: t.unit_price,
                amount,
            })
        };
        let mut tiers = Vec::new();
        match self.mode {
            UsageMode::Graduated => {
                let mut lower = 0u64;
                for (i, t) in self.tiers.iter().enumerate() {
                    let upper = t.up_to.unwrap_or(u64::MAX);
                    let units = quantity.min(upper).saturating_sub(lower);
                    if units > 0 {
                        tiers.push(tier_charge(i, t, units)?);
                    }
                    if quantity <= upper {
                        break;
                    }
                    lower = upper;
                }
            }
            UsageMode::Volume => {
                let found = self
                    .tiers
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.up_to.is_none_or(|u| quantity <= u));
                if let Some((i, t)) = found {
                    tiers.push(tier_charge(i, t, quantity)?);
                }
            }
        }
        let exact = Money::sum(currency, tiers.iter().map(|t| &t.amount))?;
        Ok(UsageCharge {
            quantity,
            total: exact.round(self.rounding),
            exact,
            tiers,
        })
    }
}
