//! JSON operations of billing for the cross-host vectors (`billing.*`).
//!
//! | operation | request | result |
//! |---|---|---|
//! | `billing.periods` | [`PeriodsRequest`] | `[Period]` |
//! | `billing.period_at` | [`PeriodAtRequest`] | [`Period`] |
//! | `billing.prorate` | [`ProrationInput`] | [`Proration`] |
//! | `billing.invoice` | [`InvoiceInput`] | [`InvoiceComputation`] |
//! | `billing.usage_charge` | [`UsageRequest`] | [`UsageCharge`] |
//! | `billing.transition` | [`TransitionRequest`] | [`TransitionResult`] |
//! | `billing.dunning_step` | [`DunningRequest`] | [`DunningStep`] |

use super::{
    compute_invoice, next_status, prorate, Action, DunningPolicy, DunningStep, InvoiceComputation,
    InvoiceInput, Period, PeriodSchedule, Proration, ProrationInput, SubscriptionStatus,
    UsageCharge, UsagePricing,
};
use crate::error::{KassaError, Result};
use crate::money::Currency;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `billing.periods`: `count` periods from period `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PeriodsRequest {
    /// The schedule.
    pub schedule: PeriodSchedule,
    /// First period index.
    #[serde(default)]
    pub from: u32,
    /// How many (1..=1000).
    pub count: u32,
}

/// `billing.periods`.
pub fn periods(req: PeriodsRequest) -> Result<Vec<Period>> {
    req.schedule.validate()?;
    if req.count == 0 || req.count > 1000 {
        return Err(KassaError::validation(
            "count",
            "must be between 1 and 1000",
        ));
    }
    (0..req.count)
        .map(|i| {
            let n = req
                .from
                .checked_add(i)
                .ok_or_else(|| KassaError::validation("from", "too large"))?;
            req.schedule.period(n)
        })
        .collect()
}

/// `billing.period_at`: the period containing `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PeriodAtRequest {
    /// The schedule.
    pub schedule: PeriodSchedule,
    /// The instant.
    pub at: DateTime<Utc>,
}

/// `billing.period_at`.
pub fn period_at(req: PeriodAtRequest) -> Result<Period> {
    req.schedule.period_at(req.at)
}

/// `billing.prorate`.
pub fn prorate_op(req: ProrationInput) -> Result<Proration> {
    prorate(&req)
}

/// `billing.invoice`.
pub fn invoice(req: InvoiceInput) -> Result<InvoiceComputation> {
    compute_invoice(&req)
}

/// `billing.usage_charge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct UsageRequest {
    /// The usage pricing.
    pub pricing: UsagePricing,
    /// Units used.
    pub quantity: u64,
    /// Currency.
    pub currency: Currency,
}

/// `billing.usage_charge`.
pub fn usage_charge(req: UsageRequest) -> Result<UsageCharge> {
    req.pricing.charge(req.quantity, req.currency)
}

/// `billing.transition`: where `action` leads from `from` (or `CONFLICT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TransitionRequest {
    /// Current state.
    pub from: SubscriptionStatus,
    /// The action.
    pub action: Action,
}

/// The result of `billing.transition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TransitionResult {
    /// The new state.
    pub to: SubscriptionStatus,
}

/// `billing.transition`.
pub fn transition(req: TransitionRequest) -> Result<TransitionResult> {
    next_status(req.from, req.action).map(|to| TransitionResult { to })
}

/// `billing.dunning_step`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct DunningRequest {
    /// The policy.
    #[serde(default)]
    pub policy: DunningPolicy,
    /// When the first attempt failed.
    pub failed_at: DateTime<Utc>,
    /// Failed attempts so far (the first included).
    pub attempts_made: u32,
}

/// `billing.dunning_step`.
pub fn dunning_step(req: DunningRequest) -> Result<DunningStep> {
    req.policy.after_failure(req.failed_at, req.attempts_made)
}
