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

/// The supply store of a host built without the supply flows (the wasm module's `web-full`,
/// cargo feature `engine-supply` off): no suppliers, reorder rules, purchase orders or
/// shipments, and every write `UNSUPPORTED`. The inventory flows read reorder rules for
/// low-stock alerts; without the flows that could set one, there is none.
///
/// [`crate::host::EngineHost::in_memory`] uses it in such a build instead of the in-memory
/// store, whose every method a trait object would keep in the module.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSupply;

impl NoSupply {
    fn unsupported<T>() -> Result<T> {
        Err(crate::error::KassaError::unsupported(
            "supply flows",
            "engine-supply",
        ))
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl SupplyStore for NoSupply {
    async fn put_supplier(&self, _: Supplier) -> Result<Supplier> {
        Self::unsupported()
    }
    async fn suppliers(&self) -> Result<Vec<Supplier>> {
        Ok(Vec::new())
    }
    async fn put_reorder_rule(&self, _: ReorderRule) -> Result<ReorderRule> {
        Self::unsupported()
    }
    async fn reorder_rules(&self) -> Result<Vec<ReorderRule>> {
        Ok(Vec::new())
    }
    async fn insert_purchase_order(&self, _: StoredPurchaseOrder) -> Result<StoredPurchaseOrder> {
        Self::unsupported()
    }
    async fn purchase_order(&self, _: &str) -> Result<Option<StoredPurchaseOrder>> {
        Ok(None)
    }
    async fn compare_and_set_purchase_order(
        &self,
        _: StoredPurchaseOrder,
    ) -> Result<StoredPurchaseOrder> {
        Self::unsupported()
    }
    async fn purchase_orders(&self, _: bool) -> Result<Vec<StoredPurchaseOrder>> {
        Ok(Vec::new())
    }
    async fn insert_shipment(&self, _: StoredShipment) -> Result<StoredShipment> {
        Self::unsupported()
    }
    async fn shipment(&self, _: &str) -> Result<Option<StoredShipment>> {
        Ok(None)
    }
    async fn compare_and_set_shipment(&self, _: StoredShipment) -> Result<StoredShipment> {
        Self::unsupported()
    }
    async fn shipments_of_order(&self, _: &str) -> Result<Vec<StoredShipment>> {
        Ok(Vec::new())
    }
    async fn health(&self) -> PortHealth {
        PortHealth::up("supply", "none (supply flows not in this build)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use futures::executor::block_on;

    #[test]
    fn no_supply_reads_empty_and_refuses_writes() {
        let s = NoSupply;
        assert!(block_on(s.reorder_rules()).is_ok_and(|r| r.is_empty()));
        assert!(block_on(s.suppliers()).is_ok_and(|r| r.is_empty()));
        assert!(block_on(s.purchase_order("po-1")).is_ok_and(|r| r.is_none()));
        assert!(block_on(s.shipments_of_order("o-1")).is_ok_and(|r| r.is_empty()));
        let supplier = Supplier {
            id: "s-1".into(),
            name: "Acme".into(),
            lead_time_days: 3,
            minimum_order_quantity: 0,
            currency: crate::money::Currency::EUR,
        };
        let err = block_on(s.put_supplier(supplier)).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::Unsupported));
    }
}
