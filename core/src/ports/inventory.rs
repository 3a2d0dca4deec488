//! The inventory port: stock levels per SKU per location and reservations with expiry.

use super::health::PortHealth;
use crate::error::Result;
use crate::inventory::adjustment::AuditEntry;
use crate::inventory::reservation::{
    AdjustmentBatch, AdjustmentBatchResult, Reservation, ReserveRequest,
};
use crate::inventory::stock::StockLevel;
use chrono::{DateTime, Utc};

/// Stock and reservations. Each method is atomic: reserve-if-available covers the whole
/// demand of a cart in one call.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait InventoryStore: Send + Sync {
    /// Every location's level of a SKU.
    async fn stock(&self, sku: &str) -> Result<Vec<StockLevel>>;
    /// Every stock level (for dashboards and low-stock reports).
    async fn all_stock(&self) -> Result<Vec<StockLevel>>;
    /// Sets the units on hand of a SKU at a location (not below what is reserved there).
    async fn set_on_hand(&self, sku: &str, location_id: &str, on_hand: u64) -> Result<StockLevel>;
    /// Adds `delta` (may be negative) to the units on hand.
    async fn adjust(&self, sku: &str, location_id: &str, delta: i64) -> Result<StockLevel>;
    /// Reserves every item of the request or nothing (`OUT_OF_STOCK` naming the short SKU).
    async fn reserve(&self, request: ReserveRequest, now: DateTime<Utc>) -> Result<Reservation>;
    /// Commits a reservation: its units leave stock. Idempotent; an expired one is `CONFLICT`.
    async fn commit(&self, reservation_id: &str, now: DateTime<Utc>) -> Result<Reservation>;
    /// Releases an active reservation. Idempotent.
    async fn release(&self, reservation_id: &str) -> Result<Reservation>;
    /// Puts a committed reservation's units back on hand. Idempotent.
    async fn restock(&self, reservation_id: &str) -> Result<Reservation>;
    /// One reservation.
    async fn reservation(&self, reservation_id: &str) -> Result<Option<Reservation>>;
    /// Expires every active reservation past its expiry, each exactly once, and returns them.
    async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>>;
    /// Applies a batch of audited adjustments all together or not at all, once per batch id
    /// (the semantics of [`crate::inventory::reservation::InventoryLedger::apply_adjustments`]):
    /// the levels and their audit entries are written in one transaction.
    async fn apply_adjustments(&self, batch: AdjustmentBatch) -> Result<AdjustmentBatchResult>;
    /// The audit log, oldest first; only one SKU's entries when `sku` is given.
    async fn audit_log(&self, sku: Option<&str>) -> Result<Vec<AuditEntry>>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
