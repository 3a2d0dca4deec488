//! The event sink port: the outbox a host drains to its queue or email service.

use super::health::PortHealth;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One event in the outbox, with a versioned payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEvent {
    /// Unique, deterministic event id (e.g. `"order_7:order_placed"`): publishing the same id
    /// twice must store it once.
    pub id: String,
    /// Event type (`"order_placed"`, `"payment_failed"`, `"order_status_changed"`, ...).
    pub event_type: String,
    /// Payload schema version.
    pub schema_version: u32,
    /// The aggregate the event is about (an order id).
    pub aggregate_id: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The payload as JSON text (camelCase), ready for an outbox table or a queue message;
    /// its shape is given by `event_type` and `schema_version`.
    pub payload: String,
}

/// The outbox. `publish` must be idempotent by event id.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait EventSink: Send + Sync {
    /// Appends an event (a second publish of the same id is a no-op).
    async fn publish(&self, event: OutboxEvent) -> Result<()>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
