//! The subscription state machine as an explicit transition table, and the subscription
//! aggregate.
//!
//! Each row of [`TRANSITIONS`] names a state, an [`Action`] and the state it leads to; a
//! `(state, action)` pair not in the table is a `CONFLICT` naming the current state and the
//! attempted action. `cancelled` and `expired` are terminal. Every applied transition appends
//! a [`SubscriptionHistoryEntry`] (actor, time, reason). `docs/billing.md` is generated from
//! the table ([`billing_doc`](super::billing_doc)).

use super::dunning::DunningState;
use super::invoice::{Invoice, InvoiceStatus};
use super::period::{Period, PeriodSchedule};
use super::plan::Plan;
use super::BillingCoupon;
use crate::error::{KassaError, Result};
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The states of a subscription.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// In the free trial; nothing charged yet.
    Trialing,
    /// Paid and running.
    Active,
    /// A renewal payment failed; dunning retries are scheduled.
    PastDue,
    /// Paused: no invoices until resumed.
    Paused,
    /// Ended by a cancellation (immediate, at period end, or after failed dunning).
    Cancelled,
    /// Ended on its own: a trial without a payment method, or a fixed term that ran out.
    Expired,
}

impl SubscriptionStatus {
    /// Every state, in display order.
    pub const ALL: [SubscriptionStatus; 6] = [
        SubscriptionStatus::Trialing,
        SubscriptionStatus::Active,
        SubscriptionStatus::PastDue,
        SubscriptionStatus::Paused,
        SubscriptionStatus::Cancelled,
        SubscriptionStatus::Expired,
    ];

    /// The stable `snake_case` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Paused => "paused",
            SubscriptionStatus::Cancelled => "cancelled",
            SubscriptionStatus::Expired => "expired",
        }
    }

    /// Whether no transition leaves this state.
    pub fn is_terminal(self) -> bool {
        !TRANSITIONS.iter().any(|r| r.from == self)
    }
}

impl std::fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What moves a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The trial ended and the first payment succeeded.
    ConvertTrial,
    /// The trial ended without a payment method.
    ExpireTrial,
    /// A period's payment succeeded (renewal).
    Renew,
    /// A payment (trial conversion or renewal) failed.
    FailPayment,
    /// A dunning retry (or the customer's manual retry) succeeded.
    RecoverPayment,
    /// The dunning schedule is exhausted and the policy says cancel.
    DunningCancel,
    /// The dunning schedule is exhausted and the policy says pause.
    DunningPause,
    /// Plan or quantity changed.
    ChangePlan,
    /// Paused on request.
    Pause,
    /// Resumed on request.
    Resume,
    /// Cancelled at once on request.
    Cancel,
    /// The period ended with cancel-at-period-end set.
    CancelAtPeriodEnd,
    /// The fixed term ran out.
    EndTerm,
}

impl Action {
    /// Every action, in display order.
    pub const ALL: [Action; 13] = [
        Action::ConvertTrial,
        Action::ExpireTrial,
        Action::Renew,
        Action::FailPayment,
        Action::RecoverPayment,
        Action::DunningCancel,
        Action::DunningPause,
        Action::ChangePlan,
        Action::Pause,
        Action::Resume,
        Action::Cancel,
        Action::CancelAtPeriodEnd,
        Action::EndTerm,
    ];

    /// The stable `snake_case` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::ConvertTrial => "convert_trial",
            Action::ExpireTrial => "expire_trial",
            Action::Renew => "renew",
            Action::FailPayment => "fail_payment",
            Action::RecoverPayment => "recover_payment",
            Action::DunningCancel => "dunning_cancel",
            Action::DunningPause => "dunning_pause",
            Action::ChangePlan => "change_plan",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Cancel => "cancel",
            Action::CancelAtPeriodEnd => "cancel_at_period_end",
            Action::EndTerm => "end_term",
        }
    }

    /// What the action means, for the docs.
    pub const fn description(self) -> &'static str {
        match self {
            Action::ConvertTrial => "trial ended, first payment succeeded",
            Action::ExpireTrial => "trial ended without a payment method",
            Action::Renew => "renewal payment succeeded",
            Action::FailPayment => "payment failed: dunning starts",
            Action::RecoverPayment => "a retry succeeded",
            Action::DunningCancel => "retries exhausted, policy `cancel`",
            Action::DunningPause => "retries exhausted, policy `pause`",
            Action::ChangePlan => "plan or quantity changed (prorated)",
            Action::Pause => "paused on request (unused time credited)",
            Action::Resume => "resumed on request (new period, charged)",
            Action::Cancel => "cancelled at once",
            Action::CancelAtPeriodEnd => "period ended with cancel-at-period-end set",
            Action::EndTerm => "the fixed number of periods ran out",
        }
    }
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// State before.
    pub from: SubscriptionStatus,
    /// What happened.
    pub action: Action,
    /// State after.
    pub to: SubscriptionStatus,
}

const fn t(from: SubscriptionStatus, action: Action, to: SubscriptionStatus) -> Transition {
    Transition { from, action, to }
}

use Action as A;
use SubscriptionStatus as S;

/// The transition table of subscriptions.
pub const TRANSITIONS: &[Transition] = &[
    t(S::Trialing, A::ConvertTrial, S::Active),
    t(S::Trialing, A::ExpireTrial, S::Expired),
    t(S::Trialing, A::FailPayment, S::PastDue),
    t(S::Trialing, A::ChangePlan, S::Trialing),
    t(S::Trialing, A::Cancel, S::Cancelled),
    t(S::Trialing, A::CancelAtPeriodEnd, S::Cancelled),
    t(S::Active, A::Renew, S::Active),
    t(S::Active, A::FailPayment, S::PastDue),
    t(S::Active, A::ChangePlan, S::Active),
    t(S::Active, A::Pause, S::Paused),
    t(S::Active, A::Cancel, S::Cancelled),
    t(S::Active, A::CancelAtPeriodEnd, S::Cancelled),
    t(S::Active, A::EndTerm, S::Expired),
    t(S::PastDue, A::RecoverPayment, S::Active),
    t(S::PastDue, A::DunningCancel, S::Cancelled),
    t(S::PastDue, A::DunningPause, S::Paused),
    t(S::PastDue, A::Cancel, S::Cancelled),
    t(S::Paused, A::Resume, S::Active),
    t(S::Paused, A::Cancel, S::Cancelled),
];

/// The state `action` leads to from `from`, or `CONFLICT` with `meta`
/// `{machine: "subscription", current, attempted}`.
pub fn next_status(from: SubscriptionStatus, action: Action) -> Result<SubscriptionStatus> {
    if let Some(row) = TRANSITIONS
        .iter()
        .find(|r| r.from == from && r.action == action)
    {
        return Ok(row.to);
    }
    let (current, attempted) = (from.as_str(), action.as_str());
    let err = if from.is_terminal() {
        KassaError::conflict(format!(
            "subscription status '{current}' is terminal; cannot {attempted}"
        ))
    } else {
        KassaError::conflict(format!(
            "illegal subscription transition: cannot {attempted} from '{current}'"
        ))
    };
    Err(err
        .with_meta("machine", "subscription")
        .with_meta("current", current)
        .with_meta("attempted", attempted))
}

/// One applied transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionHistoryEntry {
    /// State before.
    pub from: SubscriptionStatus,
    /// State after.
    pub to: SubscriptionStatus,
    /// What happened.
    pub action: Action,
    /// Id of the acting principal (`"system"` for the renewal run).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why (free text).
    pub reason: String,
}

/// A coupon attached to a subscription with the periods it still applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AppliedCoupon {
    /// The coupon.
    pub coupon: BillingCoupon,
    /// Period invoices it still discounts (`None`: forever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods_remaining: Option<u32>,
}

/// A subscription: the aggregate the [`SubscriptionStore`](crate::ports::SubscriptionStore)
/// keeps, invoices included, so one compare-and-set covers state, period and invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// Snapshot of the plan.
    pub plan: Plan,
    /// Seats.
    pub quantity: u32,
    /// State.
    pub status: SubscriptionStatus,
    /// The period schedule (re-anchored on resume).
    pub schedule: PeriodSchedule,
    /// The period the customer is in (paid, or being collected when past due).
    pub current_period: Period,
    /// End of the trial, while trialing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_end: Option<DateTime<Utc>>,
    /// Cancel when the current period ends.
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// Periods billed in all before the subscription expires (`None`: until cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_periods: Option<u32>,
    /// Periods billed so far (trial excluded).
    #[serde(default)]
    pub periods_billed: u32,
    /// Tax region (as in the pricing tax rules).
    #[serde(default)]
    pub region: String,
    /// The payment method token charged for invoices (empty: none on file).
    #[serde(default)]
    pub payment_token: String,
    /// The gateway's customer reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_customer_ref: Option<String>,
    /// The gateway's subscription reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_subscription_ref: Option<String>,
    /// Coupon in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<AppliedCoupon>,
    /// Credit carried to the next invoices (from downgrades and pauses).
    pub credit_balance: Money,
    /// Metered usage recorded in the current period.
    #[serde(default)]
    pub usage_quantity: u64,
    /// Ids of usage records already counted in the current period (de-duplication).
    #[serde(default)]
    pub usage_record_ids: Vec<String>,
    /// Dunning in progress (past due).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dunning: Option<DunningState>,
    /// Every invoice, oldest first.
    #[serde(default)]
    pub invoices: Vec<Invoice>,
    /// Gateway event ids already applied (de-duplication).
    #[serde(default)]
    pub applied_event_ids: Vec<String>,
    /// Every transition.
    #[serde(default)]
    pub history: Vec<SubscriptionHistoryEntry>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency version (compare-and-set).
    #[serde(default)]
    pub version: u64,
}

impl Subscription {
    /// Applies `action` through the table and records it.
    pub fn apply(
        &mut self,
        action: Action,
        actor: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        let to = next_status(self.status, action)?;
        self.history.push(SubscriptionHistoryEntry {
            from: self.status,
            to,
            action,
            actor: actor.to_owned(),
            at,
            reason: reason.to_owned(),
        });
        self.status = to;
        Ok(())
    }

    /// Whether the subscription has ended.
    pub fn is_ended(&self) -> bool {
        self.status.is_terminal()
    }

    /// When the renewal run next has something to do for it: trial end, period end, or the
    /// next dunning retry; `None` when paused or ended.
    pub fn next_action_at(&self) -> Option<DateTime<Utc>> {
        match self.status {
            S::Trialing => self.trial_end,
            S::Active => Some(self.current_period.end),
            S::PastDue => self.dunning.as_ref().map(|d| d.next_attempt_at),
            S::Paused | S::Cancelled | S::Expired => None,
        }
    }

    /// Whether a period invoice for a period starting at `start` exists (the per-period key
    /// that keeps a period from being billed twice).
    pub fn period_billed(&self, start: DateTime<Utc>) -> bool {
        self.invoices.iter().any(|i| {
            i.kind.is_period() && i.period.start == start && i.status != InvoiceStatus::Void
        })
    }

    /// The invoice with this id.
    pub fn invoice(&self, id: &str) -> Option<&Invoice> {
        self.invoices.iter().find(|i| i.id == id)
    }

    /// The invoice with this id, mutable.
    pub fn invoice_mut(&mut self, id: &str) -> Option<&mut Invoice> {
        self.invoices.iter_mut().find(|i| i.id == id)
    }

    /// The id the next invoice gets: `{subscriptionId}-inv-{n}`, `n` from 1.
    pub fn next_invoice_id(&self) -> String {
        format!("{}-inv-{}", self.id, self.invoices.len() + 1)
    }
}
