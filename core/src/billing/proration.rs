//! Proration of a mid-period plan or quantity change: credit for the unused time of the old
//! plan, charge for the remaining time on the new plan, each to the minor unit at a named
//! rounding point.
//!
//! With `f = unusedSeconds / periodSeconds` (exact, unrounded):
//!
//! - `credit = round_credit(oldAmount × f)` (point `proration_credit`),
//! - `charge = round_charge(newAmount × f)` (point `proration_charge`),
//! - `used = oldAmount − credit` (exact by construction, so `used + credit = oldAmount`),
//! - `net = charge − credit` (positive: charged now; negative: credit balance).
//!
//! Credits are at the old plan's list price × quantity (as Stripe does), not at what a
//! coupon made the period cost. Worked examples are in `docs/billing.md`.

use super::period::Period;
use crate::error::{KassaError, Result};
use crate::money::{decimal_string, Money, RoundingMode};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The rounding modes of the two proration rounding points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct ProrationRounding {
    /// `proration_credit`.
    pub credit: RoundingMode,
    /// `proration_charge`.
    pub charge: RoundingMode,
}

impl Default for ProrationRounding {
    fn default() -> Self {
        ProrationRounding {
            credit: RoundingMode::HalfUp,
            charge: RoundingMode::HalfUp,
        }
    }
}

/// A proration request (the `billing.prorate` vector request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ProrationInput {
    /// The current period.
    pub period: Period,
    /// When the change takes effect (inside the period).
    pub at: DateTime<Utc>,
    /// What the old plan costs for the whole period (price × seats).
    pub old_amount: Money,
    /// What the new plan costs for a whole period (price × seats).
    pub new_amount: Money,
    /// Rounding points.
    #[serde(default)]
    pub rounding: ProrationRounding,
}

/// The proration of a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Proration {
    /// Seconds from the change to the period end.
    pub unused_seconds: i64,
    /// Seconds of the whole period.
    pub period_seconds: i64,
    /// `unusedSeconds / periodSeconds`, exact to 28 digits (display only).
    #[serde(with = "decimal_string")]
    pub unused_fraction: Decimal,
    /// Credit for the old plan's unused time.
    pub credit: Money,
    /// What the old plan's used time cost: `oldAmount − credit`.
    pub used: Money,
    /// Charge for the new plan's remaining time.
    pub charge: Money,
    /// `charge − credit`.
    pub net: Money,
}

/// Prorates a change at `input.at` (pure).
pub fn prorate(input: &ProrationInput) -> Result<Proration> {
    let cur = input.old_amount.currency();
    if input.new_amount.currency() != cur {
        return Err(KassaError::validation(
            "newAmount",
            format!("must be in {}", cur.code()),
        ));
    }
    for (f, m) in [
        ("oldAmount", &input.old_amount),
        ("newAmount", &input.new_amount),
    ] {
        if m.is_negative() || !m.is_rounded() {
            return Err(KassaError::validation(
                f,
                "must be non-negative and rounded to the minor unit",
            ));
        }
    }
    let p = input.period;
    if p.end <= p.start {
        return Err(KassaError::validation("period", "end must be after start"));
    }
    if !p.contains(input.at) {
        return Err(KassaError::validation(
            "at",
            "the change must take effect inside the period",
        ));
    }
    let period_seconds = p.seconds();
    let unused_seconds = (p.end - input.at).num_seconds();
    let (num, den) = (Decimal::from(unused_seconds), Decimal::from(period_seconds));
    let part = |amount: &Money, mode: RoundingMode| -> Result<Money> {
        let exact = amount
            .amount()
            .checked_mul(num)
            .and_then(|x| x.checked_div(den))
            .ok_or_else(|| KassaError::validation("amount", "too large to prorate"))?;
        Ok(Money::new(exact, cur).round(mode))
    };
    let credit = part(&input.old_amount, input.rounding.credit)?;
    let charge = part(&input.new_amount, input.rounding.charge)?;
    Ok(Proration {
        unused_seconds,
        period_seconds,
        unused_fraction: num.checked_div(den).unwrap_or(Decimal::ZERO).normalize(),
        used: input.old_amount.checked_sub(&credit)?,
        net: charge.checked_sub(&credit)?,
        credit,
        charge,
    })
}
