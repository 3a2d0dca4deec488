//! Versioned event payloads.

use crate::error::{KassaError, Result};
use crate::money::Money;
use crate::order::{FulfillmentStatus, Machine, Order, OrderStatus, PaymentStatus};
use crate::ports::OutboxEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The payload schema version of every event type below. A breaking payload change bumps
/// it; consumers read `schemaVersion` on the outbox event.
pub const EVENT_SCHEMA_VERSION: u32 = 1;

/// One line of an [`OrderSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SummaryLine {
    /// Stock keeping unit.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Variant label (may be empty).
    #[serde(default)]
    pub variant: String,
    /// Units.
    pub quantity: u32,
    /// Line total.
    pub total: Money,
}

/// What events and messages say about an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    /// Order id.
    pub order_id: String,
    /// Human-readable number.
    pub order_number: String,
    /// Customer.
    pub customer_id: String,
    /// Order status.
    pub status: OrderStatus,
    /// Payment status.
    pub payment_status: PaymentStatus,
    /// Fulfillment status.
    pub fulfillment_status: FulfillmentStatus,
    /// Subtotal.
    pub subtotal: Money,
    /// Discount.
    pub discount: Money,
    /// Tax.
    pub tax: Money,
    /// Shipping.
    pub shipping: Money,
    /// Total.
    pub total: Money,
    /// Lines.
    pub lines: Vec<SummaryLine>,
}

impl OrderSummary {
    /// The summary of an order.
    pub fn of(o: &Order) -> Self {
        OrderSummary {
            order_id: o.id.clone(),
            order_number: o.number.clone(),
            customer_id: o.customer_id.clone(),
            status: o.status,
            payment_status: o.payment.status,
            fulfillment_status: o.fulfillment_status,
            subtotal: o.totals.subtotal,
            discount: o.totals.discount,
            tax: o.totals.tax,
            shipping: o.totals.shipping,
            total: o.totals.total,
            lines: o
                .lines
                .iter()
                .map(|l| SummaryLine {
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    variant: l.variant.clone(),
                    quantity: l.quantity,
                    total: l.total,
                })
                .collect(),
        }
    }
}

/// Every event the engine emits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum OrderEvent {
    /// Checkout succeeded: the order is confirmed.
    OrderPlaced {
        /// The order.
        order: OrderSummary,
    },
    /// A payment attempt failed.
    PaymentFailed {
        /// The order.
        order: OrderSummary,
        /// Which attempt.
        attempt: u32,
        /// Gateway reason code.
        code: String,
        /// Human-readable reason.
        message: String,
    },
    /// A status of the order changed through an admin or a gateway event.
    OrderStatusChanged {
        /// The order after the change.
        order: OrderSummary,
        /// Which machine.
        machine: Machine,
        /// State before.
        from: String,
        /// State after.
        to: String,
        /// Who.
        actor: String,
        /// Why.
        reason: String,
        /// Position of the change in the order's history (makes the event id unique).
        sequence: usize,
    },
    /// The order was cancelled.
    OrderCancelled {
        /// The order.
        order: OrderSummary,
        /// Why.
        reason: String,
    },
    /// Money went back to the customer.
    RefundIssued {
        /// The order.
        order: OrderSummary,
        /// Refund id.
        refund_id: String,
        /// Amount.
        amount: Money,
    },
}

impl OrderEvent {
    /// The event type string (`"order_placed"`, ...).
    pub fn event_type(&self) -> &'static str {
        match self {
            OrderEvent::OrderPlaced { .. } => "order_placed",
            OrderEvent::PaymentFailed { .. } => "payment_failed",
            OrderEvent::OrderStatusChanged { .. } => "order_status_changed",
            OrderEvent::OrderCancelled { .. } => "order_cancelled",
            OrderEvent::RefundIssued { .. } => "refund_issued",
        }
    }

    /// The order the event is about.
    pub fn order(&self) -> &OrderSummary {
        match self {
            OrderEvent::OrderPlaced { order }
            | OrderEvent::PaymentFailed { order, .. }
            | OrderEvent::OrderStatusChanged { order, .. }
            | OrderEvent::OrderCancelled { order, .. }
            | OrderEvent::RefundIssued { order, .. } => order,
        }
    }

    /// The deterministic event id: the same fact always gets the same id, so a retried
    /// publish is stored once.
    pub fn event_id(&self) -> String {
        let id = &self.order().order_id;
        match self {
            OrderEvent::PaymentFailed { attempt, .. } => format!("{id}:payment_failed:{attempt}"),
            OrderEvent::OrderStatusChanged { sequence, .. } => {
                format!("{id}:status_changed:{sequence}")
            }
            OrderEvent::RefundIssued { refund_id, .. } => format!("{id}:refund_issued:{refund_id}"),
            other => format!("{id}:{}", other.event_type()),
        }
    }

    /// The outbox form.
    pub fn to_outbox(&self, at: DateTime<Utc>) -> Result<OutboxEvent> {
        // An order summary is several hundred bytes: start there rather than grow from 128.
        let mut buf = Vec::with_capacity(1024);
        serde_json::to_writer(&mut buf, self).map_err(|e| KassaError::internal(e.to_string()))?;
        let payload = String::from_utf8(buf).map_err(|e| KassaError::internal(e.to_string()))?;
        Ok(OutboxEvent {
            id: self.event_id(),
            event_type: self.event_type().to_owned(),
            schema_version: EVENT_SCHEMA_VERSION,
            aggregate_id: self.order().order_id.clone(),
            occurred_at: at,
            payload,
        })
    }
}
