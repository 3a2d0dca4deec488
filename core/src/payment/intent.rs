//! The payment of one order: amounts, status and attempts.

use crate::error::{KassaError, Result};
use crate::money::Money;
use crate::order::{transition, GuardFacts, HistoryEntry, PaymentStatus, Stamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The gateway idempotency key of one operation of one attempt of one order:
/// `"<orderId>:<attempt>:<operation>"`, e.g. `"order_7:1:authorize"`. Retrying the same
/// operation of the same attempt reuses the key, so the gateway never charges twice.
pub fn attempt_key(order_id: &str, attempt: u32, operation: &str) -> String {
    let mut key = crate::text::with_number(&[order_id, ":"], u64::from(attempt), 0);
    key.push(':');
    key.push_str(operation);
    key
}

/// What became of one payment attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum AttemptOutcome {
    /// Sent, no answer recorded yet.
    InFlight,
    /// Approved by the gateway.
    Approved,
    /// Declined or failed with a definite answer: no money moved.
    Declined {
        /// Gateway reason code (e.g. `"card_declined"`, `"insufficient_funds"`).
        code: String,
        /// Human-readable reason.
        message: String,
    },
    /// The gateway's answer is unknown (timeout): a gateway event settles it later.
    Unknown,
}

/// One try to pay an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAttempt {
    /// 1-based attempt number within the order.
    pub number: u32,
    /// Gateway idempotency key of the attempt's authorization ([`attempt_key`]).
    pub idempotency_key: String,
    /// Payment method token (e.g. a sandbox test card token).
    pub payment_token: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// What became of it.
    pub outcome: AttemptOutcome,
}

/// The payment of one order (its payment intent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Status (see the payment transition table).
    pub status: PaymentStatus,
    /// Amount the order asks for.
    pub amount: Money,
    /// Amount authorized by the gateway.
    pub authorized: Money,
    /// Amount captured (never above `authorized`).
    pub captured: Money,
    /// Amount refunded (never above `captured`).
    pub refunded: Money,
    /// The gateway's reference of the charge, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ref: Option<String>,
    /// Attempts, oldest first.
    #[serde(default)]
    pub attempts: Vec<PaymentAttempt>,
    /// Ids of gateway events already applied (or recognised as stale).
    #[serde(default)]
    pub applied_events: BTreeSet<String>,
}

fn amount_error(field: &str, message: String) -> KassaError {
    KassaError::validation(field, message)
}

impl Payment {
    /// A pending payment for `amount`.
    pub fn new(amount: Money) -> Payment {
        let zero = Money::zero(amount.currency());
        Payment {
            status: PaymentStatus::Pending,
            amount,
            authorized: zero,
            captured: zero,
            refunded: zero,
            gateway_ref: None,
            attempts: Vec::new(),
            applied_events: BTreeSet::new(),
        }
    }

    /// Captured minus refunded: what the customer has paid, net.
    pub fn net_paid(&self) -> Result<Money> {
        self.captured.checked_sub(&self.refunded)
    }

    /// Captured minus refunded: the most a refund may still be.
    pub fn refundable(&self) -> Result<Money> {
        self.net_paid()
    }

    /// Authorized minus captured: the most a capture may still be.
    pub fn capturable(&self) -> Result<Money> {
        self.authorized.checked_sub(&self.captured)
    }

    /// The guard facts of a payment with these amounts.
    pub fn facts_with(
        &self,
        authorized: &Money,
        captured: &Money,
        refunded: &Money,
    ) -> Result<GuardFacts> {
        Ok(GuardFacts {
            payment: self.status,
            authorized: authorized.to_minor()?,
            captured: captured.to_minor()?,
            refunded: refunded.to_minor()?,
            ..GuardFacts::default()
        })
    }

    /// The last attempt, if any.
    pub fn last_attempt(&self) -> Option<&PaymentAttempt> {
        self.attempts.last()
    }

    /// Starts a new attempt (status must be `pending` and no attempt may be in flight or of
    /// unknown outcome, so an order is never charged by two attempts at once).
    pub fn begin_attempt(
        &mut self,
        order_id: &str,
        payment_token: &str,
        at: DateTime<Utc>,
    ) -> Result<PaymentAttempt> {
        if payment_token.trim().is_empty() {
            return Err(KassaError::validation("paymentToken", "must not be empty"));
        }
        if self.status != PaymentStatus::Pending {
            return Err(KassaError::conflict(format!(
                "payment is '{}'; a new attempt needs 'pending'",
                self.status
            ))
            .with_meta("current", self.status.to_string()));
        }
        if let Some(last) = self.attempts.last() {
            if matches!(
                last.outcome,
                AttemptOutcome::InFlight | AttemptOutcome::Unknown
            ) {
                return Err(KassaError::conflict(
                    "the previous payment attempt has not settled yet",
                )
                .with_meta("attempt", last.number));
            }
        }
        let number = u32::try_from(self.attempts.len())
            .ok()
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| KassaError::conflict("too many payment attempts"))?;
        let attempt = PaymentAttempt {
            number,
            idempotency_key: attempt_key(order_id, number, "authorize"),
            payment_token: payment_token.to_owned(),
            started_at: at,
            outcome: AttemptOutcome::InFlight,
        };
        self.attempts.push(attempt.clone());
        Ok(attempt)
    }

    /// Records the outcome of attempt `number`.
    pub fn record_outcome(&mut self, number: u32, outcome: AttemptOutcome) -> Result<()> {
        let attempt = self
            .attempts
            .iter_mut()
            .find(|a| a.number == number)
            .ok_or_else(|| KassaError::not_found("payment attempt", number))?;
        attempt.outcome = outcome;
        Ok(())
    }

    fn check_amount(&self, field: &str, amount: &Money) -> Result<()> {
        if amount.currency() != self.amount.currency() {
            return Err(KassaError::validation(
                field,
                format!(
                    "currency {} does not match the payment's {}",
                    amount.currency(),
                    self.amount.currency()
                ),
            ));
        }
        if !amount.is_positive() {
            return Err(amount_error(field, "must be greater than zero".into()));
        }
        if !amount.is_rounded() {
            return Err(amount_error(
                field,
                format!("{amount} has more decimals than the currency allows"),
            ));
        }
        Ok(())
    }

    /// The gateway authorized `amount` (pending → authorized).
    pub fn authorize(
        &mut self,
        amount: Money,
        gateway_ref: Option<String>,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        self.check_amount("amount", &amount)?;
        let facts = self.facts_with(&amount, &self.captured, &self.refunded)?;
        transition(
            &mut self.status,
            PaymentStatus::Authorized,
            &facts,
            history,
            stamp,
        )?;
        self.authorized = amount;
        if gateway_ref.is_some() {
            self.gateway_ref = gateway_ref;
        }
        Ok(())
    }

    /// The gateway authorized and captured `amount` at once (pending → captured).
    pub fn authorize_and_capture(
        &mut self,
        amount: Money,
        gateway_ref: Option<String>,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        self.check_amount("amount", &amount)?;
        let facts = self.facts_with(&amount, &amount, &self.refunded)?;
        transition(
            &mut self.status,
            PaymentStatus::Captured,
            &facts,
            history,
            stamp,
        )?;
        self.authorized = amount;
        self.captured = amount;
        if gateway_ref.is_some() {
            self.gateway_ref = gateway_ref;
        }
        Ok(())
    }

    /// Checks that `amount` may be captured now (positive, within authorized − captured).
    pub fn check_capture(&self, amount: &Money) -> Result<Money> {
        self.check_amount("amount", amount)?;
        let captured = self.captured.checked_add(amount)?;
        if captured.amount() > self.authorized.amount() {
            return Err(KassaError::validation(
                "amount",
                format!(
                    "capture of {amount} exceeds the capturable {}",
                    self.capturable()?
                ),
            )
            .with_meta("capturable", self.capturable()?.amount_string()));
        }
        Ok(captured)
    }

    /// Captures `amount` of the authorization (→ partially captured or captured).
    pub fn capture(
        &mut self,
        amount: Money,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        let captured = self.check_capture(&amount)?;
        let facts = self.facts_with(&self.authorized, &captured, &self.refunded)?;
        let to = if captured == self.authorized {
            PaymentStatus::Captured
        } else {
            PaymentStatus::PartiallyCaptured
        };
        transition(&mut self.status, to, &facts, history, stamp)?;
        self.captured = captured;
        Ok(())
    }

    /// Releases the authorization without capture (pending/authorized → voided).
    pub fn void(&mut self, history: &mut Vec<HistoryEntry>, stamp: Stamp<'_>) -> Result<()> {
        self.move_without_money(PaymentStatus::Voided, history, stamp)
    }

    /// The payment failed with a definite answer (pending → failed).
    pub fn fail(&mut self, history: &mut Vec<HistoryEntry>, stamp: Stamp<'_>) -> Result<()> {
        self.move_without_money(PaymentStatus::Failed, history, stamp)
    }

    /// A transition that moves no money: guarded against the current amounts.
    fn move_without_money(
        &mut self,
        to: PaymentStatus,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        let facts = self.facts_with(&self.authorized, &self.captured, &self.refunded)?;
        transition(&mut self.status, to, &facts, history, stamp)
    }

    /// Checks that `amount` may be refunded now (positive, within captured − refunded) and
    /// returns the refunded total after it.
    pub fn check_refund(&self, amount: &Money) -> Result<Money> {
        self.check_amount("amount", amount)?;
        let refunded = self.refunded.checked_add(amount)?;
        if refunded.amount() > self.captured.amount() {
            let refundable = self.refundable()?;
            return Err(KassaError::validation(
                "amount",
                format!("refund of {amount} exceeds the refundable {refundable}"),
            )
            .with_meta("refundable", refundable.amount_string()));
        }
        Ok(refunded)
    }

    /// Refunds `amount` of the captured money (→ partially refunded or refunded).
    pub fn refund(
        &mut self,
        amount: Money,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        let refunded = self.check_refund(&amount)?;
        let facts = self.facts_with(&self.authorized, &self.captured, &refunded)?;
        let to = if refunded == self.captured {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        transition(&mut self.status, to, &facts, history, stamp)?;
        self.refunded = refunded;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::TimeZone;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("USD").unwrap())
    }

    fn stamp() -> Stamp<'static> {
        Stamp::new(
            "tester",
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            "test",
        )
    }

    #[test]
    fn capture_never_exceeds_authorized() {
        let mut h = Vec::new();
        let mut p = Payment::new(usd(1000));
        p.authorize(usd(1000), Some("ch_1".into()), &mut h, stamp())
            .unwrap();
        p.capture(usd(400), &mut h, stamp()).unwrap();
        assert_eq!(p.status, PaymentStatus::PartiallyCaptured);
        let err = p.capture(usd(601), &mut h, stamp()).unwrap_err();
        assert_eq!(err.details[0].field, "amount");
        assert_eq!(p.captured, usd(400));
        p.capture(usd(600), &mut h, stamp()).unwrap();
        assert_eq!(p.status, PaymentStatus::Captured);
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn refunds_capped_at_captured_minus_refunded() {
        let mut h = Vec::new();
        let mut p = Payment::new(usd(1000));
        p.authorize_and_capture(usd(1000), None, &mut h, stamp())
            .unwrap();
        p.refund(usd(300), &mut h, stamp()).unwrap();
        assert_eq!(p.status, PaymentStatus::PartiallyRefunded);
        assert!(p.refund(usd(701), &mut h, stamp()).is_err());
        p.refund(usd(700), &mut h, stamp()).unwrap();
        assert_eq!(p.status, PaymentStatus::Refunded);
        let err = p.refund(usd(1), &mut h, stamp()).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::ValidationError);
        assert_eq!(p.net_paid().unwrap(), usd(0));
    }

    #[test]
    fn attempts_get_keys_and_do_not_overlap() {
        let mut p = Payment::new(usd(100));
        let t = stamp().at;
        let a = p.begin_attempt("order_1", "tok_approve", t).unwrap();
        assert_eq!(a.idempotency_key, "order_1:1:authorize");
        assert!(p.begin_attempt("order_1", "tok_approve", t).is_err());
        p.record_outcome(
            1,
            AttemptOutcome::Declined {
                code: "card_declined".into(),
                message: "no".into(),
            },
        )
        .unwrap();
        let b = p.begin_attempt("order_1", "tok_approve", t).unwrap();
        assert_eq!(b.number, 2);
        assert!(p.begin_attempt("order_1", " ", t).is_err());
    }

    #[test]
    fn void_only_without_capture_and_terminal_stays_terminal() {
        let mut h = Vec::new();
        let mut p = Payment::new(usd(100));
        p.authorize(usd(100), None, &mut h, stamp()).unwrap();
        p.capture(usd(10), &mut h, stamp()).unwrap();
        assert!(p.void(&mut h, stamp()).is_err());
        let mut q = Payment::new(usd(100));
        q.fail(&mut h, stamp()).unwrap();
        let err = q.authorize(usd(100), None, &mut h, stamp()).unwrap_err();
        assert_eq!(err.meta["current"], "failed");
        assert_eq!(err.meta["attempted"], "authorized");
    }
}
