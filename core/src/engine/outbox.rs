//! What an order write publishes with it: events built in full, or the `order_placed`
//! event written straight from the order being saved.

use crate::error::Result;
use crate::notify::{order_placed_outbox, OrderEvent};
use crate::order::Order;
use crate::ports::OutboxEvent;
use chrono::{DateTime, Utc};

/// An event that becomes an outbox row when `order` is written.
pub(super) trait Outbound {
    /// The outbox row, given the order as it is written.
    fn to_outbox(&self, order: &Order, at: DateTime<Utc>) -> Result<OutboxEvent>;
}

impl Outbound for OrderEvent {
    fn to_outbox(&self, _order: &Order, at: DateTime<Utc>) -> Result<OutboxEvent> {
        OrderEvent::to_outbox(self, at)
    }
}

/// `order_placed` of the order being written. The same row as `OrderEvent::OrderPlaced`
/// with `OrderSummary::of` that order, without building the summary: every approved checkout
/// publishes it.
pub(super) struct OrderPlaced;

impl Outbound for OrderPlaced {
    fn to_outbox(&self, order: &Order, at: DateTime<Utc>) -> Result<OutboxEvent> {
        order_placed_outbox(order, at)
    }
}
