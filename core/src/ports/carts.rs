//! The cart store port.

use super::health::PortHealth;
use crate::cart::Cart;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A cart as stored: the cart, its owner and a version for compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct StoredCart {
    /// Cart id.
    pub id: String,
    /// The owner (a customer id or a guest session id).
    pub owner_id: String,
    /// The cart.
    pub cart: Cart,
    /// Version: 0 for a cart not stored yet; stores bump it on every write.
    pub version: u64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Where carts live. `save` is compare-and-set on the version.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait CartStore: Send + Sync {
    /// One cart.
    async fn get(&self, cart_id: &str) -> Result<Option<StoredCart>>;
    /// Stores a cart if its version equals the stored one (0 = new), returning it with the
    /// next version; otherwise `CONFLICT`.
    async fn save(&self, cart: StoredCart) -> Result<StoredCart>;
    /// Removes a cart; `false` when there was none.
    async fn delete(&self, cart_id: &str) -> Result<bool>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
