//! Plans: a price per interval, a trial, seats, and optional metered usage.

use super::usage::UsagePricing;
use crate::error::{KassaError, Result};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// The unit of a billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Calendar days (in the subscription's UTC offset).
    Day,
    /// Seven days.
    Week,
    /// Calendar months, anchored to a day of month (month-end clamped).
    Month,
    /// Calendar years (Feb 29 anchors fall on Feb 28 in common years).
    Year,
}

impl Interval {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }
}

/// A plan as the host's catalog defines it. Subscriptions keep a snapshot of their plan, so
/// a later price change of the plan does not silently change running subscriptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Price of one seat for one interval (tax-exclusive unless `taxInclusive`).
    pub price: Money,
    /// The interval unit.
    pub interval: Interval,
    /// Intervals per billing period (`interval: month, intervalCount: 3` is quarterly).
    #[serde(default = "one")]
    pub interval_count: u32,
    /// Days of free trial before the first charge (0: charged at once).
    #[serde(default)]
    pub trial_days: u32,
    /// Whether `price` already includes tax.
    #[serde(default)]
    pub tax_inclusive: bool,
    /// Tax class of the plan's charges (as in the pricing tax rules).
    #[serde(default = "standard")]
    pub tax_class: String,
    /// Metered usage billed in arrears at each renewal, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsagePricing>,
}

fn one() -> u32 {
    1
}

fn standard() -> String {
    "standard".to_owned()
}

impl Plan {
    /// Checks the plan: non-empty id, a non-negative price rounded to the currency's minor
    /// unit, `1 ≤ intervalCount ≤ 1000`, `trialDays ≤ 730`, valid usage tiers in the same
    /// currency.
    pub fn validate(&self) -> Result<()> {
        if self.id.trim().is_empty() {
            return Err(KassaError::validation("plan.id", "must not be empty"));
        }
        if self.price.is_negative() || !self.price.is_rounded() {
            return Err(KassaError::validation(
                "plan.price",
                "must be non-negative and rounded to the currency's minor unit",
            ));
        }
        if self.interval_count == 0 || self.interval_count > 1000 {
            return Err(KassaError::validation(
                "plan.intervalCount",
                "must be between 1 and 1000",
            ));
        }
        if self.trial_days > 730 {
            return Err(KassaError::validation(
                "plan.trialDays",
                "must be at most 730",
            ));
        }
        if let Some(u) = &self.usage {
            u.validate(self.price.currency(), "plan.usage")?;
        }
        Ok(())
    }
}
