//! Billing: plans, subscriptions, periods, invoices, proration, dunning, metered usage and
//! coupons. Pure domain code; the flows over the ports are in [`crate::engine::Billing`].
//!
//! - [`plan`]: price per interval (day, week, month, year × count), trial, seats, usage.
//! - [`period`]: periods anchored to the start, month-end clamped, in a fixed UTC offset.
//! - [`subscription`]: the state machine (an explicit transition table) and the aggregate.
//! - [`invoice`]: line items, coupon and tax through [`crate::pricing`], credit balance.
//! - [`proration`]: credit for unused time, charge for the new plan, named rounding.
//! - [`dunning`]: the retry schedule and the final action.
//! - [`usage`]: graduated and volume tiers.
//! - [`ops`]: JSON operations for the cross-host vectors.
//!
//! The guide with the generated state diagram and worked examples is `docs/billing.md`
//! ([`billing_doc`]).

pub mod dunning;
pub mod invoice;
pub mod ops;
pub mod period;
pub mod plan;
pub mod proration;
pub mod subscription;
pub mod usage;

mod doc;

pub use doc::billing_doc;
pub use dunning::{DunningPolicy, DunningState, DunningStep, FinalAction};
pub use invoice::{
    compute_invoice, Invoice, InvoiceComputation, InvoiceInput, InvoiceKind, InvoiceLine,
    InvoiceStatus, LineInput, LineKind, PaymentAttempt,
};
pub use period::{Period, PeriodSchedule};
pub use plan::{Interval, Plan};
pub use proration::{prorate, Proration, ProrationInput, ProrationRounding};
pub use subscription::{
    next_status, Action, AppliedCoupon, Subscription, SubscriptionHistoryEntry, SubscriptionStatus,
    Transition, TRANSITIONS,
};
pub use usage::{TierCharge, UsageCharge, UsageMode, UsagePricing, UsageTier};

use crate::money::{decimal_string, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A subscription coupon: percent or amount off the period invoices, for a number of
/// periods (or forever).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct BillingCoupon {
    /// Code.
    pub code: String,
    /// Percentage off (0 < p ≤ 100), a decimal string.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal_string::option"
    )]
    pub percent_off: Option<Decimal>,
    /// Amount off each period invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<Money>,
    /// Period invoices it discounts (`None`: every one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_periods: Option<u32>,
}
