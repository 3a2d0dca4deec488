//! Refunds: capped at captured minus refunded, attributable to lines.

use super::history::Stamp;
use super::model::Order;
use crate::error::{KassaError, Result};
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The share of a refund attributed to one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefundLine {
    /// The order line.
    pub line_id: String,
    /// Amount refunded against it.
    pub amount: Money,
}

/// A refund asked for: an amount and, optionally, how it splits over lines. Whatever the
/// lines do not cover is an order-level refund (shipping, goodwill).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    /// Total amount to refund.
    pub amount: Money,
    /// Line attribution (sum ≤ `amount`).
    #[serde(default)]
    pub lines: Vec<RefundLine>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A validated refund, ready to be sent to the gateway and then applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefundPlan {
    /// Total amount.
    pub amount: Money,
    /// Line attribution.
    pub lines: Vec<RefundLine>,
    /// Why.
    pub reason: String,
    /// The order version the plan was checked against.
    pub order_version: u64,
}

/// A refund that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// Refund id.
    pub id: String,
    /// Total amount.
    pub amount: Money,
    /// Line attribution.
    pub lines: Vec<RefundLine>,
    /// Why.
    pub reason: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The gateway's refund reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ref: Option<String>,
}

impl Order {
    /// Validates a refund request against the order: currency, positive amounts, known
    /// lines, per-line caps (line total minus refunded on it) and the order cap (captured
    /// minus refunded).
    pub fn plan_refund(&self, req: &RefundRequest) -> Result<RefundPlan> {
        if req.amount.currency() != self.currency {
            return Err(KassaError::validation(
                "amount.currency",
                format!(
                    "{} does not match the order currency {}",
                    req.amount.currency(),
                    self.currency
                ),
            ));
        }
        self.payment.check_refund(&req.amount)?;
        let mut attributed = Money::zero(self.currency);
        let mut per_line: Vec<(usize, Money)> = Vec::new();
        for (i, rl) in req.lines.iter().enumerate() {
            let field = format!("lines[{i}]");
            let pos = self
                .lines
                .iter()
                .position(|l| l.line_id == rl.line_id)
                .ok_or_else(|| {
                    KassaError::validation(
                        format!("{field}.lineId"),
                        format!("unknown line '{}'", rl.line_id),
                    )
                })?;
            if rl.amount.currency() != self.currency {
                return Err(KassaError::validation(
                    format!("{field}.amount"),
                    "currency mismatch",
                ));
            }
            if !rl.amount.is_positive() || !rl.amount.is_rounded() {
                return Err(KassaError::validation(
                    format!("{field}.amount"),
                    "must be a positive amount in minor units",
                ));
            }
            let slot = match per_line.iter_mut().find(|(p, _)| *p == pos) {
                Some((_, m)) => m,
                None => {
                    per_line.push((pos, Money::zero(self.currency)));
                    match per_line.last_mut() {
                        Some((_, m)) => m,
                        None => return Err(KassaError::internal("refund line bookkeeping")),
                    }
                }
            };
            *slot = slot.checked_add(&rl.amount)?;
            let line = self
                .lines
                .get(pos)
                .ok_or_else(|| KassaError::internal("line index"))?;
            let room = line.total.checked_sub(&line.refunded)?;
            if slot.amount() > room.amount() {
                return Err(KassaError::validation(
                    format!("{field}.amount"),
                    format!(
                        "line '{}' can be refunded at most {room} more",
                        line.line_id
                    ),
                )
                .with_meta("refundable", room.amount_string()));
            }
            attributed = attributed.checked_add(&rl.amount)?;
        }
        if attributed.amount() > req.amount.amount() {
            return Err(KassaError::validation(
                "lines",
                format!(
                    "line amounts add up to {attributed}, more than the refund {}",
                    req.amount
                ),
            ));
        }
        Ok(RefundPlan {
            amount: req.amount,
            lines: req.lines.clone(),
            reason: req.reason.clone(),
            order_version: self.version,
        })
    }

    /// Applies a planned refund after the gateway refunded it: payment status, line
    /// attribution and the refund record. Re-checks the caps.
    pub fn apply_refund(
        &mut self,
        plan: &RefundPlan,
        refund_id: String,
        gateway_ref: Option<String>,
        stamp: Stamp<'_>,
    ) -> Result<&Refund> {
        let req = RefundRequest {
            amount: plan.amount,
            lines: plan.lines.clone(),
            reason: plan.reason.clone(),
        };
        self.plan_refund(&req)?;
        self.payment.refund(plan.amount, &mut self.history, stamp)?;
        for rl in &plan.lines {
            if let Some(line) = Arc::make_mut(&mut self.lines)
                .iter_mut()
                .find(|l| l.line_id == rl.line_id)
            {
                line.refunded = line.refunded.checked_add(&rl.amount)?;
            }
        }
        self.refunds.push(Refund {
            id: refund_id,
            amount: plan.amount,
            lines: plan.lines.clone(),
            reason: plan.reason.clone(),
            actor: stamp.actor.to_owned(),
            at: stamp.at,
            gateway_ref,
        });
        self.updated_at = stamp.at;
        self.refunds
            .last()
            .ok_or_else(|| KassaError::internal("refund was not recorded"))
    }
}

#[cfg(test)]
mod tests {
    use crate::money::{Currency, Money};
    use crate::order::*;
    use chrono::{TimeZone, Utc};

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("USD").unwrap())
    }

    fn paid_order() -> Order {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let line = NewOrderLine {
            line_id: "a".into(),
            sku: "A".into(),
            product_id: "p".into(),
            name: "A".into(),
            variant: String::new(),
            quantity: 2,
            unit_price: usd(500),
            discount: usd(0),
            tax: usd(0),
            total: usd(1000),
        };
        let mut o = Order::create(
            NewOrder {
                id: "o".into(),
                number: "KS-1".into(),
                customer_id: "c".into(),
                cart_id: None,
                lines: vec![line],
                totals: OrderTotals {
                    subtotal: usd(1000),
                    discount: usd(0),
                    tax: usd(0),
                    shipping: usd(500),
                    total: usd(1500),
                },
                coupon_codes: vec![],
                reservation_id: None,
            },
            t,
        )
        .unwrap();
        let s = Stamp::new("sys", t, "paid");
        o.with_payment(t, |p, h| p.authorize_and_capture(usd(1500), None, h, s))
            .unwrap();
        o
    }

    #[test]
    fn line_caps_and_order_cap() {
        let mut o = paid_order();
        let s = Stamp::new("admin", o.created_at, "damaged");
        let over_line = RefundRequest {
            amount: usd(1100),
            lines: vec![RefundLine {
                line_id: "a".into(),
                amount: usd(1100),
            }],
            reason: "x".into(),
        };
        assert_eq!(
            o.plan_refund(&over_line).unwrap_err().details[0].field,
            "lines[0].amount"
        );
        let ok = RefundRequest {
            amount: usd(700),
            lines: vec![RefundLine {
                line_id: "a".into(),
                amount: usd(500),
            }],
            reason: "damaged".into(),
        };
        let plan = o.plan_refund(&ok).unwrap();
        o.apply_refund(&plan, "r1".into(), None, s).unwrap();
        assert_eq!(o.lines[0].refunded, usd(500));
        assert_eq!(o.payment.status, PaymentStatus::PartiallyRefunded);
        let too_much = RefundRequest {
            amount: usd(801),
            lines: vec![],
            reason: String::new(),
        };
        let err = o.plan_refund(&too_much).unwrap_err();
        assert_eq!(err.meta["refundable"], "8.00");
        let rest = RefundRequest {
            amount: usd(800),
            lines: vec![],
            reason: String::new(),
        };
        let plan = o.plan_refund(&rest).unwrap();
        o.apply_refund(&plan, "r2".into(), None, s).unwrap();
        assert_eq!(o.payment.status, PaymentStatus::Refunded);
        assert_eq!(o.refunds.len(), 2);
    }

    #[test]
    fn lines_may_not_exceed_amount() {
        let o = paid_order();
        let req = RefundRequest {
            amount: usd(100),
            lines: vec![RefundLine {
                line_id: "a".into(),
                amount: usd(200),
            }],
            reason: String::new(),
        };
        assert_eq!(o.plan_refund(&req).unwrap_err().details[0].field, "lines");
    }
}
