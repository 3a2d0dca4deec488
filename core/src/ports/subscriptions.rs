//! The subscription store port.

use super::health::PortHealth;
use crate::billing::Subscription;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// Where subscriptions (with their invoices) live. Writes are compare-and-set on
/// [`Subscription::version`].
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait SubscriptionStore: Send + Sync {
    /// Stores a new subscription (its `version` must be 0; the stored copy gets version 1).
    /// A taken id is a `CONFLICT`.
    async fn insert(&self, subscription: Subscription) -> Result<Subscription>;
    /// One subscription by id.
    async fn get(&self, id: &str) -> Result<Option<Subscription>>;
    /// Replaces the stored subscription if its version still equals `subscription.version`,
    /// storing it with `version + 1`; otherwise `CONFLICT` with `meta.storedVersion` (reload
    /// and retry).
    async fn compare_and_set(&self, subscription: Subscription) -> Result<Subscription>;
    /// Ids of the subscriptions whose next action ([`Subscription::next_action_at`]) is at or
    /// before `at`, oldest first, at most `limit`.
    async fn due(&self, at: DateTime<Utc>, limit: usize) -> Result<Vec<String>>;
    /// A customer's subscriptions, oldest first.
    async fn for_customer(&self, customer_id: &str) -> Result<Vec<Subscription>>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
