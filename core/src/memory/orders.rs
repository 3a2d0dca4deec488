//! In-memory order store.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::order::Order;
use crate::page::{Page, PageRequest, DEFAULT_MAX_PAGE_SIZE};
use crate::ports::{OrderFilter, OrderStore, PortHealth};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
struct State {
    by_id: HashMap<String, Order>,
    by_number: HashMap<String, String>,
    sequence: u64,
}

/// Orders in a map behind one lock; compare-and-set on the order version.
#[derive(Debug, Default)]
pub struct MemoryOrders {
    state: Mutex<State>,
}

impl MemoryOrders {
    /// An empty store.
    pub fn new() -> Self {
        MemoryOrders::default()
    }

    /// Every order (any order of iteration).
    pub fn all(&self) -> Result<Vec<Order>> {
        Ok(lock(&self.state, "order")?
            .by_id
            .values()
            .cloned()
            .collect())
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl OrderStore for MemoryOrders {
    async fn insert(&self, mut order: Order) -> Result<Order> {
        let mut s = lock(&self.state, "order")?;
        if order.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new order has version 0",
            ));
        }
        if s.by_id.contains_key(&order.id) {
            return Err(KassaError::conflict(format!(
                "order '{}' already exists",
                order.id
            )));
        }
        if s.by_number.contains_key(&order.number) {
            return Err(KassaError::conflict(format!(
                "order number '{}' is taken",
                order.number
            )));
        }
        order.version = 1;
        s.by_number.insert(order.number.clone(), order.id.clone());
        s.by_id.insert(order.id.clone(), order.clone());
        Ok(order)
    }

    async fn get(&self, id: &str) -> Result<Option<Order>> {
        Ok(lock(&self.state, "order")?.by_id.get(id).cloned())
    }

    async fn get_by_number(&self, number: &str) -> Result<Option<Order>> {
        let s = lock(&self.state, "order")?;
        Ok(s.by_number
            .get(number)
            .and_then(|id| s.by_id.get(id))
            .cloned())
    }

    async fn compare_and_set(&self, mut order: Order) -> Result<Order> {
        let mut s = lock(&self.state, "order")?;
        let stored = s
            .by_id
            .get_mut(&order.id)
            .ok_or_else(|| KassaError::not_found("order", &order.id))?;
        if stored.version != order.version {
            return Err(KassaError::conflict(format!(
                "order '{}' changed meanwhile (version {} expected, {} stored)",
                order.id, order.version, stored.version
            ))
            .with_meta("expectedVersion", order.version)
            .with_meta("storedVersion", stored.version));
        }
        if stored.number != order.number {
            return Err(KassaError::validation(
                "number",
                "an order number never changes",
            ));
        }
        order.version += 1;
        *stored = order.clone();
        Ok(order)
    }

    async fn list(&self, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>> {
        page.validate(DEFAULT_MAX_PAGE_SIZE)?;
        let s = lock(&self.state, "order")?;
        let mut hits: Vec<&Order> = s.by_id.values().filter(|o| filter.matches(o)).collect();
        crate::sorting::sort_by(&mut hits, |a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.number.cmp(&a.number))
        });
        let total = hits.len() as u64;
        let items = hits
            .into_iter()
            .skip(page.offset())
            .take(page.page_size as usize)
            .cloned()
            .collect();
        Ok(Page::new(items, page, total))
    }

    async fn next_number(&self) -> Result<u64> {
        let mut s = lock(&self.state, "order")?;
        s.sequence += 1;
        Ok(s.sequence)
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "order") {
            Ok(s) => PortHealth::up("orders", format!("in-memory, {} orders", s.by_id.len())),
            Err(e) => PortHealth::down("orders", e.message),
        }
    }
}
