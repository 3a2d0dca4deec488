//! The idempotency-record port (Stripe-style idempotency keys).

use super::health::PortHealth;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What `begin` found for a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum IdempotencyBegin {
    /// The key was unused: the caller now holds it and must `complete` or `abandon` it.
    Started,
    /// Another request with this key and the same request is running.
    InProgress,
    /// A request with this key and the same request finished with this response.
    Completed {
        /// The stored response.
        response: serde_json::Value,
    },
    /// The key was used with a different request.
    KeyReused,
}

/// Idempotency records per (scope, key). `begin` is one atomic call.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` within `scope` (the caller's principal id) for a request with
    /// `request_hash`, or reports what the key already holds. An in-progress claim older than
    /// the store's lock timeout is taken over (the holder crashed).
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin>;
    /// Stores the final response of a claimed key.
    async fn complete(&self, scope: &str, key: &str, response: serde_json::Value) -> Result<()>;
    /// Drops a claim whose request had no effect, so the key may be used again.
    async fn abandon(&self, scope: &str, key: &str) -> Result<()>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
