//! In-memory inventory: an [`InventoryLedger`] behind one lock.

use super::lock::lock;
use crate::error::Result;
use crate::inventory::adjustment::AuditEntry;
use crate::inventory::reservation::{
    AdjustmentBatch, AdjustmentBatchResult, InventoryLedger, Reservation, ReserveRequest,
};
use crate::inventory::stock::StockLevel;
use crate::ports::{InventoryStore, PortHealth};
use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// Stock levels and reservations in memory; every call runs under one lock, so
/// reserve-if-available is atomic across the whole cart.
#[derive(Debug, Default)]
pub struct MemoryInventory {
    ledger: Mutex<InventoryLedger>,
}

impl MemoryInventory {
    /// An empty inventory.
    pub fn new() -> Self {
        MemoryInventory::default()
    }

    /// A copy of the whole ledger (for tests and invariant checks).
    pub fn snapshot(&self) -> Result<InventoryLedger> {
        Ok(lock(&self.ledger, "inventory")?.clone())
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl InventoryStore for MemoryInventory {
    async fn stock(&self, sku: &str) -> Result<Vec<StockLevel>> {
        Ok(lock(&self.ledger, "inventory")?
            .book
            .levels_of(sku)
            .cloned()
            .collect())
    }

    async fn all_stock(&self) -> Result<Vec<StockLevel>> {
        Ok(lock(&self.ledger, "inventory")?
            .book
            .all()
            .cloned()
            .collect())
    }

    async fn set_on_hand(&self, sku: &str, location_id: &str, on_hand: u64) -> Result<StockLevel> {
        lock(&self.ledger, "inventory")?
            .book
            .set_on_hand(sku, location_id, on_hand)
    }

    async fn adjust(&self, sku: &str, location_id: &str, delta: i64) -> Result<StockLevel> {
        lock(&self.ledger, "inventory")?
            .book
            .adjust(sku, location_id, delta)
    }

    async fn reserve(&self, request: ReserveRequest, now: DateTime<Utc>) -> Result<Reservation> {
        lock(&self.ledger, "inventory")?.reserve(&request, now)
    }

    async fn commit(&self, reservation_id: &str, now: DateTime<Utc>) -> Result<Reservation> {
        lock(&self.ledger, "inventory")?.commit(reservation_id, now)
    }

    async fn release(&self, reservation_id: &str) -> Result<Reservation> {
        lock(&self.ledger, "inventory")?.release(reservation_id)
    }

    async fn restock(&self, reservation_id: &str) -> Result<Reservation> {
        lock(&self.ledger, "inventory")?.restock(reservation_id)
    }

    async fn reservation(&self, reservation_id: &str) -> Result<Option<Reservation>> {
        Ok(lock(&self.ledger, "inventory")?
            .reservation(reservation_id)
            .cloned())
    }

    async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>> {
        lock(&self.ledger, "inventory")?.sweep_expired(now)
    }

    async fn apply_adjustments(&self, batch: AdjustmentBatch) -> Result<AdjustmentBatchResult> {
        lock(&self.ledger, "inventory")?.apply_adjustments(&batch)
    }

    async fn audit_log(&self, sku: Option<&str>) -> Result<Vec<AuditEntry>> {
        Ok(lock(&self.ledger, "inventory")?
            .audit_log()
            .iter()
            .filter(|e| sku.is_none_or(|s| e.sku == s))
            .cloned()
            .collect())
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.ledger, "inventory") {
            Ok(l) => PortHealth::up(
                "inventory",
                format!("in-memory, {} stock levels", l.book.all().count()),
            ),
            Err(e) => PortHealth::down("inventory", e.message),
        }
    }
}
