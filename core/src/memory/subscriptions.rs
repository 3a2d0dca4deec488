//! In-memory subscription store.

use super::lock::lock;
use crate::billing::Subscription;
use crate::error::{KassaError, Result};
use crate::ports::{PortHealth, SubscriptionStore};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Subscriptions in a map behind one lock; compare-and-set on the version.
#[derive(Debug, Default)]
pub struct MemorySubscriptions {
    state: Mutex<BTreeMap<String, Subscription>>,
}

impl MemorySubscriptions {
    /// An empty store.
    pub fn new() -> Self {
        MemorySubscriptions::default()
    }

    /// Every subscription, by id.
    pub fn all(&self) -> Result<Vec<Subscription>> {
        Ok(lock(&self.state, "subscription")?
            .values()
            .cloned()
            .collect())
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl SubscriptionStore for MemorySubscriptions {
    async fn insert(&self, mut sub: Subscription) -> Result<Subscription> {
        let mut s = lock(&self.state, "subscription")?;
        if sub.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new subscription has version 0",
            ));
        }
        if s.contains_key(&sub.id) {
            return Err(KassaError::conflict(format!(
                "subscription '{}' already exists",
                sub.id
            )));
        }
        sub.version = 1;
        s.insert(sub.id.clone(), sub.clone());
        Ok(sub)
    }

    async fn get(&self, id: &str) -> Result<Option<Subscription>> {
        Ok(lock(&self.state, "subscription")?.get(id).cloned())
    }

    async fn compare_and_set(&self, mut sub: Subscription) -> Result<Subscription> {
        let mut s = lock(&self.state, "subscription")?;
        let stored = s
            .get_mut(&sub.id)
            .ok_or_else(|| KassaError::not_found("subscription", &sub.id))?;
        if stored.version != sub.version {
            return Err(KassaError::conflict(format!(
                "subscription '{}' changed meanwhile (version {} expected, {} stored)",
                sub.id, sub.version, stored.version
            ))
            .with_meta("expectedVersion", sub.version)
            .with_meta("storedVersion", stored.version));
        }
        sub.version += 1;
        *stored = sub.clone();
        Ok(sub)
    }

    async fn due(&self, at: DateTime<Utc>, limit: usize) -> Result<Vec<String>> {
        let s = lock(&self.state, "subscription")?;
        let mut due: Vec<(DateTime<Utc>, &String)> = s
            .values()
            .filter_map(|x| x.next_action_at().filter(|t| *t <= at).map(|t| (t, &x.id)))
            .collect();
        crate::sorting::sort_unstable(&mut due);
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect())
    }

    async fn for_customer(&self, customer_id: &str) -> Result<Vec<Subscription>> {
        let s = lock(&self.state, "subscription")?;
        let mut out: Vec<Subscription> = s
            .values()
            .filter(|x| x.customer_id == customer_id)
            .cloned()
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(out)
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "subscription") {
            Ok(s) => PortHealth::up(
                "subscriptions",
                format!("in-memory, {} subscriptions", s.len()),
            ),
            Err(e) => PortHealth::down("subscriptions", e.message),
        }
    }
}
