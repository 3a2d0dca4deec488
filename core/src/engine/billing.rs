//! Billing flows of the engine: subscribe, change plan, cancel, pause/resume, payment
//! method updates and retries, metered usage, the renewal run and gateway events.
//!
//! [`Billing`] works over the engine's [`Ports`] (gateway, outbox, clock, ids, idempotency,
//! the catalog's tax rules) plus the [`BillingPorts`] (the subscription store). Every write is
//! a compare-and-set on the subscription's version, retried after a reload; every gateway
//! charge carries the invoice attempt's idempotency key (`{invoiceId}:attempt-{n}`). See
//! `docs/billing.md` for the state machine and the guarantees.
//!
//! Decisions:
//! - A subscription's invoices live inside the aggregate: one write covers state, period and
//!   invoices, and "this period is billed" is a fact of the same record the run writes.
//! - The renewal run first *claims* a period (writes the open invoice), then charges, then
//!   writes the outcome. A concurrent run loses the claim and finds the period billed; a
//!   crash after the claim leaves a pending invoice that the next run charges with the same
//!   idempotency key (the gateway replays its answer).
//! - A declined first payment at subscribe is `PAYMENT_DECLINED` and stores nothing; a
//!   declined change-plan charge is `PAYMENT_DECLINED` and changes nothing. A declined
//!   renewal starts dunning.
//! - A customer reaches only its own subscriptions (others answer `NOT_FOUND`); the renewal
//!   run and usage recording need a privileged principal.

use super::{request_hash, Ports, Principal};
use crate::billing::{
    compute_invoice, next_status, prorate, Action, AppliedCoupon, BillingCoupon, DunningPolicy,
    DunningState, DunningStep, FinalAction, Invoice, InvoiceInput, InvoiceKind, InvoiceStatus,
    LineInput, LineKind, PaymentAttempt, Period, PeriodSchedule, Plan, ProrationInput,
    ProrationRounding, Subscription, SubscriptionStatus,
};
use crate::error::{ErrorCode, KassaError, Result};
use crate::money::Money;
use crate::payment::{GatewayEvent, GatewayEventKind};
use crate::ports::{
    AuthorizeRequest, CreateCustomerRequest, CreateSubscriptionRequest, GatewayOutcome,
    GatewayResponse, OutboxEvent, SubscriptionStore,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The ports the billing flows use besides [`Ports`].
#[derive(Clone)]
pub struct BillingPorts {
    /// Subscriptions with their invoices.
    pub subscriptions: Arc<dyn SubscriptionStore>,
}

/// Settings of the billing flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct BillingConfig {
    /// The retry schedule after a failed payment.
    pub dunning: DunningPolicy,
    /// Rounding points of proration.
    pub proration: ProrationRounding,
    /// Compare-and-set retries before a contended write gives up with `CONFLICT`.
    pub max_write_retries: u32,
    /// Subscriptions one renewal run handles at most.
    pub renewal_batch: usize,
}

impl Default for BillingConfig {
    fn default() -> Self {
        BillingConfig {
            dunning: DunningPolicy::default(),
            proration: ProrationRounding::default(),
            max_write_retries: 16,
            renewal_batch: 10_000,
        }
    }
}

/// A subscribe request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeRequest {
    /// The customer.
    pub customer_id: String,
    /// Email for the gateway customer, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The plan (from the host's plan catalog).
    pub plan: Plan,
    /// Seats.
    #[serde(default = "one")]
    pub quantity: u32,
    /// Payment method token (may be empty during a trial: the trial then expires).
    #[serde(default)]
    pub payment_token: String,
    /// Tax region.
    #[serde(default)]
    pub region: String,
    /// Local UTC offset for period boundaries.
    #[serde(default)]
    pub utc_offset_seconds: i32,
    /// Coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<BillingCoupon>,
    /// Periods before the subscription expires (`None`: until cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_periods: Option<u32>,
}

fn one() -> u32 {
    1
}

/// A plan or quantity change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ChangePlanRequest {
    /// The new plan (none: keep the plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// The new seats (none: keep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
}

/// What one renewal run did for one subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RenewalItem {
    /// The subscription.
    pub subscription_id: String,
    /// Steps taken (`"billed subscription_1-inv-2"`, `"paid"`, `"declined"`, ...).
    pub steps: Vec<String>,
    /// Status afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
    /// The error, if the subscription could not be processed (the run goes on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A renewal run's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RenewalReport {
    /// The run's time.
    pub at: DateTime<Utc>,
    /// One item per due subscription.
    pub items: Vec<RenewalItem>,
}

/// A billing message (rendered text for the host's mailer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct BillingMessage {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// The payload of billing outbox events (schema version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionEvent {
    /// `subscription_created`, `subscription_status_changed`, `subscription_plan_changed`,
    /// `invoice_paid`, `invoice_payment_failed`.
    pub event_type: String,
    /// Subscription.
    pub subscription_id: String,
    /// Customer.
    pub customer_id: String,
    /// Status after the event.
    pub status: SubscriptionStatus,
    /// Plan id.
    pub plan_id: String,
    /// The invoice concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// Its amount due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// A rendered message for the customer, when the event warrants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<BillingMessage>,
}

/// The billing flows.
pub struct Billing {
    ports: Ports,
    billing: BillingPorts,
    config: BillingConfig,
}

enum Settle {
    Approved(Option<String>),
    Declined(String),
    Unknown,
}

impl Settle {
    fn of(r: &GatewayResponse) -> Self {
        match &r.outcome {
            GatewayOutcome::Approved => Settle::Approved(r.gateway_ref.clone()),
            GatewayOutcome::Declined { code, .. } => Settle::Declined(code.clone()),
            GatewayOutcome::Unknown => Settle::Unknown,
        }
    }
}

/// The gateway's idempotency keys are global, while a client's key is scoped to its principal:
/// the gateway key carries both (the principal id length-prefixed, so no two pairs collide).
fn gateway_key(actor: &Principal, key: &str, step: &str) -> String {
    format!("subscribe:{}:{}:{key}:{step}", actor.id.len(), actor.id)
}

fn declined_error(code: &str) -> KassaError {
    KassaError::new(
        ErrorCode::PaymentDeclined,
        format!("the payment was declined ({code})"),
    )
    .with_meta("declineCode", code)
}

impl Billing {
    /// The billing flows over the engine's ports and the subscription store.
    pub fn new(ports: Ports, billing: BillingPorts, config: BillingConfig) -> Result<Self> {
        config.dunning.validate()?;
        Ok(Billing {
            ports,
            billing,
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &BillingConfig {
        &self.config
    }

    fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }

    /// One subscription, if the actor may see it (others answer `NOT_FOUND`).
    pub async fn subscription(&self, actor: &Principal, id: &str) -> Result<Subscription> {
        let sub = self
            .billing
            .subscriptions
            .get(id)
            .await?
            .ok_or_else(|| KassaError::not_found("subscription", id))?;
        if actor.is_privileged() || actor.id == sub.customer_id {
            Ok(sub)
        } else {
            Err(KassaError::not_found("subscription", id))
        }
    }

    fn require_privileged(actor: &Principal) -> Result<()> {
        if actor.is_privileged() {
            Ok(())
        } else {
            Err(KassaError::forbidden(
                "this operation needs the admin or system role",
            ))
        }
    }

    async fn publish(&self, events: Vec<(String, SubscriptionEvent)>) -> Result<()> {
        let now = self.now();
        for (id, e) in events {
            let payload =
                serde_json::to_string(&e).map_err(|err| KassaError::internal(err.to_string()))?;
            self.ports
                .events
                .publish(OutboxEvent {
                    id,
                    event_type: e.event_type.clone(),
                    schema_version: 1,
                    aggregate_id: e.subscription_id.clone(),
                    occurred_at: now,
                    payload,
                })
                .await?;
        }
        Ok(())
    }

    /// Loads, applies a pure change, writes with compare-and-set (reloading and re-applying
    /// on a version conflict), publishes the events the change returned.
    async fn mutate<T, F>(&self, id: &str, mut change: F) -> Result<(Subscription, T)>
    where
        F: FnMut(&mut Subscription) -> Result<(T, Vec<(String, SubscriptionEvent)>)>,
    {
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut sub = self
                .billing
                .subscriptions
                .get(id)
                .await?
                .ok_or_else(|| KassaError::not_found("subscription", id))?;
            let (out, events) = change(&mut sub)?;
            match self.billing.subscriptions.compare_and_set(sub).await {
                Ok(saved) => {
                    self.publish(events).await?;
                    return Ok((saved, out));
                }
                Err(e) if e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion") => {
                    continue
                }
                Err(e) => return Err(e),
            }
        }
        Err(KassaError::conflict(format!(
            "subscription '{id}' is being changed by others; try again"
        )))
    }

    async fn tax_setup(
        &self,
    ) -> Result<(
        Vec<crate::pricing::TaxRule>,
        crate::pricing::RoundingSettings,
    )> {
        let rules = self.ports.catalog.pricing_rules().await?;
        Ok((rules.tax_rules, rules.rounding))
    }

    /// Builds a period invoice for `period` (plan seats, usage of the ending period, coupon,
    /// credit balance) and applies its effects on the subscription (credit, coupon periods,
    /// usage reset, periods billed). Nothing due: the invoice is paid at once.
    fn issue_period_invoice(
        sub: &mut Subscription,
        kind: InvoiceKind,
        period: Period,
        at: DateTime<Utc>,
        tax: &(
            Vec<crate::pricing::TaxRule>,
            crate::pricing::RoundingSettings,
        ),
    ) -> Result<String> {
        let plan = &sub.plan;
        let mut lines = vec![LineInput {
            kind: LineKind::Plan,
            description: format!("{} × {}", sub.quantity, display_name(plan)),
            quantity: sub.quantity,
            unit_amount: plan.price,
            tax_inclusive: plan.tax_inclusive,
            tax_class: plan.tax_class.clone(),
            period: Some(period),
        }];
        if let Some(usage) = &plan.usage {
            if sub.usage_quantity > 0 {
                let charge = usage.charge(sub.usage_quantity, plan.price.currency())?;
                if charge.total.is_positive() {
                    lines.push(LineInput {
                        kind: LineKind::Usage,
                        description: format!(
                            "{} {} (previous period)",
                            sub.usage_quantity, usage.metric
                        ),
                        quantity: 1,
                        unit_amount: charge.total,
                        tax_inclusive: plan.tax_inclusive,
                        tax_class: plan.tax_class.clone(),
                        period: Some(sub.current_period),
                    });
                }
            }
        }
        let coupon = sub
            .coupon
            .as_ref()
            .filter(|c| c.periods_remaining != Some(0))
            .map(|c| c.coupon.clone());
        let amounts = compute_invoice(&InvoiceInput {
            currency: plan.price.currency(),
            region: sub.region.clone(),
            lines,
            tax_rules: tax.0.clone(),
            coupon,
            credit_balance: Some(sub.credit_balance),
            rounding: tax.1,
            at,
        })?;
        if let Some(c) = sub.coupon.as_mut() {
            if let Some(n) = c.periods_remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
        }
        sub.credit_balance = amounts.credit_remaining;
        sub.usage_quantity = 0;
        sub.usage_record_ids.clear();
        sub.periods_billed = sub.periods_billed.saturating_add(1);
        let id = sub.next_invoice_id();
        let paid = !amounts.amount_due.is_positive();
        sub.invoices.push(Invoice {
            id: id.clone(),
            kind,
            period,
            amounts,
            status: if paid {
                InvoiceStatus::Paid
            } else {
                InvoiceStatus::Open
            },
            attempts: Vec::new(),
            gateway_ref: None,
            issued_at: at,
            paid_at: paid.then_some(at),
        });
        Ok(id)
    }

    fn event(
        sub: &Subscription,
        event_type: &str,
        invoice: Option<&Invoice>,
    ) -> (String, SubscriptionEvent) {
        let id = format!(
            "{}:{}:{}:{}",
            sub.id,
            event_type,
            sub.history.len(),
            invoice.map(|i| i.id.as_str()).unwrap_or("-")
        );
        let message = match event_type {
            "subscription_created" => Some(BillingMessage {
                subject: format!("Your {} subscription is confirmed", display_name(&sub.plan)),
                body: match sub.trial_end {
                    Some(end) if sub.status == SubscriptionStatus::Trialing => format!(
                        "Welcome! Your free trial of {} runs until {}. {} × {} per {} {} after that.",
                        display_name(&sub.plan),
                        end.format("%Y-%m-%d"),
                        sub.quantity,
                        sub.plan.price,
                        sub.plan.interval_count,
                        sub.plan.interval.as_str()
                    ),
                    _ => format!(
                        "Thank you! {} × {} is active; the current period ends {}.",
                        sub.quantity,
                        display_name(&sub.plan),
                        sub.current_period.end.format("%Y-%m-%d")
                    ),
                },
            }),
            "invoice_payment_failed" => Some(BillingMessage {
                subject: "Your payment failed".to_owned(),
                body: format!(
                    "We could not charge {} for your {} subscription. We will retry{}; you can \
                     update your payment method at any time.",
                    invoice.map(|i| i.amounts.amount_due.to_string()).unwrap_or_default(),
                    display_name(&sub.plan),
                    sub.dunning
                        .as_ref()
                        .map(|d| format!(" on {}", d.next_attempt_at.format("%Y-%m-%d")))
                        .unwrap_or_default()
                ),
            }),
            _ => None,
        };
        (
            id,
            SubscriptionEvent {
                event_type: event_type.to_owned(),
                subscription_id: sub.id.clone(),
                customer_id: sub.customer_id.clone(),
                status: sub.status,
                plan_id: sub.plan.id.clone(),
                invoice_id: invoice.map(|i| i.id.clone()),
                amount: invoice.map(|i| i.amounts.amount_due),
                message,
            },
        )
    }

    /// Records attempt `n` of an invoice and applies its outcome (idempotent: an attempt
    /// already recorded with a final outcome changes nothing).
    fn settle(
        &self,
        sub: &mut Subscription,
        invoice_id: &str,
        n: u32,
        outcome: &Settle,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<(String, SubscriptionEvent)>> {
        let mut events = Vec::new();
        let inv = sub
            .invoice_mut(invoice_id)
            .ok_or_else(|| KassaError::not_found("invoice", invoice_id))?;
        if inv.status != InvoiceStatus::Open {
            return Ok(events);
        }
        let (label, code) = match outcome {
            Settle::Approved(_) => ("approved", None),
            Settle::Declined(c) => ("declined", Some(c.clone())),
            Settle::Unknown => ("unknown", None),
        };
        match inv.attempts.iter_mut().find(|a| a.number == n) {
            Some(a) if a.outcome != "unknown" => return Ok(events),
            Some(a) => {
                a.outcome = label.to_owned();
                a.code = code;
            }
            None => {
                let key = inv.attempt_key(n);
                inv.attempts.push(PaymentAttempt {
                    number: n,
                    idempotency_key: key,
                    at,
                    outcome: label.to_owned(),
                    code,
                });
            }
        }
        let kind = inv.kind;
        match outcome {
            Settle::Unknown => {}
            Settle::Approved(gateway_ref) => {
                inv.status = InvoiceStatus::Paid;
                inv.paid_at = Some(at);
                inv.gateway_ref = gateway_ref.clone();
                let snapshot = inv.clone();
                match sub.status {
                    SubscriptionStatus::Trialing => {
                        sub.trial_end = None;
                        sub.apply(
                            Action::ConvertTrial,
                            actor,
                            at,
                            "trial ended, first payment approved",
                        )?;
                    }
                    SubscriptionStatus::PastDue => {
                        sub.dunning = None;
                        sub.apply(
                            Action::RecoverPayment,
                            actor,
                            at,
                            &format!("attempt {n} approved"),
                        )?;
                    }
                    SubscriptionStatus::Active if kind == InvoiceKind::Renewal => {
                        sub.apply(Action::Renew, actor, at, "renewal payment approved")?;
                    }
                    _ => {}
                }
                events.push(Self::event(sub, "invoice_paid", Some(&snapshot)));
            }
            Settle::Declined(code) => {
                let snapshot = inv.clone();
                if kind == InvoiceKind::Proration {
                    return Ok(events);
                }
                match sub.dunning.as_mut() {
                    None => {
                        let next = match self.config.dunning.after_failure(at, 1)? {
                            DunningStep::Retry { at: t, .. } => t,
                            DunningStep::GiveUp { .. } => at,
                        };
                        sub.dunning = Some(DunningState {
                            invoice_id: invoice_id.to_owned(),
                            failed_at: at,
                            attempts_made: 1,
                            next_attempt_at: next,
                            last_code: code.clone(),
                        });
                        sub.apply(
                            Action::FailPayment,
                            actor,
                            at,
                            &format!("payment declined ({code})"),
                        )?;
                    }
                    Some(d) => {
                        d.attempts_made = d.attempts_made.max(n);
                        d.last_code = code.clone();
                        match self
                            .config
                            .dunning
                            .after_failure(d.failed_at, d.attempts_made)?
                        {
                            DunningStep::Retry { at: t, .. } => d.next_attempt_at = t,
                            DunningStep::GiveUp { action } => {
                                let attempts = d.attempts_made;
                                sub.dunning = None;
                                if let Some(i) = sub.invoice_mut(invoice_id) {
                                    i.status = InvoiceStatus::Uncollectible;
                                }
                                let reason = format!("{attempts} payment attempts declined");
                                match action {
                                    FinalAction::Cancel => {
                                        sub.apply(Action::DunningCancel, actor, at, &reason)?
                                    }
                                    FinalAction::Pause => {
                                        sub.apply(Action::DunningPause, actor, at, &reason)?
                                    }
                                }
                                events.push(Self::event(sub, "subscription_status_changed", None));
                            }
                        }
                    }
                }
                events.push(Self::event(sub, "invoice_payment_failed", Some(&snapshot)));
            }
        }
        Ok(events)
    }

    async fn charge(&self, sub: &Subscription, invoice_id: &str, n: u32) -> Result<Settle> {
        let inv = sub
            .invoice(invoice_id)
            .ok_or_else(|| KassaError::not_found("invoice", invoice_id))?;
        if sub.payment_token.is_empty() {
            return Ok(Settle::Declined("no_payment_method".to_owned()));
        }
        let resp = self
            .ports
            .gateway
            .authorize(AuthorizeRequest {
                idempotency_key: inv.attempt_key(n),
                order_id: inv.id.clone(),
                amount: inv.amounts.amount_due,
                payment_token: sub.payment_token.clone(),
                capture: true,
            })
            .await?;
        Ok(Settle::of(&resp))
    }

    /// Charges attempt `n` of an open invoice and writes the outcome.
    async fn attempt(
        &self,
        sub: &Subscription,
        invoice_id: &str,
        n: u32,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(Subscription, &'static str)> {
        let outcome = self.charge(sub, invoice_id, n).await?;
        let label = match outcome {
            Settle::Approved(_) => "paid",
            Settle::Declined(_) => "declined",
            Settle::Unknown => "awaiting gateway event",
        };
        let (saved, ()) = self
            .mutate(&sub.id, |s| {
                Ok(((), self.settle(s, invoice_id, n, &outcome, actor, at)?))
            })
            .await?;
        Ok((saved, label))
    }

    /// Subscribes a customer to a plan: customer at the gateway, first charge (none during a
    /// trial), subscription at the gateway, stored, `subscription_created` with the
    /// confirmation message. With an idempotency key, a repeat returns the same subscription.
    pub async fn subscribe(
        &self,
        actor: &Principal,
        idempotency_key: &str,
        req: SubscribeRequest,
    ) -> Result<Subscription> {
        if !actor.is_privileged() && actor.id != req.customer_id {
            return Err(KassaError::forbidden("a customer subscribes only itself"));
        }
        if idempotency_key.trim().is_empty() {
            return Err(KassaError::validation(
                "idempotencyKey",
                "must not be empty",
            ));
        }
        let hash = request_hash(&req)?;
        let claimed = super::request_hash::claim(
            self.ports.idempotency.as_ref(),
            &actor.id,
            idempotency_key,
            &hash,
            self.now(),
        )
        .await?;
        if let Some(response) = claimed {
            let id = response
                .get("subscriptionId")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            return self.subscription(actor, &id).await;
        }
        match self.subscribe_once(actor, idempotency_key, req).await {
            Ok(sub) => {
                self.ports
                    .idempotency
                    .complete(
                        &actor.id,
                        idempotency_key,
                        serde_json::json!({ "subscriptionId": sub.id }),
                    )
                    .await?;
                Ok(sub)
            }
            Err(e) => {
                self.ports
                    .idempotency
                    .abandon(&actor.id, idempotency_key)
                    .await?;
                Err(e)
            }
        }
    }

    async fn subscribe_once(
        &self,
        actor: &Principal,
        key: &str,
        req: SubscribeRequest,
    ) -> Result<Subscription> {
        req.plan.validate()?;
        let currency = req.plan.price.currency();
        if req.customer_id.trim().is_empty() {
            return Err(KassaError::validation("customerId", "must not be empty"));
        }
        if req.quantity == 0 {
            return Err(KassaError::validation("quantity", "must be at least 1"));
        }
        if req.plan.trial_days == 0 && req.payment_token.trim().is_empty() {
            return Err(KassaError::validation(
                "paymentToken",
                "a plan without a trial needs a payment method",
            ));
        }
        if let Some(c) = &req.coupon {
            c.validate(currency)?;
        }
        let now = self.now();
        let id = self.ports.ids.next_id("subscription");
        let trial_end = if req.plan.trial_days > 0 {
            Some(now + Duration::days(i64::from(req.plan.trial_days)))
        } else {
            None
        };
        let schedule = PeriodSchedule {
            anchor: trial_end.unwrap_or(now),
            interval: req.plan.interval,
            interval_count: req.plan.interval_count,
            utc_offset_seconds: req.utc_offset_seconds,
        };
        schedule.validate()?;
        let customer = self
            .ports
            .gateway
            .create_customer(CreateCustomerRequest {
                idempotency_key: gateway_key(actor, key, "customer"),
                customer_id: req.customer_id.clone(),
                email: req.email.clone(),
                payment_token: req.payment_token.clone(),
            })
            .await?;
        if let GatewayOutcome::Declined { code, .. } = &customer.outcome {
            if !req.payment_token.is_empty() {
                return Err(declined_error(code));
            }
        }
        let mut sub = Subscription {
            id: id.clone(),
            customer_id: req.customer_id.clone(),
            plan: req.plan.clone(),
            quantity: req.quantity,
            status: if trial_end.is_some() {
                SubscriptionStatus::Trialing
            } else {
                SubscriptionStatus::Active
            },
            schedule,
            current_period: match trial_end {
                Some(end) => Period {
                    index: 0,
                    start: now,
                    end,
                },
                None => schedule.period(0)?,
            },
            trial_end,
            cancel_at_period_end: false,
            term_periods: req.term_periods,
            periods_billed: 0,
            region: req.region.clone(),
            payment_token: req.payment_token.clone(),
            gateway_customer_ref: customer.gateway_ref.clone(),
            gateway_subscription_ref: None,
            coupon: req.coupon.clone().map(|c| AppliedCoupon {
                periods_remaining: c.duration_periods,
                coupon: c,
            }),
            credit_balance: Money::zero(currency),
            usage_quantity: 0,
            usage_record_ids: Vec::new(),
            dunning: None,
            invoices: Vec::new(),
            applied_event_ids: Vec::new(),
            history: Vec::new(),
            created_at: now,
            version: 0,
        };
        if trial_end.is_none() {
            let tax = self.tax_setup().await?;
            let period = sub.current_period;
            let inv_id =
                Self::issue_period_invoice(&mut sub, InvoiceKind::Initial, period, now, &tax)?;
            if sub
                .invoice(&inv_id)
                .is_some_and(|i| i.status == InvoiceStatus::Open)
            {
                match self.charge(&sub, &inv_id, 1).await? {
                    Settle::Declined(code) => return Err(declined_error(&code)),
                    outcome => {
                        self.settle(&mut sub, &inv_id, 1, &outcome, &actor.id, now)?;
                    }
                }
            }
        }
        let amount = sub.plan.price.times(u64::from(sub.quantity))?;
        let gw_sub = self
            .ports
            .gateway
            .create_subscription(CreateSubscriptionRequest {
                idempotency_key: gateway_key(actor, key, "subscription"),
                subscription_id: id.clone(),
                customer_ref: sub.gateway_customer_ref.clone(),
                plan_id: sub.plan.id.clone(),
                amount_per_period: amount,
                quantity: sub.quantity,
            })
            .await?;
        sub.gateway_subscription_ref = gw_sub.gateway_ref;
        let saved = self.billing.subscriptions.insert(sub).await?;
        let mut events = vec![Self::event(&saved, "subscription_created", None)];
        if let Some(inv) = saved
            .invoices
            .iter()
            .find(|i| i.status == InvoiceStatus::Paid)
        {
            events.push(Self::event(&saved, "invoice_paid", Some(inv)));
        }
        self.publish(events).await?;
        Ok(saved)
    }

    /// Changes plan and/or seats mid-period with proration, charged at once (a negative net
    /// becomes credit balance). During a trial only the plan changes. A declined charge is
    /// `PAYMENT_DECLINED` and changes nothing.
    pub async fn change_plan(
        &self,
        actor: &Principal,
        id: &str,
        req: ChangePlanRequest,
    ) -> Result<Subscription> {
        let current = self.subscription(actor, id).await?;
        next_status(current.status, Action::ChangePlan)?;
        let plan = req.plan.clone().unwrap_or_else(|| current.plan.clone());
        plan.validate()?;
        let quantity = req.quantity.unwrap_or(current.quantity);
        if quantity == 0 {
            return Err(KassaError::validation("quantity", "must be at least 1"));
        }
        if plan.price.currency() != current.plan.price.currency() {
            return Err(KassaError::validation(
                "plan.price",
                "a plan change keeps the subscription's currency",
            ));
        }
        if plan.interval != current.plan.interval
            || plan.interval_count != current.plan.interval_count
        {
            return Err(KassaError::validation(
                "plan.interval",
                "a plan change keeps the billing interval",
            ));
        }
        let now = self.now();
        let tax = self.tax_setup().await?;
        let rounding = self.config.proration;
        let reason = format!(
            "{} × {} → {} × {}",
            current.quantity, current.plan.id, quantity, plan.id
        );
        let build = |sub: &mut Subscription| -> Result<Option<String>> {
            next_status(sub.status, Action::ChangePlan)?;
            let mut invoice = None;
            if sub.status == SubscriptionStatus::Active {
                if !sub.current_period.contains(now) {
                    return Err(KassaError::conflict(
                        "the current period has ended; run renewals first",
                    ));
                }
                let p = prorate(&ProrationInput {
                    period: sub.current_period,
                    at: now,
                    old_amount: sub.plan.price.times(u64::from(sub.quantity))?,
                    new_amount: plan.price.times(u64::from(quantity))?,
                    rounding,
                })?;
                let mut lines = Vec::new();
                if p.credit.is_positive() {
                    lines.push(LineInput {
                        kind: LineKind::ProrationCredit,
                        description: format!(
                            "Unused time on {} × {}",
                            sub.quantity,
                            display_name(&sub.plan)
                        ),
                        quantity: 1,
                        unit_amount: p.credit,
                        tax_inclusive: sub.plan.tax_inclusive,
                        tax_class: sub.plan.tax_class.clone(),
                        period: Some(Period {
                            start: now,
                            ..sub.current_period
                        }),
                    });
                }
                if p.charge.is_positive() {
                    lines.push(LineInput {
                        kind: LineKind::ProrationCharge,
                        description: format!(
                            "Remaining time on {} × {}",
                            quantity,
                            display_name(&plan)
                        ),
                        quantity: 1,
                        unit_amount: p.charge,
                        tax_inclusive: plan.tax_inclusive,
                        tax_class: plan.tax_class.clone(),
                        period: Some(Period {
                            start: now,
                            ..sub.current_period
                        }),
                    });
                }
                if !lines.is_empty() {
                    let amounts = compute_invoice(&InvoiceInput {
                        currency: plan.price.currency(),
                        region: sub.region.clone(),
                        lines,
                        tax_rules: tax.0.clone(),
                        coupon: None,
                        credit_balance: Some(sub.credit_balance),
                        rounding: tax.1,
                        at: now,
                    })?;
                    sub.credit_balance = amounts.credit_remaining;
                    let inv_id = sub.next_invoice_id();
                    let paid = !amounts.amount_due.is_positive();
                    sub.invoices.push(Invoice {
                        id: inv_id.clone(),
                        kind: InvoiceKind::Proration,
                        period: Period {
                            start: now,
                            ..sub.current_period
                        },
                        amounts,
                        status: if paid {
                            InvoiceStatus::Paid
                        } else {
                            InvoiceStatus::Open
                        },
                        attempts: Vec::new(),
                        gateway_ref: None,
                        issued_at: now,
                        paid_at: paid.then_some(now),
                    });
                    invoice = Some(inv_id);
                }
            }
            sub.plan = plan.clone();
            sub.quantity = quantity;
            sub.apply(Action::ChangePlan, &actor.id, now, &reason)?;
            Ok(invoice)
        };
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut sub = self.subscription(actor, id).await?;
            let inv_id = build(&mut sub)?;
            let mut events = Vec::new();
            if let Some(inv_id) = &inv_id {
                if sub
                    .invoice(inv_id)
                    .is_some_and(|i| i.status == InvoiceStatus::Open)
                {
                    match self.charge(&sub, inv_id, 1).await? {
                        Settle::Declined(code) => return Err(declined_error(&code)),
                        outcome => events
                            .extend(self.settle(&mut sub, inv_id, 1, &outcome, &actor.id, now)?),
                    }
                }
            }
            let inv = inv_id.as_deref().and_then(|i| sub.invoice(i)).cloned();
            events.insert(
                0,
                Self::event(&sub, "subscription_plan_changed", inv.as_ref()),
            );
            match self.billing.subscriptions.compare_and_set(sub).await {
                Ok(saved) => {
                    self.publish(events).await?;
                    return Ok(saved);
                }
                Err(e) if e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion") => {
                    continue
                }
                Err(e) => return Err(e),
            }
        }
        Err(KassaError::conflict(format!(
            "subscription '{id}' is being changed by others; try again"
        )))
    }

    /// Cancels at once (open invoices voided, dunning stopped; no refund) or at the end of
    /// the current period.
    pub async fn cancel(
        &self,
        actor: &Principal,
        id: &str,
        at_period_end: bool,
        reason: &str,
    ) -> Result<Subscription> {
        self.subscription(actor, id).await?;
        let now = self.now();
        let (saved, ()) = self
            .mutate(id, |sub| {
                if at_period_end {
                    next_status(sub.status, Action::CancelAtPeriodEnd)?;
                    sub.cancel_at_period_end = true;
                    return Ok(((), Vec::new()));
                }
                sub.apply(Action::Cancel, &actor.id, now, reason)?;
                sub.dunning = None;
                for i in sub
                    .invoices
                    .iter_mut()
                    .filter(|i| i.status == InvoiceStatus::Open)
                {
                    i.status = InvoiceStatus::Void;
                }
                Ok((
                    (),
                    vec![Self::event(sub, "subscription_status_changed", None)],
                ))
            })
            .await?;
        Ok(saved)
    }

    /// Pauses an active subscription now; the unused time is credited to the balance.
    pub async fn pause(&self, actor: &Principal, id: &str, reason: &str) -> Result<Subscription> {
        self.subscription(actor, id).await?;
        let now = self.now();
        let tax = self.tax_setup().await?;
        let rounding = self.config.proration;
        let (saved, ()) = self
            .mutate(id, |sub| {
                next_status(sub.status, Action::Pause)?;
                if sub.current_period.contains(now) {
                    let p = prorate(&ProrationInput {
                        period: sub.current_period,
                        at: now,
                        old_amount: sub.plan.price.times(u64::from(sub.quantity))?,
                        new_amount: Money::zero(sub.plan.price.currency()),
                        rounding,
                    })?;
                    if p.credit.is_positive() {
                        let amounts = compute_invoice(&InvoiceInput {
                            currency: sub.plan.price.currency(),
                            region: sub.region.clone(),
                            lines: vec![LineInput {
                                kind: LineKind::ProrationCredit,
                                description: "Unused time (paused)".to_owned(),
                                quantity: 1,
                                unit_amount: p.credit,
                                tax_inclusive: sub.plan.tax_inclusive,
                                tax_class: sub.plan.tax_class.clone(),
                                period: Some(Period {
                                    start: now,
                                    ..sub.current_period
                                }),
                            }],
                            tax_rules: tax.0.clone(),
                            coupon: None,
                            credit_balance: Some(sub.credit_balance),
                            rounding: tax.1,
                            at: now,
                        })?;
                        sub.credit_balance = amounts.credit_remaining;
                        let inv_id = sub.next_invoice_id();
                        sub.invoices.push(Invoice {
                            id: inv_id,
                            kind: InvoiceKind::Proration,
                            period: Period {
                                start: now,
                                ..sub.current_period
                            },
                            amounts,
                            status: InvoiceStatus::Paid,
                            attempts: Vec::new(),
                            gateway_ref: None,
                            issued_at: now,
                            paid_at: Some(now),
                        });
                    }
                }
                sub.current_period.end = now.max(sub.current_period.start);
                sub.apply(Action::Pause, &actor.id, now, reason)?;
                Ok((
                    (),
                    vec![Self::event(sub, "subscription_status_changed", None)],
                ))
            })
            .await?;
        Ok(saved)
    }

    /// Resumes a paused subscription: periods re-anchored at now, the new period billed and
    /// charged (a decline starts dunning).
    pub async fn resume(&self, actor: &Principal, id: &str) -> Result<Subscription> {
        self.subscription(actor, id).await?;
        let now = self.now();
        let tax = self.tax_setup().await?;
        let (saved, inv_id) = self
            .mutate(id, |sub| {
                next_status(sub.status, Action::Resume)?;
                sub.schedule.anchor = now;
                let period = sub.schedule.period(0)?;
                sub.current_period = period;
                let inv = Self::issue_period_invoice(sub, InvoiceKind::Resume, period, now, &tax)?;
                sub.apply(Action::Resume, &actor.id, now, "resumed")?;
                Ok((
                    inv,
                    vec![Self::event(sub, "subscription_status_changed", None)],
                ))
            })
            .await?;
        if saved
            .invoice(&inv_id)
            .is_some_and(|i| i.status == InvoiceStatus::Open)
        {
            return Ok(self.attempt(&saved, &inv_id, 1, &actor.id, now).await?.0);
        }
        Ok(saved)
    }

    /// Puts in a new payment method token.
    pub async fn update_payment_method(
        &self,
        actor: &Principal,
        id: &str,
        payment_token: &str,
    ) -> Result<Subscription> {
        self.subscription(actor, id).await?;
        if payment_token.trim().is_empty() {
            return Err(KassaError::validation("paymentToken", "must not be empty"));
        }
        let (saved, ()) = self
            .mutate(id, |sub| {
                if sub.is_ended() {
                    return Err(KassaError::conflict(format!(
                        "subscription status '{}' is terminal",
                        sub.status
                    )));
                }
                sub.payment_token = payment_token.to_owned();
                Ok(((), Vec::new()))
            })
            .await?;
        Ok(saved)
    }

    /// Retries the open invoice of a past-due subscription now (counts as a dunning attempt).
    pub async fn retry_payment(&self, actor: &Principal, id: &str) -> Result<Subscription> {
        let sub = self.subscription(actor, id).await?;
        let Some(d) = sub.dunning.clone() else {
            return Err(KassaError::conflict(format!(
                "subscription '{id}' has no payment to retry (status '{}')",
                sub.status
            ))
            .with_meta("current", sub.status.as_str()));
        };
        Ok(self
            .attempt(
                &sub,
                &d.invoice_id,
                d.attempts_made + 1,
                &actor.id,
                self.now(),
            )
            .await?
            .0)
    }

    /// Adds metered usage to the current period; a record id already counted is ignored.
    pub async fn record_usage(
        &self,
        actor: &Principal,
        id: &str,
        record_id: &str,
        quantity: u64,
    ) -> Result<Subscription> {
        Self::require_privileged(actor)?;
        let (saved, ()) = self
            .mutate(id, |sub| {
                if sub.plan.usage.is_none() {
                    return Err(KassaError::validation(
                        "plan.usage",
                        "the plan has no metered usage",
                    ));
                }
                if !sub.usage_record_ids.iter().any(|r| r == record_id) {
                    sub.usage_record_ids.push(record_id.to_owned());
                    sub.usage_quantity = sub.usage_quantity.saturating_add(quantity);
                }
                Ok(((), Vec::new()))
            })
            .await?;
        Ok(saved)
    }

    /// Applies a gateway event settling an invoice's unknown outcome (`orderId` is the
    /// invoice id). Each event id is applied once; returns whether it changed anything.
    pub async fn apply_payment_event(
        &self,
        actor: &Principal,
        subscription_id: &str,
        event: &GatewayEvent,
    ) -> Result<(Subscription, bool)> {
        Self::require_privileged(actor)?;
        let now = self.now();
        self.mutate(subscription_id, |sub| {
            if sub.applied_event_ids.iter().any(|e| e == &event.event_id) {
                return Ok((false, Vec::new()));
            }
            let inv = sub
                .invoice(&event.order_id)
                .ok_or_else(|| KassaError::not_found("invoice", &event.order_id))?;
            let n = inv.attempts.last().map(|a| a.number).unwrap_or(1);
            let outcome = match &event.kind {
                GatewayEventKind::Captured { .. } | GatewayEventKind::Authorized { .. } => {
                    Some(Settle::Approved(event.gateway_ref.clone()))
                }
                GatewayEventKind::Failed { code, .. } => Some(Settle::Declined(code.clone())),
                _ => None,
            };
            let events = match outcome {
                Some(o) => self.settle(sub, &event.order_id, n, &o, &actor.id, now)?,
                None => Vec::new(),
            };
            sub.applied_event_ids.push(event.event_id.clone());
            Ok((true, events))
        })
        .await
    }

    /// The renewal run: everything due at `at` for every subscription (trial ends, period
    /// renewals, cancel-at-period-end, term ends, dunning retries, pending charges). Safe to
    /// repeat and to run concurrently: no period is billed twice, no attempt charged twice.
    pub async fn run_renewals(
        &self,
        actor: &Principal,
        at: DateTime<Utc>,
    ) -> Result<RenewalReport> {
        Self::require_privileged(actor)?;
        let ids = self
            .billing
            .subscriptions
            .due(at, self.config.renewal_batch)
            .await?;
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            let mut steps = Vec::new();
            let result = self.renew_one(&actor.id, &id, at, &mut steps).await;
            let (status, error) = match result {
                Ok(s) => (Some(s), None),
                Err(e) => (None, Some(format!("{}: {}", e.code.as_str(), e.message))),
            };
            items.push(RenewalItem {
                subscription_id: id,
                steps,
                status,
                error,
            });
        }
        Ok(RenewalReport { at, items })
    }

    async fn renew_one(
        &self,
        actor: &str,
        id: &str,
        at: DateTime<Utc>,
        steps: &mut Vec<String>,
    ) -> Result<SubscriptionStatus> {
        let tax = self.tax_setup().await?;
        // Bounded catch-up: a run after a long outage bills each missed period in turn (two
        // steps each: claim, charge).
        for _ in 0..MAX_RUN_STEPS {
            let sub = self
                .billing
                .subscriptions
                .get(id)
                .await?
                .ok_or_else(|| KassaError::not_found("subscription", id))?;
            // 1. A claimed but uncharged invoice (a crash or a concurrent run's claim).
            let pending = sub
                .invoices
                .iter()
                .find(|i| i.status == InvoiceStatus::Open && i.attempts.is_empty())
                .map(|i| i.id.clone());
            if let Some(inv) = pending {
                let (_, label) = self.attempt(&sub, &inv, 1, actor, at).await?;
                steps.push(format!("{label} {inv}"));
                continue;
            }
            match sub.status {
                SubscriptionStatus::PastDue => {
                    let Some(d) = sub.dunning.clone().filter(|d| d.next_attempt_at <= at) else {
                        return Ok(sub.status);
                    };
                    let n = d.attempts_made + 1;
                    let (_, label) = self.attempt(&sub, &d.invoice_id, n, actor, at).await?;
                    steps.push(format!("retry {} of {}: {label}", n - 1, d.invoice_id));
                }
                SubscriptionStatus::Trialing | SubscriptionStatus::Active => {
                    let boundary = match sub.status {
                        SubscriptionStatus::Trialing => {
                            sub.trial_end.unwrap_or(sub.current_period.end)
                        }
                        _ => sub.current_period.end,
                    };
                    if boundary > at {
                        return Ok(sub.status);
                    }
                    // An unknown outcome is waiting for the gateway's event.
                    if sub.invoices.iter().any(|i| i.status == InvoiceStatus::Open) {
                        steps.push("awaiting gateway event".to_owned());
                        return Ok(sub.status);
                    }
                    let step = self.close_period(actor, id, boundary, at, &tax).await?;
                    steps.push(step);
                }
                _ => return Ok(sub.status),
            }
        }
        Err(KassaError::conflict(format!(
            "subscription '{id}' needs more than {MAX_RUN_STEPS} steps; run again"
        )))
    }

    /// At a period (or trial) boundary: cancel, expire, or claim the next period by writing
    /// its open invoice.
    async fn close_period(
        &self,
        actor: &str,
        id: &str,
        boundary: DateTime<Utc>,
        at: DateTime<Utc>,
        tax: &(
            Vec<crate::pricing::TaxRule>,
            crate::pricing::RoundingSettings,
        ),
    ) -> Result<String> {
        let (_, step) = self
            .mutate(id, |sub| {
                let trial = sub.status == SubscriptionStatus::Trialing;
                let current_end = if trial {
                    sub.trial_end.unwrap_or(sub.current_period.end)
                } else {
                    sub.current_period.end
                };
                if current_end != boundary {
                    // Someone else moved it meanwhile: nothing to do in this step.
                    return Ok(("already handled".to_owned(), Vec::new()));
                }
                if sub.cancel_at_period_end {
                    sub.apply(
                        Action::CancelAtPeriodEnd,
                        actor,
                        boundary,
                        "cancelled at period end",
                    )?;
                    return Ok((
                        "cancelled at period end".to_owned(),
                        vec![Self::event(sub, "subscription_status_changed", None)],
                    ));
                }
                if trial && sub.payment_token.is_empty() {
                    sub.apply(
                        Action::ExpireTrial,
                        actor,
                        boundary,
                        "trial ended without a payment method",
                    )?;
                    return Ok((
                        "trial expired".to_owned(),
                        vec![Self::event(sub, "subscription_status_changed", None)],
                    ));
                }
                if !trial && sub.term_periods.is_some_and(|t| sub.periods_billed >= t) {
                    sub.apply(Action::EndTerm, actor, boundary, "term ended")?;
                    return Ok((
                        "term ended".to_owned(),
                        vec![Self::event(sub, "subscription_status_changed", None)],
                    ));
                }
                let (kind, next) = if trial {
                    (InvoiceKind::Initial, sub.schedule.period(0)?)
                } else {
                    let n = sub
                        .current_period
                        .index
                        .checked_add(1)
                        .ok_or_else(|| KassaError::validation("period", "too many periods"))?;
                    (InvoiceKind::Renewal, sub.schedule.period(n)?)
                };
                if sub.period_billed(next.start) {
                    return Ok(("already billed".to_owned(), Vec::new()));
                }
                let inv = Self::issue_period_invoice(sub, kind, next, at, tax)?;
                sub.current_period = next;
                let mut events = Vec::new();
                if sub
                    .invoice(&inv)
                    .is_some_and(|i| i.status == InvoiceStatus::Paid)
                {
                    // Nothing due (credit or a 100 % coupon): settled at once.
                    if trial {
                        sub.trial_end = None;
                        sub.apply(Action::ConvertTrial, actor, at, "trial ended, nothing due")?;
                    } else {
                        sub.apply(Action::Renew, actor, at, "renewed, nothing due")?;
                    }
                    events.push(Self::event(sub, "invoice_paid", sub.invoice(&inv)));
                }
                Ok((format!("billed {inv}"), events))
            })
            .await?;
        Ok(step)
    }
}

/// Steps one renewal run takes for one subscription at most.
const MAX_RUN_STEPS: usize = 4096;

fn display_name(plan: &Plan) -> String {
    if plan.name.trim().is_empty() {
        plan.id.clone()
    } else {
        plan.name.clone()
    }
}
