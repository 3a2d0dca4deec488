//! Supply: suppliers and reorder rules (upserted by key), purchase orders and shipments (one
//! row each: the aggregate as JSON plus the columns listings filter on), written with
//! compare-and-set on the version in one conditional `UPDATE`.
//!
//! Listings come back in the in-memory store's order: by id (suppliers, purchase orders,
//! shipments) or by (SKU, location) (reorder rules), compared byte-wise.

use crate::db::{db_err, enum_name, from_json, int, to_json, uint, Db};
use kassa::inventory::reorder::ReorderRule;
use kassa::ports::{PortHealth, StoredPurchaseOrder, StoredShipment, SupplyStore};
use kassa::supply::Supplier;
use kassa::{KassaError, Result};
use sqlx::Row;

/// The supply store over SQL.
#[derive(Debug)]
pub struct SqlSupply {
    db: Db,
}

const UPDATE_PURCHASE_ORDER: &str = "UPDATE kassa_purchase_orders SET status = $3, is_open = $4, \
     version = $2 + 1, data = $5 WHERE id = $1 AND version = $2";

const UPDATE_SHIPMENT: &str = "UPDATE kassa_shipments SET order_id = $3, version = $2 + 1, \
     data = $4 WHERE id = $1 AND version = $2";

/// The stale-version error of the in-memory store: `CONFLICT` with `meta.storedVersion`.
fn stale(kind: &str, id: &str, stored: u64, given: u64) -> KassaError {
    KassaError::conflict(format!(
        "{kind} '{id}' changed meanwhile (version {stored}, given {given})"
    ))
    .with_meta("storedVersion", stored)
}

/// `1` for an open purchase order (goods still expected), else `0`.
fn open_flag(po: &StoredPurchaseOrder) -> i64 {
    i64::from(po.purchase_order.status.is_open())
}

fn purchase_order_row(r: &sqlx::any::AnyRow) -> Result<StoredPurchaseOrder> {
    let mut po: StoredPurchaseOrder = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
    po.version = uint(r.try_get(1).map_err(db_err)?);
    Ok(po)
}

fn shipment_row(r: &sqlx::any::AnyRow) -> Result<StoredShipment> {
    let mut s: StoredShipment = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
    s.version = uint(r.try_get(1).map_err(db_err)?);
    Ok(s)
}

impl SqlSupply {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlSupply { db }
    }

    /// The stored version of a row of `table` (`None`: no such row).
    async fn stored_version(&self, table: &str, id: &str) -> Result<Option<u64>> {
        let row = sqlx::query(&format!("SELECT version FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| r.try_get::<i64, _>(0).map(uint).map_err(db_err))
            .transpose()
    }

    /// Why a compare-and-set matched no row: unknown id (`NOT_FOUND`) or a newer version.
    async fn explain_miss(
        &self,
        table: &str,
        kind: &str,
        entity: &str,
        id: &str,
        given: u64,
    ) -> KassaError {
        match self.stored_version(table, id).await {
            Err(e) => e,
            Ok(None) => KassaError::not_found(entity, id),
            Ok(Some(stored)) => stale(kind, id, stored, given),
        }
    }
}

#[async_trait::async_trait]
impl SupplyStore for SqlSupply {
    async fn put_supplier(&self, supplier: Supplier) -> Result<Supplier> {
        supplier.validate()?;
        sqlx::query(
            "INSERT INTO kassa_suppliers (id, data) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        )
        .bind(&supplier.id)
        .bind(to_json(&supplier)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(supplier)
    }

    async fn suppliers(&self) -> Result<Vec<Supplier>> {
        let rows = sqlx::query("SELECT data FROM kassa_suppliers ORDER BY id")
            .fetch_all(self.db.pool())
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| from_json(&r.try_get::<String, _>(0).map_err(db_err)?))
            .collect()
    }

    async fn put_reorder_rule(&self, rule: ReorderRule) -> Result<ReorderRule> {
        if rule.sku.trim().is_empty() {
            return Err(KassaError::validation("sku", "must not be empty"));
        }
        if rule.location.trim().is_empty() {
            return Err(KassaError::validation("location", "must not be empty"));
        }
        sqlx::query(
            "INSERT INTO kassa_reorder_rules (sku, location, data) VALUES ($1, $2, $3) \
             ON CONFLICT (sku, location) DO UPDATE SET data = excluded.data",
        )
        .bind(&rule.sku)
        .bind(&rule.location)
        .bind(to_json(&rule)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(rule)
    }

    async fn reorder_rules(&self) -> Result<Vec<ReorderRule>> {
        let rows = sqlx::query("SELECT data FROM kassa_reorder_rules ORDER BY sku, location")
            .fetch_all(self.db.pool())
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| from_json(&r.try_get::<String, _>(0).map_err(db_err)?))
            .collect()
    }

    async fn insert_purchase_order(
        &self,
        mut po: StoredPurchaseOrder,
    ) -> Result<StoredPurchaseOrder> {
        if po.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new purchase order has version 0",
            ));
        }
        po.version = 1;
        let done = sqlx::query(
            "INSERT INTO kassa_purchase_orders (id, status, is_open, version, data) \
             VALUES ($1, $2, $3, 1, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&po.purchase_order.id)
        .bind(enum_name(&po.purchase_order.status)?)
        .bind(open_flag(&po))
        .bind(to_json(&po)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(KassaError::conflict(format!(
                "purchase order '{}' already exists",
                po.purchase_order.id
            )));
        }
        Ok(po)
    }

    async fn purchase_order(&self, id: &str) -> Result<Option<StoredPurchaseOrder>> {
        let row = sqlx::query("SELECT data, version FROM kassa_purchase_orders WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(purchase_order_row).transpose()
    }

    async fn compare_and_set_purchase_order(
        &self,
        po: StoredPurchaseOrder,
    ) -> Result<StoredPurchaseOrder> {
        let given = po.version;
        let mut next = po;
        next.version += 1;
        let done = sqlx::query(UPDATE_PURCHASE_ORDER)
            .bind(&next.purchase_order.id)
            .bind(int(given, "version")?)
            .bind(enum_name(&next.purchase_order.status)?)
            .bind(open_flag(&next))
            .bind(to_json(&next)?)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 1 {
            Ok(next)
        } else {
            Err(self
                .explain_miss(
                    "kassa_purchase_orders",
                    "purchase order",
                    "purchaseOrder",
                    &next.purchase_order.id,
                    given,
                )
                .await)
        }
    }

    async fn purchase_orders(&self, open_only: bool) -> Result<Vec<StoredPurchaseOrder>> {
        let sql = if open_only {
            "SELECT data, version FROM kassa_purchase_orders WHERE is_open = 1 ORDER BY id"
        } else {
            "SELECT data, version FROM kassa_purchase_orders ORDER BY id"
        };
        let rows = sqlx::query(sql)
            .fetch_all(self.db.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(purchase_order_row).collect()
    }

    async fn insert_shipment(&self, mut shipment: StoredShipment) -> Result<StoredShipment> {
        if shipment.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new shipment has version 0",
            ));
        }
        shipment.version = 1;
        let done = sqlx::query(
            "INSERT INTO kassa_shipments (id, order_id, version, data) \
             VALUES ($1, $2, 1, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&shipment.shipment.id)
        .bind(&shipment.shipment.order_id)
        .bind(to_json(&shipment)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(KassaError::conflict(format!(
                "shipment '{}' already exists",
                shipment.shipment.id
            )));
        }
        Ok(shipment)
    }

    async fn shipment(&self, id: &str) -> Result<Option<StoredShipment>> {
        let row = sqlx::query("SELECT data, version FROM kassa_shipments WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(shipment_row).transpose()
    }

    async fn compare_and_set_shipment(&self, shipment: StoredShipment) -> Result<StoredShipment> {
        let given = shipment.version;
        let mut next = shipment;
        next.version += 1;
        let done = sqlx::query(UPDATE_SHIPMENT)
            .bind(&next.shipment.id)
            .bind(int(given, "version")?)
            .bind(&next.shipment.order_id)
            .bind(to_json(&next)?)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 1 {
            Ok(next)
        } else {
            Err(self
                .explain_miss(
                    "kassa_shipments",
                    "shipment",
                    "shipment",
                    &next.shipment.id,
                    given,
                )
                .await)
        }
    }

    async fn shipments_of_order(&self, order_id: &str) -> Result<Vec<StoredShipment>> {
        let rows = sqlx::query(
            "SELECT data, version FROM kassa_shipments WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.db.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(shipment_row).collect()
    }

    async fn health(&self) -> PortHealth {
        self.db.health("supply").await
    }
}
