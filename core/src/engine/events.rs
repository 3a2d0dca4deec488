//! Gateway webhooks: settle unknown outcomes, record captures and refunds, once.

use super::{Engine, Principal};
use crate::error::{ErrorCode, KassaError, Result};
use crate::notify::{OrderEvent, OrderSummary};
use crate::order::{Order, OrderStatus, PaymentStatus, Stamp};
use crate::payment::{EventEffect, GatewayEvent};
use crate::ports::GatewayOutcome;

/// Status-change events for every history entry from `start` on.
pub(super) fn status_events(o: &Order, start: usize) -> Vec<OrderEvent> {
    o.history
        .iter()
        .enumerate()
        .skip(start)
        .map(|(i, h)| OrderEvent::OrderStatusChanged {
            order: OrderSummary::of(o),
            machine: h.machine,
            from: h.from.to_string(),
            to: h.to.to_string(),
            actor: h.actor.clone(),
            reason: h.reason.clone(),
            sequence: i,
        })
        .collect()
}

/// What to do after an event changed a pending order's payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FollowUp {
    None,
    Confirmed,
    Failed,
}

impl Engine {
    /// Applies a webhook-style gateway event to its order, at most once (de-duplicated by
    /// event id, safe out of order; see [`crate::payment::Payment::apply_event`]).
    ///
    /// When the event settles a pending checkout: success commits the stock, confirms the
    /// order, clears the cart and emits `order_placed`; failure cancels the order, releases
    /// the stock, gives coupons back and emits `payment_failed`. Other payment changes emit
    /// `order_status_changed`.
    pub async fn apply_gateway_event(
        &self,
        actor: &Principal,
        event: GatewayEvent,
    ) -> Result<EventEffect> {
        self.authorize_all(actor, "payments", "update")?;
        let now = self.now();
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut order = self.load_order(&event.order_id).await?;
            let start = order.history.len();
            let was_pending = order.status == OrderStatus::Pending;
            let stamp = Stamp::new(&actor.id, now, "gateway event");
            let effect = order.with_payment(now, |p, h| p.apply_event(&event, h, stamp))?;
            let mut follow = FollowUp::None;
            let mut events = Vec::new();
            if effect == EventEffect::Applied && was_pending {
                match order.payment.status {
                    PaymentStatus::Authorized
                    | PaymentStatus::PartiallyCaptured
                    | PaymentStatus::Captured => {
                        let reservation = order.reservation_id.clone().unwrap_or_default();
                        if let Err(e) = self.ports.inventory.commit(&reservation, now).await {
                            // The money came too late for the stock: the compensation (refund,
                            // cancel) is the event's handling, so the webhook is answered as applied.
                            return match self
                                .compensate_paid(actor, &order.id, event.gateway_ref.clone(), e)
                                .await
                            {
                                Err(e)
                                    if e.code == ErrorCode::Conflict
                                        && e.meta.contains_key("orderId") =>
                                {
                                    Ok(EventEffect::Applied)
                                }
                                other => other.map(|_| EventEffect::Applied),
                            };
                        }
                        order.confirm(stamp.because("order placed"))?;
                        events.push(OrderEvent::OrderPlaced {
                            order: OrderSummary::of(&order),
                        });
                        follow = FollowUp::Confirmed;
                    }
                    PaymentStatus::Failed => {
                        order.cancel(stamp.because("payment failed"))?;
                        let (code, message) = match &event.kind {
                            crate::payment::GatewayEventKind::Failed { code, message } => {
                                (code.clone(), message.clone())
                            }
                            _ => (String::from("failed"), String::from("payment failed")),
                        };
                        events.push(OrderEvent::PaymentFailed {
                            order: OrderSummary::of(&order),
                            attempt: order.payment.attempts.last().map_or(0, |a| a.number),
                            code,
                            message,
                        });
                        follow = FollowUp::Failed;
                    }
                    _ => events = status_events(&order, start),
                }
            } else if effect == EventEffect::Applied {
                events = status_events(&order, start);
            }
            let (order_id, cart_id) = (order.id.clone(), order.cart_id.clone());
            let (reservation, coupons) = (order.reservation_id.clone(), order.coupon_codes.clone());
            match self.save_order_with_events(order, &events).await {
                Ok(_) => {
                    match follow {
                        FollowUp::Confirmed => {
                            if let Some(cart_id) = cart_id {
                                self.clear_settled_cart(&cart_id).await?;
                            }
                        }
                        FollowUp::Failed => {
                            if let Some(r) = reservation {
                                self.ports.inventory.release(&r).await?;
                            }
                            self.undo_coupons(&coupons, &order_id).await?;
                        }
                        FollowUp::None => {}
                    }
                    return Ok(effect);
                }
                Err(e) if e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion") => {
                    continue
                }
                Err(e) => return Err(e),
            }
        }
        Err(KassaError::conflict(
            "the order is being changed by others; redeliver the event",
        ))
    }

    /// After an asynchronous success the cart's version is unknown: empty it as it is now.
    async fn clear_settled_cart(&self, cart_id: &str) -> Result<()> {
        if let Some(stored) = self.ports.carts.get(cart_id).await? {
            self.clear_cart(cart_id, stored.version).await?;
        }
        Ok(())
    }

    /// Captures `amount` (default: everything still capturable) of an authorized payment.
    pub async fn capture_payment(
        &self,
        actor: &Principal,
        order_id: &str,
        amount: Option<crate::money::Money>,
    ) -> Result<Order> {
        self.authorize_all(actor, "payments", "capture")?;
        let order = self.load_order(order_id).await?;
        let amount = match amount {
            Some(a) => a,
            None => order.payment.capturable()?,
        };
        order.payment.check_capture(&amount)?;
        let gref =
            order.payment.gateway_ref.clone().ok_or_else(|| {
                KassaError::conflict("the payment has no gateway charge to capture")
            })?;
        let key = format!(
            "{order_id}:capture:{}",
            order.payment.captured.amount_string()
        );
        let resp = self.ports.gateway.capture(&key, &gref, amount).await?;
        match resp.outcome {
            GatewayOutcome::Approved => {}
            GatewayOutcome::Declined { code, message } => {
                return Err(KassaError::new(
                    ErrorCode::PaymentDeclined,
                    format!("capture declined: {message}"),
                )
                .with_meta("declineCode", code))
            }
            GatewayOutcome::Unknown => {
                return Err(KassaError::unavailable(
                    "capture outcome unknown; retry the same request",
                    5,
                ))
            }
        }
        let now = self.now();
        let captured_before = order.payment.captured;
        self.mutate_order(order_id, |o| {
            // The gateway capture above is keyed by the amount captured before it: a capture
            // recorded meanwhile means this one may not be recorded again.
            if o.payment.captured != captured_before {
                return Err(KassaError::conflict(
                    "the payment was captured meanwhile; reload it and retry",
                ));
            }
            let start = o.history.len();
            o.with_payment(now, |p, h| {
                p.capture(amount, h, Stamp::new(&actor.id, now, "payment captured"))
            })?;
            Ok(status_events(o, start))
        })
        .await
    }
}
