//! In-memory cart store.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::ports::{CartStore, PortHealth, StoredCart};
use std::collections::HashMap;
use std::sync::Mutex;

/// Carts in a map behind one lock; compare-and-set on the version.
#[derive(Debug, Default)]
pub struct MemoryCarts {
    carts: Mutex<HashMap<String, StoredCart>>,
}

impl MemoryCarts {
    /// An empty store.
    pub fn new() -> Self {
        MemoryCarts::default()
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl CartStore for MemoryCarts {
    async fn get(&self, cart_id: &str) -> Result<Option<StoredCart>> {
        Ok(lock(&self.carts, "cart")?.get(cart_id).cloned())
    }

    async fn save(&self, mut cart: StoredCart) -> Result<StoredCart> {
        if cart.id.trim().is_empty() {
            return Err(KassaError::validation("cartId", "must not be empty"));
        }
        let mut m = lock(&self.carts, "cart")?;
        let stored = m.get(&cart.id).map_or(0, |c| c.version);
        if stored != cart.version {
            return Err(KassaError::conflict(format!(
                "cart '{}' changed meanwhile (version {} expected, {stored} stored)",
                cart.id, cart.version
            )));
        }
        cart.version += 1;
        m.insert(cart.id.clone(), cart.clone());
        Ok(cart)
    }

    async fn delete(&self, cart_id: &str) -> Result<bool> {
        Ok(lock(&self.carts, "cart")?.remove(cart_id).is_some())
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.carts, "cart") {
            Ok(m) => PortHealth::up("carts", format!("in-memory, {} carts", m.len())),
            Err(e) => PortHealth::down("carts", e.message),
        }
    }
}
