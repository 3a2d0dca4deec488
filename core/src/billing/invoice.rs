//! Invoices: line items, a coupon, tax through [`crate::pricing::price_cart`], a carried
//! credit balance, exact money.
//!
//! [`compute_invoice`] prices the charge lines (plan seats, metered usage, proration charges)
//! as one cart through the pricing module: the coupon becomes an order-level promotion, so
//! its discount is spread over the lines and tax is computed on the discounted amounts by the
//! same rules and rounding points as a checkout (`docs/pricing.md`). Credit lines (unused
//! time) are priced the same way as a second cart without the coupon and subtracted, so a
//! credit carries exactly the tax its charge carried. A negative total becomes credit for
//! later invoices; a positive total first uses up the credit balance.

use super::period::Period;
use super::BillingCoupon;
use crate::error::{KassaError, Result};
use crate::money::{Currency, Money};
use crate::pricing::{
    price_cart, Action as PromoAction, PricedCart, PricingContext, PricingInput, PricingLine,
    Promotion, RoundingSettings, Target, TaxRule,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Why an invoice was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// The first period at subscribe (or at trial end).
    Initial,
    /// A renewal for the next period.
    Renewal,
    /// A new period after a resume.
    Resume,
    /// A mid-period plan or quantity change.
    Proration,
}

impl InvoiceKind {
    /// Whether the invoice bills a whole period (the per-period key applies).
    pub const fn is_period(self) -> bool {
        !matches!(self, InvoiceKind::Proration)
    }
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Issued; payment pending or being retried.
    Open,
    /// Paid (or nothing was due).
    Paid,
    /// Cancelled before payment (e.g. the subscription was cancelled).
    Void,
    /// Dunning gave up.
    Uncollectible,
}

/// What a line bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Plan seats for a period.
    Plan,
    /// Metered usage of the ended period.
    Usage,
    /// Credit for unused time of the old plan (subtracted).
    ProrationCredit,
    /// Charge for the remaining time on the new plan.
    ProrationCharge,
}

impl LineKind {
    /// Whether the line is a credit.
    pub const fn is_credit(self) -> bool {
        matches!(self, LineKind::ProrationCredit)
    }
}

/// A line to invoice: always a positive unit amount; credits are subtracted by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct LineInput {
    /// What it bills.
    pub kind: LineKind,
    /// Text on the invoice.
    pub description: String,
    /// Units (seats; 1 for usage and proration lines).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Amount per unit (non-negative, in the invoice currency).
    pub unit_amount: Money,
    /// Whether the amount includes tax.
    #[serde(default)]
    pub tax_inclusive: bool,
    /// Tax class.
    #[serde(default = "standard")]
    pub tax_class: String,
    /// The service period the line covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

fn one() -> u32 {
    1
}

fn standard() -> String {
    "standard".to_owned()
}

/// Everything [`compute_invoice`] needs (the `billing.invoice` vector request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceInput {
    /// Currency.
    pub currency: Currency,
    /// Tax region.
    #[serde(default)]
    pub region: String,
    /// Lines.
    pub lines: Vec<LineInput>,
    /// Tax rules (as in pricing).
    #[serde(default)]
    pub tax_rules: Vec<TaxRule>,
    /// Coupon discounting the charge lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<BillingCoupon>,
    /// Credit available from earlier invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_balance: Option<Money>,
    /// Rounding points (as in pricing).
    #[serde(default)]
    pub rounding: RoundingSettings,
    /// The instant the invoice is issued.
    pub at: DateTime<Utc>,
}

/// One invoiced line; amounts of credit lines are negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLine {
    /// Line id within the invoice (`l1`, `l2`, ...).
    pub id: String,
    /// What it bills.
    pub kind: LineKind,
    /// Text.
    pub description: String,
    /// Units.
    pub quantity: u32,
    /// Amount per unit.
    pub unit_amount: Money,
    /// `quantity × unitAmount`, rounded at `line_subtotal` (negative for a credit).
    pub amount: Money,
    /// Coupon discount on the line.
    pub discount: Money,
    /// Tax of the line (negative for a credit).
    pub tax: Money,
    /// What the line adds to the invoice total.
    pub total: Money,
    /// Service period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

/// The computed lines and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceComputation {
    /// Lines, in input order.
    pub lines: Vec<InvoiceLine>,
    /// Σ line amounts.
    pub subtotal: Money,
    /// Σ line discounts.
    pub discount_total: Money,
    /// Σ line taxes.
    pub tax_total: Money,
    /// Σ line totals (may be negative).
    pub total: Money,
    /// Credit balance used by this invoice.
    pub credit_applied: Money,
    /// What is charged: `max(total − creditApplied, 0)`.
    pub amount_due: Money,
    /// Credit balance left afterwards (a negative total adds to it).
    pub credit_remaining: Money,
}

/// A payment attempt of an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAttempt {
    /// 1, 2, ...
    pub number: u32,
    /// The gateway idempotency key: `{invoiceId}:attempt-{number}`.
    pub idempotency_key: String,
    /// When.
    pub at: DateTime<Utc>,
    /// `approved`, `declined`, `unknown`.
    pub outcome: String,
    /// Decline code, when declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An invoice of a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    /// Id (`{subscriptionId}-inv-{n}`).
    pub id: String,
    /// Why it was issued.
    pub kind: InvoiceKind,
    /// The service period it belongs to.
    pub period: Period,
    /// Lines and totals.
    #[serde(flatten)]
    pub amounts: InvoiceComputation,
    /// Status.
    pub status: InvoiceStatus,
    /// Payment attempts.
    #[serde(default)]
    pub attempts: Vec<PaymentAttempt>,
    /// The gateway's charge reference once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ref: Option<String>,
    /// Issued at.
    pub issued_at: DateTime<Utc>,
    /// Paid at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
}

impl Invoice {
    /// The idempotency key of attempt `n`.
    pub fn attempt_key(&self, n: u32) -> String {
        format!("{}:attempt-{n}", self.id)
    }
}

fn priced(
    input: &InvoiceInput,
    lines: &[(usize, &LineInput)],
    coupon: bool,
) -> Result<Option<PricedCart>> {
    if lines.is_empty() {
        return Ok(None);
    }
    let promotions = match (&input.coupon, coupon) {
        (Some(c), true) => vec![c.promotion()?],
        _ => Vec::new(),
    };
    let cart = PricingInput {
        lines: lines
            .iter()
            .map(|(i, l)| PricingLine {
                line_id: Arc::from(format!("l{}", i + 1)),
                sku: format!("{:?}", l.kind),
                product_id: format!("{:?}", l.kind),
                category_ids: Vec::new(),
                quantity: l.quantity,
                unit_price: l.unit_amount,
                tax_inclusive: l.tax_inclusive,
                tax_class: l.tax_class.clone(),
                weight_grams: 0,
                compare_at: None,
            })
            .collect(),
        promotions,
        coupon_codes: Vec::new(),
        coupons: Vec::new(),
        tax_rules: input.tax_rules.clone(),
        shipping_rates: Vec::new(),
        shipping_method: None,
        context: PricingContext {
            region: input.region.clone(),
            currency: input.currency,
            customer_id: None,
            customer_groups: Vec::new(),
            first_order: false,
            now: input.at,
        },
        rounding: input.rounding,
        stacking: Default::default(),
    };
    price_cart(&cart).map(Some)
}

/// Computes an invoice's lines and totals (pure).
pub fn compute_invoice(input: &InvoiceInput) -> Result<InvoiceComputation> {
    let cur = input.currency;
    for (i, l) in input.lines.iter().enumerate() {
        if l.unit_amount.currency() != cur {
            return Err(KassaError::validation(
                format!("lines[{i}].unitAmount"),
                format!("must be in {}", cur.code()),
            ));
        }
        if l.unit_amount.is_negative() {
            return Err(KassaError::validation(
                format!("lines[{i}].unitAmount"),
                "must not be negative (credits are subtracted by their kind)",
            ));
        }
        if l.quantity == 0 {
            return Err(KassaError::validation(
                format!("lines[{i}].quantity"),
                "must be at least 1",
            ));
        }
    }
    let balance = input.credit_balance.unwrap_or(Money::zero(cur));
    if balance.currency() != cur || balance.is_negative() {
        return Err(KassaError::validation(
            "creditBalance",
            format!("must be a non-negative {} amount", cur.code()),
        ));
    }
    let charges: Vec<(usize, &LineInput)> = input
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.kind.is_credit())
        .collect();
    let credits: Vec<(usize, &LineInput)> = input
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind.is_credit())
        .collect();
    let charged = priced(input, &charges, true)?;
    let credited = priced(input, &credits, false)?;
    let zero = Money::zero(cur);
    let mut lines: Vec<Option<InvoiceLine>> = vec![None; input.lines.len()];
    for (cart, group, sign) in [(&charged, &charges, false), (&credited, &credits, true)] {
        let Some(cart) = cart else { continue };
        for ((i, l), p) in group.iter().zip(&cart.lines) {
            let s = |m: Money| if sign { m.neg() } else { m };
            let line = InvoiceLine {
                id: format!("l{}", i + 1),
                kind: l.kind,
                description: l.description.clone(),
                quantity: l.quantity,
                unit_amount: l.unit_amount,
                amount: s(p.subtotal()),
                discount: p.discount_total(),
                tax: s(p.tax()),
                total: s(p.total()),
                period: l.period,
            };
            if let Some(slot) = lines.get_mut(*i) {
                *slot = Some(line);
            }
        }
    }
    let lines: Vec<InvoiceLine> = lines.into_iter().flatten().collect();
    let subtotal = Money::sum(cur, lines.iter().map(|l| &l.amount))?;
    let discount_total = Money::sum(cur, lines.iter().map(|l| &l.discount))?;
    let tax_total = Money::sum(cur, lines.iter().map(|l| &l.tax))?;
    let total = Money::sum(cur, lines.iter().map(|l| &l.total))?;
    let (credit_applied, amount_due, credit_remaining) = if total.is_negative() {
        (zero, zero, balance.checked_add(&total.neg())?)
    } else {
        let applied = balance.min(&total)?;
        (
            applied,
            total.checked_sub(&applied)?,
            balance.checked_sub(&applied)?,
        )
    };
    Ok(InvoiceComputation {
        lines,
        subtotal,
        discount_total,
        tax_total,
        total,
        credit_applied,
        amount_due,
        credit_remaining,
    })
}

impl BillingCoupon {
    /// Checks the coupon: exactly one of `percentOff` (0 < p ≤ 100) and `amountOff` (> 0).
    pub fn validate(&self, currency: Currency) -> Result<()> {
        if self.code.trim().is_empty() {
            return Err(KassaError::validation("coupon.code", "must not be empty"));
        }
        match (&self.percent_off, &self.amount_off) {
            (Some(p), None)
                if *p > rust_decimal::Decimal::ZERO && *p <= rust_decimal::Decimal::ONE_HUNDRED =>
            {
                Ok(())
            }
            (None, Some(a)) if a.is_positive() && a.currency() == currency => Ok(()),
            _ => Err(KassaError::validation(
                "coupon",
                format!(
                    "needs exactly one of percentOff (0 < p ≤ 100) or a positive {} amountOff",
                    currency.code()
                ),
            )),
        }
    }

    /// The order-level promotion the coupon stands for in pricing.
    pub fn promotion(&self) -> Result<Promotion> {
        let action = match (&self.percent_off, &self.amount_off) {
            (Some(p), _) => PromoAction::PercentOff { percent: *p },
            (None, Some(a)) => PromoAction::AmountOff {
                amount: *a,
                per_unit: false,
            },
            (None, None) => {
                return Err(KassaError::validation(
                    "coupon",
                    "needs percentOff or amountOff",
                ))
            }
        };
        Ok(Promotion {
            id: Arc::from(format!("coupon:{}", self.code)),
            name: self.code.clone(),
            priority: 0,
            exclusive: false,
            stop_after: false,
            conditions: Default::default(),
            target: Target::Order,
            action,
        })
    }
}
