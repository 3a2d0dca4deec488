//! In-memory supply store: suppliers, reorder rules, purchase orders and shipments.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::inventory::reorder::ReorderRule;
use crate::ports::{PortHealth, StoredPurchaseOrder, StoredShipment, SupplyStore};
use crate::supply::Supplier;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
struct State {
    suppliers: BTreeMap<String, Supplier>,
    rules: BTreeMap<(String, String), ReorderRule>,
    purchase_orders: BTreeMap<String, StoredPurchaseOrder>,
    shipments: BTreeMap<String, StoredShipment>,
}

/// Supply data in maps behind one lock; compare-and-set on versions.
#[derive(Debug, Default)]
pub struct MemorySupply {
    state: Mutex<State>,
}

impl MemorySupply {
    /// An empty store.
    pub fn new() -> Self {
        MemorySupply::default()
    }
}

fn stale(kind: &str, id: &str, stored: u64, given: u64) -> KassaError {
    KassaError::conflict(format!(
        "{kind} '{id}' changed meanwhile (version {stored}, given {given})"
    ))
    .with_meta("storedVersion", stored)
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl SupplyStore for MemorySupply {
    async fn put_supplier(&self, supplier: Supplier) -> Result<Supplier> {
        supplier.validate()?;
        lock(&self.state, "supply")?
            .suppliers
            .insert(supplier.id.clone(), supplier.clone());
        Ok(supplier)
    }

    async fn suppliers(&self) -> Result<Vec<Supplier>> {
        Ok(lock(&self.state, "supply")?
            .suppliers
            .values()
            .cloned()
            .collect())
    }

    async fn put_reorder_rule(&self, rule: ReorderRule) -> Result<ReorderRule> {
        if rule.sku.trim().is_empty() {
            return Err(KassaError::validation("sku", "must not be empty"));
        }
        if rule.location.trim().is_empty() {
            return Err(KassaError::validation("location", "must not be empty"));
        }
        lock(&self.state, "supply")?
            .rules
            .insert((rule.sku.clone(), rule.location.clone()), rule.clone());
        Ok(rule)
    }

    async fn reorder_rules(&self) -> Result<Vec<ReorderRule>> {
        Ok(lock(&self.state, "supply")?
            .rules
            .values()
            .cloned()
            .collect())
    }

    async fn insert_purchase_order(
        &self,
        mut po: StoredPurchaseOrder,
    ) -> Result<StoredPurchaseOrder> {
        let mut s = lock(&self.state, "supply")?;
        if po.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new purchase order has version 0",
            ));
        }
        let id = po.purchase_order.id.clone();
        if s.purchase_orders.contains_key(&id) {
            return Err(KassaError::conflict(format!(
                "purchase order '{id}' already exists"
            )));
        }
        po.version = 1;
        s.purchase_orders.insert(id, po.clone());
        Ok(po)
    }

    async fn purchase_order(&self, id: &str) -> Result<Option<StoredPurchaseOrder>> {
        Ok(lock(&self.state, "supply")?
            .purchase_orders
            .get(id)
            .cloned())
    }

    async fn compare_and_set_purchase_order(
        &self,
        mut po: StoredPurchaseOrder,
    ) -> Result<StoredPurchaseOrder> {
        let mut s = lock(&self.state, "supply")?;
        let id = po.purchase_order.id.clone();
        let stored = s
            .purchase_orders
            .get(&id)
            .ok_or_else(|| KassaError::not_found("purchaseOrder", &id))?;
        if stored.version != po.version {
            return Err(stale("purchase order", &id, stored.version, po.version));
        }
        po.version += 1;
        s.purchase_orders.insert(id, po.clone());
        Ok(po)
    }

    async fn purchase_orders(&self, open_only: bool) -> Result<Vec<StoredPurchaseOrder>> {
        Ok(lock(&self.state, "supply")?
            .purchase_orders
            .values()
            .filter(|p| !open_only || p.purchase_order.status.is_open())
            .cloned()
            .collect())
    }

    async fn insert_shipment(&self, mut shipment: StoredShipment) -> Result<StoredShipment> {
        let mut s = lock(&self.state, "supply")?;
        if shipment.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new shipment has version 0",
            ));
        }
        let id = shipment.shipment.id.clone();
        if s.shipments.contains_key(&id) {
            return Err(KassaError::conflict(format!(
                "shipment '{id}' already exists"
            )));
        }
        shipment.version = 1;
        s.shipments.insert(id, shipment.clone());
        Ok(shipment)
    }

    async fn shipment(&self, id: &str) -> Result<Option<StoredShipment>> {
        Ok(lock(&self.state, "supply")?.shipments.get(id).cloned())
    }

    async fn compare_and_set_shipment(
        &self,
        mut shipment: StoredShipment,
    ) -> Result<StoredShipment> {
        let mut s = lock(&self.state, "supply")?;
        let id = shipment.shipment.id.clone();
        let stored = s
            .shipments
            .get(&id)
            .ok_or_else(|| KassaError::not_found("shipment", &id))?;
        if stored.version != shipment.version {
            return Err(stale("shipment", &id, stored.version, shipment.version));
        }
        shipment.version += 1;
        s.shipments.insert(id, shipment.clone());
        Ok(shipment)
    }

    async fn shipments_of_order(&self, order_id: &str) -> Result<Vec<StoredShipment>> {
        Ok(lock(&self.state, "supply")?
            .shipments
            .values()
            .filter(|s| s.shipment.order_id == order_id)
            .cloned()
            .collect())
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "supply") {
            Ok(s) => PortHealth::up(
                "supply",
                format!(
                    "in-memory, {} purchase orders, {} shipments",
                    s.purchase_orders.len(),
                    s.shipments.len()
                ),
            ),
            Err(e) => PortHealth::down("supply", e.message),
        }
    }
}
