//! Webhook-style payment events from the gateway, applied once and safe out of order.

use super::intent::{AttemptOutcome, Payment};
use crate::error::{KassaError, Result};
use crate::money::Money;
use crate::order::{HistoryEntry, PaymentStatus, Stamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the gateway reports. Amounts are cumulative (Stripe's `amount_captured`,
/// `amount_refunded`), which is what makes out-of-order delivery safe: an older event never
/// lowers a total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum GatewayEventKind {
    /// The charge was authorized for `amount`.
    Authorized {
        /// Authorized amount.
        amount: Money,
    },
    /// The charge has `total_captured` captured in all.
    Captured {
        /// Cumulative captured amount.
        #[serde(rename = "totalCaptured")]
        total_captured: Money,
    },
    /// The charge has `total_refunded` refunded in all.
    Refunded {
        /// Cumulative refunded amount.
        #[serde(rename = "totalRefunded")]
        total_refunded: Money,
    },
    /// The charge failed definitively.
    Failed {
        /// Gateway reason code.
        code: String,
        /// Human-readable reason.
        message: String,
    },
    /// The authorization was released.
    Voided,
}

/// A webhook-style event from the payment gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct GatewayEvent {
    /// The gateway's unique event id (the de-duplication key).
    pub event_id: String,
    /// The order the charge belongs to (the merchant reference sent with the charge).
    pub order_id: String,
    /// The gateway's charge reference, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ref: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub kind: GatewayEventKind,
    /// When it happened at the gateway.
    pub occurred_at: DateTime<Utc>,
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum EventEffect {
    /// The payment changed.
    Applied,
    /// This event id was applied before: nothing changed.
    Duplicate,
    /// The event reports a state the payment is already past: recorded, nothing changed.
    Stale,
}

impl Payment {
    /// Applies a gateway event at most once.
    ///
    /// A repeated event id is [`EventEffect::Duplicate`]; an event the payment is already past
    /// is [`EventEffect::Stale`] (its id is recorded so it stays a no-op). An event that cannot
    /// be applied *yet* (a refund total above what is known to be captured: the capture event
    /// is still on its way) is a `CONFLICT` and is not recorded, so the gateway's redelivery
    /// applies it later.
    pub fn apply_event(
        &mut self,
        event: &GatewayEvent,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<EventEffect> {
        if event.event_id.trim().is_empty() {
            return Err(KassaError::validation("eventId", "must not be empty"));
        }
        if self.applied_events.contains(&event.event_id) {
            return Ok(EventEffect::Duplicate);
        }
        let effect = self.apply_kind(event, history, stamp)?;
        self.applied_events.insert(event.event_id.clone());
        Ok(effect)
    }

    fn settle_attempt(&mut self, outcome: AttemptOutcome) {
        if let Some(last) = self.attempts.last_mut() {
            if matches!(
                last.outcome,
                AttemptOutcome::InFlight | AttemptOutcome::Unknown
            ) {
                last.outcome = outcome;
            }
        }
    }

    fn apply_kind(
        &mut self,
        event: &GatewayEvent,
        history: &mut Vec<HistoryEntry>,
        stamp: Stamp<'_>,
    ) -> Result<EventEffect> {
        let gateway_ref = event.gateway_ref.clone();
        match &event.kind {
            GatewayEventKind::Authorized { amount } => {
                if self.status != PaymentStatus::Pending {
                    return Ok(EventEffect::Stale);
                }
                self.authorize(*amount, gateway_ref, history, stamp)?;
                self.settle_attempt(AttemptOutcome::Approved);
                Ok(EventEffect::Applied)
            }
            GatewayEventKind::Captured { total_captured } => {
                if total_captured.currency() != self.amount.currency() {
                    return Err(KassaError::validation("totalCaptured", "currency mismatch"));
                }
                match self.status {
                    PaymentStatus::Pending => {
                        // The authorization event may still be on its way: a capture implies it.
                        self.authorize_and_capture(*total_captured, gateway_ref, history, stamp)?;
                        self.settle_attempt(AttemptOutcome::Approved);
                        Ok(EventEffect::Applied)
                    }
                    PaymentStatus::Authorized | PaymentStatus::PartiallyCaptured
                        if total_captured.amount() > self.captured.amount() =>
                    {
                        let delta = total_captured.checked_sub(&self.captured)?;
                        self.capture(delta, history, stamp)?;
                        Ok(EventEffect::Applied)
                    }
                    _ => Ok(EventEffect::Stale),
                }
            }
            GatewayEventKind::Refunded { total_refunded } => {
                if total_refunded.currency() != self.amount.currency() {
                    return Err(KassaError::validation("totalRefunded", "currency mismatch"));
                }
                if total_refunded.amount() <= self.refunded.amount() {
                    return Ok(EventEffect::Stale);
                }
                if total_refunded.amount() > self.captured.amount() {
                    return Err(KassaError::conflict(
                        "refund total exceeds the captured amount known so far; redeliver later",
                    )
                    .with_meta("captured", self.captured.amount_string()));
                }
                let delta = total_refunded.checked_sub(&self.refunded)?;
                self.refund(delta, history, stamp)?;
                Ok(EventEffect::Applied)
            }
            GatewayEventKind::Failed { code, message } => {
                if self.status != PaymentStatus::Pending {
                    return Ok(EventEffect::Stale);
                }
                self.fail(history, stamp)?;
                self.settle_attempt(AttemptOutcome::Declined {
                    code: code.clone(),
                    message: message.clone(),
                });
                Ok(EventEffect::Applied)
            }
            GatewayEventKind::Voided => {
                if matches!(
                    self.status,
                    PaymentStatus::Pending | PaymentStatus::Authorized
                ) && self.captured.is_zero()
                {
                    self.void(history, stamp)?;
                    Ok(EventEffect::Applied)
                } else {
                    Ok(EventEffect::Stale)
                }
            }
        }
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

    fn ev(id: &str, kind: GatewayEventKind) -> GatewayEvent {
        GatewayEvent {
            event_id: id.into(),
            order_id: "order_1".into(),
            gateway_ref: Some("ch_1".into()),
            kind,
            occurred_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn stamp() -> Stamp<'static> {
        Stamp::new(
            "gateway",
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            "event",
        )
    }

    #[test]
    fn duplicate_event_applies_once() {
        let mut p = Payment::new(usd(500));
        let mut h = Vec::new();
        let e = ev(
            "evt_1",
            GatewayEventKind::Captured {
                total_captured: usd(500),
            },
        );
        assert_eq!(
            p.apply_event(&e, &mut h, stamp()).unwrap(),
            EventEffect::Applied
        );
        assert_eq!(
            p.apply_event(&e, &mut h, stamp()).unwrap(),
            EventEffect::Duplicate
        );
        assert_eq!(p.captured, usd(500));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn out_of_order_events_converge() {
        let events = [
            ev("e1", GatewayEventKind::Authorized { amount: usd(500) }),
            ev(
                "e2",
                GatewayEventKind::Captured {
                    total_captured: usd(500),
                },
            ),
            ev(
                "e3",
                GatewayEventKind::Refunded {
                    total_refunded: usd(100),
                },
            ),
            ev(
                "e4",
                GatewayEventKind::Refunded {
                    total_refunded: usd(250),
                },
            ),
        ];
        let orders: [[usize; 4]; 4] = [[0, 1, 2, 3], [1, 0, 3, 2], [1, 3, 2, 0], [3, 2, 1, 0]];
        for order in orders {
            let mut p = Payment::new(usd(500));
            let mut h = Vec::new();
            let mut pending: Vec<usize> = order.to_vec();
            // Redeliver what could not be applied yet, as a gateway does.
            for _round in 0..4 {
                pending.retain(|&i| p.apply_event(&events[i], &mut h, stamp()).is_err());
            }
            assert!(pending.is_empty(), "{order:?}");
            assert_eq!(p.captured, usd(500), "{order:?}");
            assert_eq!(p.refunded, usd(250), "{order:?}");
            assert_eq!(p.status, PaymentStatus::PartiallyRefunded, "{order:?}");
        }
    }

    #[test]
    fn failure_after_capture_is_stale() {
        let mut p = Payment::new(usd(500));
        let mut h = Vec::new();
        p.apply_event(
            &ev(
                "a",
                GatewayEventKind::Captured {
                    total_captured: usd(500),
                },
            ),
            &mut h,
            stamp(),
        )
        .unwrap();
        let eff = p
            .apply_event(
                &ev(
                    "b",
                    GatewayEventKind::Failed {
                        code: "x".into(),
                        message: "y".into(),
                    },
                ),
                &mut h,
                stamp(),
            )
            .unwrap();
        assert_eq!(eff, EventEffect::Stale);
        assert_eq!(p.status, PaymentStatus::Captured);
    }
}
