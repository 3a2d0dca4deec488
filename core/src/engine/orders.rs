//! Order flows: cancel, refund, status updates, the customer's own orders, admin history.

use super::events::status_events;
use super::{Engine, Principal};
use crate::error::{ErrorCode, KassaError, Result};
use crate::inventory::reservation::ReservationStatus;
use crate::notify::{OrderEvent, OrderSummary};
use crate::order::{
    LineQuantity, Order, OrderStatus, PaymentStatus, RefundRequest, Stamp, StateMachine,
};
use crate::page::{Page, PageRequest};
use crate::payment::AttemptOutcome;
use crate::ports::{GatewayOutcome, OrderFilter};
use serde::{Deserialize, Serialize};

/// An admin status update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum StatusUpdate {
    /// Ship units (all remaining when `lines` is absent).
    Ship {
        /// Lines and units.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lines: Option<Vec<LineQuantity>>,
    },
    /// Mark shipped units delivered (all when `lines` is absent).
    Deliver {
        /// Lines and units.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lines: Option<Vec<LineQuantity>>,
    },
    /// Record returned units (all delivered when `lines` is absent).
    Return {
        /// Lines and units.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lines: Option<Vec<LineQuantity>>,
    },
    /// Complete a fully delivered order.
    Complete,
}

fn gateway_failure(what: &str, outcome: GatewayOutcome) -> Option<KassaError> {
    match outcome {
        GatewayOutcome::Approved => None,
        GatewayOutcome::Declined { code, message } => Some(
            KassaError::new(
                ErrorCode::PaymentDeclined,
                format!("{what} declined: {message}"),
            )
            .with_meta("declineCode", code),
        ),
        GatewayOutcome::Unknown => Some(KassaError::unavailable(
            format!("{what} outcome unknown; retry the same request"),
            5,
        )),
    }
}

impl Engine {
    /// One order: its owner or an admin; anyone else gets `NOT_FOUND`.
    pub async fn get_order(&self, actor: &Principal, order_id: &str) -> Result<Order> {
        self.authorize_kind(actor, "orders", "read")?;
        let order = self.load_order(order_id).await?;
        self.authorize_owned(actor, "orders", "read", order_id, &order.customer_id)?;
        Ok(order)
    }

    /// The acting customer's own orders, newest first.
    pub async fn my_orders(&self, actor: &Principal, page: PageRequest) -> Result<Page<Order>> {
        self.authorize_kind(actor, "orders", "read")?;
        let filter = OrderFilter {
            customer_id: Some(actor.id.clone()),
            ..OrderFilter::default()
        };
        self.ports.orders.list(&filter, page).await
    }

    /// Admin order history: filters (status, payment status, customer, date range) and
    /// pagination, newest first.
    pub async fn order_history(
        &self,
        actor: &Principal,
        filter: &OrderFilter,
        page: PageRequest,
    ) -> Result<Page<Order>> {
        self.authorize_all(actor, "orders", "read")?;
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(KassaError::validation("from", "must not be after 'to'"));
            }
        }
        self.ports.orders.list(filter, page).await
    }

    /// Cancels an order that has not shipped (its owner or an admin): voids an
    /// authorization or refunds what was captured, releases or restocks its stock, gives its
    /// coupons back and emits `order_cancelled`. A payment whose outcome is still unknown
    /// cannot be cancelled yet (`CONFLICT`): the charge may yet succeed.
    pub async fn cancel_order(
        &self,
        actor: &Principal,
        order_id: &str,
        reason: &str,
    ) -> Result<Order> {
        self.authorize_kind(actor, "orders", "cancel")?;
        let order = self.load_order(order_id).await?;
        self.authorize_owned(actor, "orders", "cancel", order_id, &order.customer_id)?;
        OrderStatus::check(order.status, OrderStatus::Cancelled, &order.facts()?)?;
        let unsettled = order.payment.last_attempt().is_some_and(|a| {
            matches!(
                a.outcome,
                AttemptOutcome::InFlight | AttemptOutcome::Unknown
            )
        });
        if order.payment.status == PaymentStatus::Pending && unsettled {
            return Err(KassaError::conflict(
                "the payment outcome is not known yet; cancel once it settles",
            )
            .with_meta("current", "pending"));
        }
        let refundable = order.payment.refundable()?;
        let gref = order.payment.gateway_ref.clone();
        let mut refund_needed = false;
        match (order.payment.status, &gref) {
            (PaymentStatus::Authorized, Some(r)) => {
                let resp = self
                    .ports
                    .gateway
                    .void(&format!("{order_id}:cancel:void"), r)
                    .await?;
                if let Some(e) = gateway_failure("void", resp.outcome) {
                    return Err(e);
                }
            }
            (
                PaymentStatus::PartiallyCaptured
                | PaymentStatus::Captured
                | PaymentStatus::PartiallyRefunded,
                Some(r),
            ) if refundable.is_positive() => {
                let resp = self
                    .ports
                    .gateway
                    .refund(&format!("{order_id}:cancel:refund"), r, refundable)
                    .await?;
                if let Some(e) = gateway_failure("refund", resp.outcome) {
                    return Err(e);
                }
                refund_needed = true;
            }
            _ => {}
        }
        let now = self.now();
        let refund_id = self.ports.ids.next_id("refund");
        let reason = if reason.trim().is_empty() {
            "cancelled"
        } else {
            reason
        };
        let order = self
            .mutate_order(order_id, |o| {
                let stamp = Stamp::new(&actor.id, now, reason);
                let mut events = Vec::new();
                match o.payment.status {
                    PaymentStatus::Pending | PaymentStatus::Authorized => {
                        o.with_payment(now, |p, h| p.void(h, stamp))?;
                    }
                    _ if refund_needed => {
                        let amount = o.payment.refundable()?;
                        if amount.is_positive() {
                            let plan = o.plan_refund(&RefundRequest {
                                amount,
                                lines: vec![],
                                reason: reason.to_owned(),
                            })?;
                            o.apply_refund(&plan, refund_id.clone(), gref.clone(), stamp)?;
                            events.push(OrderEvent::RefundIssued {
                                order: OrderSummary::of(o),
                                refund_id: refund_id.clone(),
                                amount,
                            });
                        }
                    }
                    _ => {}
                }
                o.cancel(stamp)?;
                events.push(OrderEvent::OrderCancelled {
                    order: OrderSummary::of(o),
                    reason: reason.to_owned(),
                });
                Ok(events)
            })
            .await?;
        if let Some(rid) = &order.reservation_id {
            match self.ports.inventory.reservation(rid).await? {
                Some(r) if r.status == ReservationStatus::Active => {
                    self.ports.inventory.release(rid).await?;
                }
                Some(r) if r.status == ReservationStatus::Committed => {
                    self.ports.inventory.restock(rid).await?;
                }
                _ => {}
            }
        }
        self.undo_coupons(&order.coupon_codes, order_id).await?;
        Ok(order)
    }

    /// Refunds part or all of the captured money (admin), attributable to lines. Over the
    /// refundable amount, unknown lines, or currency mismatches are `VALIDATION_ERROR`s and
    /// change nothing. Emits `refund_issued`.
    pub async fn refund_order(
        &self,
        actor: &Principal,
        order_id: &str,
        req: RefundRequest,
    ) -> Result<Order> {
        self.authorize_all(actor, "refunds", "create")?;
        let order = self.load_order(order_id).await?;
        let plan = order.plan_refund(&req)?;
        let gref =
            order.payment.gateway_ref.clone().ok_or_else(|| {
                KassaError::conflict("the payment has no gateway charge to refund")
            })?;
        let number = order.refunds.len() + 1;
        let key = format!("{order_id}:refund:{number}");
        let resp = self.ports.gateway.refund(&key, &gref, plan.amount).await?;
        if let Some(e) = gateway_failure("refund", resp.outcome) {
            return Err(e);
        }
        let refund_id = self.ports.ids.next_id("refund");
        let now = self.now();
        self.mutate_order(order_id, |o| {
            // The gateway refund above is keyed by the refund's number: if another refund was
            // recorded meanwhile, this one must not be recorded twice under a new number.
            if o.refunds.len() + 1 != number {
                return Err(KassaError::conflict(
                    "the order was refunded meanwhile; reload it and retry",
                )
                .with_meta("orderId", o.id.clone()));
            }
            let plan = o.plan_refund(&req)?;
            let reason = if req.reason.is_empty() {
                "refund"
            } else {
                req.reason.as_str()
            };
            let stamp = Stamp::new(&actor.id, now, reason);
            let start = o.history.len();
            o.apply_refund(&plan, refund_id.clone(), resp.gateway_ref.clone(), stamp)?;
            let mut events = status_events(o, start);
            events.push(OrderEvent::RefundIssued {
                order: OrderSummary::of(o),
                refund_id: refund_id.clone(),
                amount: plan.amount,
            });
            Ok(events)
        })
        .await
    }

    /// Admin status update (ship, deliver, return, complete) with the actor and a reason;
    /// emits one `order_status_changed` per transition (render them with
    /// [`crate::notify::Notifier`]).
    pub async fn update_order_status(
        &self,
        actor: &Principal,
        order_id: &str,
        update: StatusUpdate,
        reason: &str,
    ) -> Result<Order> {
        self.authorize_all(actor, "orders", "update")?;
        let now = self.now();
        self.mutate_order(order_id, |o| {
            let start = o.history.len();
            let stamp = Stamp::new(&actor.id, now, reason);
            match &update {
                StatusUpdate::Ship { lines } => o.ship(lines.as_deref(), stamp)?,
                StatusUpdate::Deliver { lines } => o.deliver(lines.as_deref(), stamp)?,
                StatusUpdate::Return { lines } => o.mark_returned(lines.as_deref(), stamp)?,
                StatusUpdate::Complete => o.complete(stamp)?,
            }
            Ok(status_events(o, start))
        })
        .await
    }

    /// The refunds of an order: its owner (customer) or staff; another customer's order is
    /// `NOT_FOUND`.
    pub async fn order_refunds(
        &self,
        actor: &Principal,
        order_id: &str,
    ) -> Result<Vec<crate::order::Refund>> {
        self.authorize_kind(actor, "refunds", "read")?;
        let order = self.load_order(order_id).await?;
        self.authorize_owned(actor, "refunds", "read", order_id, &order.customer_id)
            .map_err(|e| {
                if e.code == ErrorCode::NotFound {
                    KassaError::not_found("order", order_id)
                } else {
                    e
                }
            })?;
        Ok(order.refunds)
    }
}
