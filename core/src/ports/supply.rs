//! The supply port: suppliers, reorder rules, purchase orders with their receipts, and
//! shipments, each aggregate written with compare-and-set on its version.

use super::health::PortHealth;
use crate::error::Result;
use crate::inventory::reorder::ReorderRule;
use crate::order::LineQuantity;
use crate::supply::{PurchaseOrder, Receipt, Shipment, Supplier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A purchase order as stored: the aggregate, its receipts and a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct StoredPurchaseOrder {
    /// The purchase order.
    pub purchase_order: PurchaseOrder,
    /// Every receipt recorded against it, oldest first. A receipt is recorded here first
    /// and then its stock is applied through the inventory port under the receipt id, so a
    /// retry after a failure in between completes it exactly once.
    #[serde(default)]
    pub receipts: Vec<Receipt>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Version for compare-and-set (0 before the first insert).
    #[serde(default)]
    pub version: u64,
}

/// A shipment as stored: the aggregate, the order lines it carries, and a version. How far
/// it moved its order is marked in the order's own history (`shipment <id> <stage>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct StoredShipment {
    /// The shipment.
    pub shipment: Shipment,
    /// The order lines and units it carries (resolved from its SKUs at creation).
    pub order_lines: Vec<LineQuantity>,
    /// Version for compare-and-set (0 before the first insert).
    #[serde(default)]
    pub version: u64,
}

/// Suppliers, reorder rules, purchase orders and shipments. Writes of an aggregate are
/// compare-and-set on its version: a stale version is `CONFLICT` with meta `storedVersion`.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait SupplyStore: Send + Sync {
    /// Adds or replaces a supplier.
    async fn put_supplier(&self, supplier: Supplier) -> Result<Supplier>;
    /// Every supplier, by id.
    async fn suppliers(&self) -> Result<Vec<Supplier>>;
    /// Adds or replaces the reorder rule of a (SKU, location).
    async fn put_reorder_rule(&self, rule: ReorderRule) -> Result<ReorderRule>;
    /// Every reorder rule, by (SKU, location).
    async fn reorder_rules(&self) -> Result<Vec<ReorderRule>>;
    /// Stores a new purchase order (version 0 in, 1 out); a taken id is `CONFLICT`.
    async fn insert_purchase_order(&self, po: StoredPurchaseOrder) -> Result<StoredPurchaseOrder>;
    /// One purchase order.
    async fn purchase_order(&self, id: &str) -> Result<Option<StoredPurchaseOrder>>;
    /// Replaces a purchase order if its stored version equals `po.version` (stored with
    /// version + 1).
    async fn compare_and_set_purchase_order(
        &self,
        po: StoredPurchaseOrder,
    ) -> Result<StoredPurchaseOrder>;
    /// Every purchase order (only open ones, i.e. goods still expected, when `open_only`),
    /// by id.
    async fn purchase_orders(&self, open_only: bool) -> Result<Vec<StoredPurchaseOrder>>;
    /// Stores a new shipment (version 0 in, 1 out); a taken id is `CONFLICT`.
    async fn insert_shipment(&self, shipment: StoredShipment) -> Result<StoredShipment>;
    /// One shipment.
    async fn shipment(&self, id: &str) -> Result<Option<StoredShipment>>;
    /// Replaces a shipment if its stored version equals `shipment.version`.
    async fn compare_and_set_shipment(&self, shipment: StoredShipment) -> Result<StoredShipment>;
    /// Every shipment of an order, by id.
    async fn shipments_of_order(&self, order_id: &str) -> Result<Vec<StoredShipment>>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
