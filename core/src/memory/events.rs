//! A collecting event sink: the outbox kept in memory.

use super::lock::lock;
use crate::error::Result;
use crate::ports::{EventSink, OutboxEvent, PortHealth};
use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Debug, Default)]
struct State {
    events: Vec<OutboxEvent>,
    ids: HashSet<String>,
}

/// Collects published events in order, storing each event id once.
#[derive(Debug, Default)]
pub struct CollectingSink {
    state: Mutex<State>,
}

impl CollectingSink {
    /// An empty sink.
    pub fn new() -> Self {
        CollectingSink::default()
    }

    /// Every event so far, in publish order.
    pub fn events(&self) -> Vec<OutboxEvent> {
        lock(&self.state, "event")
            .map(|s| s.events.clone())
            .unwrap_or_default()
    }

    /// Removes and returns every event (what a host's outbox relay does).
    pub fn drain(&self) -> Vec<OutboxEvent> {
        lock(&self.state, "event")
            .map(|mut s| std::mem::take(&mut s.events))
            .unwrap_or_default()
    }

    /// How many events of a type were published.
    pub fn count(&self, event_type: &str) -> usize {
        lock(&self.state, "event")
            .map(|s| {
                s.events
                    .iter()
                    .filter(|e| e.event_type == event_type)
                    .count()
            })
            .unwrap_or(0)
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl EventSink for CollectingSink {
    async fn publish(&self, event: OutboxEvent) -> Result<()> {
        let mut s = lock(&self.state, "event")?;
        if s.ids.insert(event.id.clone()) {
            s.events.push(event);
        }
        Ok(())
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "event") {
            Ok(s) => PortHealth::up("events", format!("collecting, {} events", s.events.len())),
            Err(e) => PortHealth::down("events", e.message),
        }
    }
}
