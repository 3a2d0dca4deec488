//! The order store port.

use super::events::{EventSink, OutboxEvent};
use super::health::PortHealth;
use crate::error::Result;
use crate::order::{Order, OrderStatus, PaymentStatus};
use crate::page::{Page, PageRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Filters of an order listing (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OrderFilter {
    /// Only this order status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// Only this payment status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<PaymentStatus>,
    /// Only this customer's orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Created at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
}

impl OrderFilter {
    /// Whether an order passes the filter.
    pub fn matches(&self, o: &Order) -> bool {
        self.status.is_none_or(|s| o.status == s)
            && self.payment_status.is_none_or(|s| o.payment.status == s)
            && self
                .customer_id
                .as_ref()
                .is_none_or(|c| &o.customer_id == c)
            && self.from.is_none_or(|f| o.created_at >= f)
            && self.to.is_none_or(|t| o.created_at < t)
    }
}

/// Where orders live. Writes are compare-and-set on [`Order::version`].
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait OrderStore: Send + Sync {
    /// Stores a new order (its `version` must be 0; the stored copy gets version 1). A taken
    /// id or order number is a `CONFLICT`.
    async fn insert(&self, order: Order) -> Result<Order>;
    /// One order by id.
    async fn get(&self, id: &str) -> Result<Option<Order>>;
    /// One order by its human-readable number.
    async fn get_by_number(&self, number: &str) -> Result<Option<Order>>;
    /// Replaces the stored order if its version still equals `order.version`, storing it with
    /// `version + 1`; otherwise `CONFLICT` (someone else wrote first: reload and retry).
    async fn compare_and_set(&self, order: Order) -> Result<Order>;
    /// [`OrderStore::compare_and_set`] and the outbox append of `events` as one atomic step:
    /// either the order is stored with `version + 1` and every event is in the outbox, or
    /// (`CONFLICT`, any error) neither. Publishing an event id twice stores it once.
    ///
    /// `outbox` is the engine's [`EventSink`]. A store that keeps its own outbox table
    /// (the PostgreSQL and SQLite adapters) writes the events there in the same database
    /// transaction and does not call `outbox`; pair such a store with the sink over the same
    /// table (the adapters' port bundles do). The default writes the order, then publishes to
    /// `outbox`: nothing is published when the write fails, which is all an in-memory store
    /// needs (a crash loses the order and the outbox alike).
    async fn compare_and_set_with_events(
        &self,
        order: Order,
        events: Vec<OutboxEvent>,
        outbox: &dyn EventSink,
    ) -> Result<Order> {
        let saved = self.compare_and_set(order).await?;
        for event in events {
            outbox.publish(event).await?;
        }
        Ok(saved)
    }
    /// Orders passing `filter`, newest first, one page.
    async fn list(&self, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>>;
    /// The next value of the order-number sequence (1, 2, 3, ...; never repeats).
    async fn next_number(&self) -> Result<u64>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
