//! Inventory flows: admin inventory update (set or delta, with reason and actor, audited),
//! barcode scan (GTIN check, lookup, optional count), the audit log, and low-stock events.

use super::{Engine, Principal};
use crate::error::{KassaError, Result};
use crate::inventory::adjustment::{Adjustment, AdjustmentChange, AdjustmentReason, AuditEntry};
use crate::inventory::alerts::{crossed_below, LowStockAlert};
use crate::inventory::barcode::{validate_gtin, Gtin};
use crate::inventory::reservation::{AdjustmentBatch, AdjustmentBatchResult};
use crate::inventory::stock::StockLevel;
use crate::ports::OutboxEvent;
use serde::{Deserialize, Serialize};

/// Outbox event type of a low-stock crossing.
pub const EVENT_LOW_STOCK: &str = "low_stock";

/// An admin inventory update of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct InventoryUpdate {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location: String,
    /// Set (a count) or delta.
    pub change: AdjustmentChange,
    /// Why.
    pub reason: AdjustmentReason,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What an inventory update did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct InventoryUpdateResult {
    /// The level after.
    pub level: StockLevel,
    /// The audit entry.
    pub audit: AuditEntry,
    /// The low-stock alert when available stock fell below the reorder level with this
    /// change (also published as a `low_stock` event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock: Option<LowStockAlert>,
}

/// A barcode scan at a location, optionally with the counted quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct BarcodeScan {
    /// The scanned digits (GTIN-8/12/13/14).
    pub barcode: String,
    /// Where the scanner is.
    pub location: String,
    /// The counted units on the shelf: when given, on hand is set to it (a stock count,
    /// reason `count_correction`, audited with the actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<i64>,
}

/// What a barcode scan found (and counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// The validated code.
    pub gtin: Gtin,
    /// The product.
    pub product_id: String,
    /// The variant's SKU.
    pub sku: String,
    /// The level at the scanner's location (after the count, if any).
    pub level: StockLevel,
    /// The count's result, when a count was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<InventoryUpdateResult>,
}

impl Engine {
    /// The reorder level of a SKU at a location (from its reorder rule), if it has one.
    async fn reorder_level(&self, sku: &str, location: &str) -> Result<Option<i64>> {
        Ok(self
            .ports
            .supply
            .reorder_rules()
            .await?
            .into_iter()
            .find(|r| r.sku == sku && r.location == location)
            .map(|r| r.policy.reorder_level()))
    }

    /// Publishes one `low_stock` event per (SKU, location) of the batch whose available stock
    /// fell below its reorder level (was at or above it before). Returns the alerts.
    pub(super) async fn low_stock_events(
        &self,
        batch: &AdjustmentBatchResult,
        batch_id: &str,
    ) -> Result<Vec<LowStockAlert>> {
        let mut alerts = Vec::new();
        if batch.replayed {
            return Ok(alerts);
        }
        for (before, after) in batch.before.iter().zip(&batch.after) {
            let Some(level) = self.reorder_level(&after.sku, &after.location_id).await? else {
                continue;
            };
            let (b, a) = (avail(before), avail(after));
            if crossed_below(b, a, level) {
                let alert = LowStockAlert {
                    sku: after.sku.clone(),
                    location: after.location_id.clone(),
                    available: a,
                    reorder_level: level,
                };
                self.publish_low_stock(&alert, &format!("{batch_id}:{}", after.location_id))
                    .await?;
                alerts.push(alert);
            }
        }
        Ok(alerts)
    }

    pub(super) async fn publish_low_stock(&self, alert: &LowStockAlert, key: &str) -> Result<()> {
        let payload = serde_json::to_string(alert)
            .map_err(|e| KassaError::internal(format!("low-stock payload: {e}")))?;
        self.ports
            .events
            .publish(OutboxEvent {
                id: format!("{key}:{EVENT_LOW_STOCK}:{}", alert.sku),
                event_type: EVENT_LOW_STOCK.to_owned(),
                schema_version: 1,
                aggregate_id: alert.sku.clone(),
                occurred_at: self.now(),
                payload,
            })
            .await
    }

    /// Admin inventory update: sets on hand to a counted value or moves it by a delta, with
    /// a reason; the level and its audit entry (actor = the principal) are written in one
    /// inventory-port call. Needs `inventory:update`. A change that would leave on hand
    /// negative is `VALIDATION_ERROR`, below the reserved units `CONFLICT`; nothing changes.
    /// Emits `low_stock` when available stock falls below the SKU's reorder level.
    pub async fn update_inventory(
        &self,
        actor: &Principal,
        update: &InventoryUpdate,
    ) -> Result<InventoryUpdateResult> {
        self.authorize_all(actor, "inventory", "update")?;
        let batch_id = self.ports.ids.next_id("adjustment");
        let batch = AdjustmentBatch {
            id: batch_id.clone(),
            adjustments: vec![Adjustment {
                sku: update.sku.clone(),
                location: update.location.clone(),
                change: update.change,
                reason: update.reason,
                actor: actor.id.clone(),
                note: update.note.clone(),
            }],
            at: self.now(),
        };
        let result = self
            .ports
            .inventory
            .apply_adjustments(batch)
            .await
            .map_err(|mut e| {
                for d in &mut e.details {
                    if let Some(rest) = d.field.strip_prefix("adjustments[0].") {
                        d.field = rest.to_owned();
                    }
                }
                e
            })?;
        let low = self.low_stock_events(&result, &batch_id).await?;
        let (Some(level), Some(audit)) = (result.after.first(), result.audit.first()) else {
            return Err(KassaError::internal("an applied batch has no level"));
        };
        Ok(InventoryUpdateResult {
            level: level.clone(),
            audit: audit.clone(),
            low_stock: low.into_iter().next(),
        })
    }

    /// Barcode scan: validates the GTIN's check digit (a bad code is `VALIDATION_ERROR` on
    /// `barcode`), finds the variant whose GTIN matches (UPC-A and EAN-13 forms of one code
    /// match; unknown is `NOT_FOUND`), and, when `counted` is given, records the count as an
    /// audited `count_correction`. Needs `inventory:read`, and `inventory:update` to count.
    pub async fn scan_barcode(&self, actor: &Principal, scan: &BarcodeScan) -> Result<ScanResult> {
        self.authorize_all(actor, "inventory", "read")?;
        if scan.counted.is_some() {
            self.authorize_all(actor, "inventory", "update")?;
        }
        let gtin = validate_gtin(&scan.barcode)?;
        let catalog = self.ports.catalog.catalog().await?;
        let found = catalog.products().iter().find_map(|p| {
            p.variants
                .iter()
                .find(|v| {
                    v.gtin
                        .as_deref()
                        .is_some_and(|g| format!("{:0>14}", g.trim()) == gtin.gtin14)
                })
                .map(|v| (p.id.clone(), v.sku.clone()))
        });
        let Some((product_id, sku)) = found else {
            return Err(KassaError::not_found("product", &gtin.code));
        };
        let update = match scan.counted {
            Some(quantity) => Some(
                self.update_inventory(
                    actor,
                    &InventoryUpdate {
                        sku: sku.clone(),
                        location: scan.location.clone(),
                        change: AdjustmentChange::Set { quantity },
                        reason: AdjustmentReason::CountCorrection,
                        note: Some(format!("barcode scan {}", gtin.code)),
                    },
                )
                .await?,
            ),
            None => None,
        };
        let level = match &update {
            Some(u) => u.level.clone(),
            None => self
                .ports
                .inventory
                .stock(&sku)
                .await?
                .into_iter()
                .find(|l| l.location_id == scan.location)
                .unwrap_or_else(|| StockLevel {
                    sku: sku.clone(),
                    location_id: scan.location.clone(),
                    on_hand: 0,
                    reserved: 0,
                }),
        };
        Ok(ScanResult {
            gtin,
            product_id,
            sku,
            level,
            update,
        })
    }

    /// The stock audit log, oldest first (one SKU's entries when `sku` is given). Needs
    /// `inventory:read`.
    pub async fn inventory_audit(
        &self,
        actor: &Principal,
        sku: Option<&str>,
    ) -> Result<Vec<AuditEntry>> {
        self.authorize_all(actor, "inventory", "read")?;
        self.ports.inventory.audit_log(sku).await
    }
}

fn avail(l: &StockLevel) -> i64 {
    i64::try_from(l.available()).unwrap_or(i64::MAX)
}
