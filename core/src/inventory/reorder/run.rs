//! The reorder run: one pure pass over stock snapshots and policies that yields suggestions
//! with reasons, low-stock alerts and draft purchase orders grouped by supplier.

use super::policy::{min_max, reorder_point_quantity, s_s, MinMaxInput, ReorderReason, SsInput};
use crate::error::{KassaError, Result};
use crate::inventory::alerts::{low_stock, LowStockAlert};
use crate::money::Money;
use crate::supply::{PurchaseOrderDraft, PurchaseOrderDraftLine, Supplier};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The replenishment policy of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReorderPolicy {
    /// (R, Q): when projected ≤ `reorderLevel`, order multiples of `orderQuantity` (e.g. the
    /// EOQ) until projected is above it.
    ReorderPoint {
        /// R, e.g. [`super::ReorderPointResult::reorder_level`].
        #[serde(rename = "reorderLevel")]
        reorder_level: i64,
        /// Q, e.g. [`super::EoqResult::order_quantity`].
        #[serde(rename = "orderQuantity")]
        order_quantity: i64,
    },
    /// Min/max: when projected ≤ min, order up to max.
    MinMax {
        /// Trigger level.
        min: i64,
        /// Order-up-to level.
        max: i64,
    },
    /// (s, S): when projected ≤ s, order up to S (valid iff S > s).
    #[serde(rename = "s_s")]
    SS {
        /// Reorder level (may be negative).
        s: i64,
        /// Order-up-to level.
        #[serde(rename = "S")]
        big_s: i64,
    },
}

impl ReorderPolicy {
    /// The level below which available stock raises a low-stock alert (R, min or s).
    pub fn reorder_level(&self) -> i64 {
        match self {
            ReorderPolicy::ReorderPoint { reorder_level, .. } => *reorder_level,
            ReorderPolicy::MinMax { min, .. } => *min,
            ReorderPolicy::SS { s, .. } => *s,
        }
    }
}

/// One SKU at one location: its stock snapshot, open purchase quantity, policy and supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderItem {
    /// SKU.
    pub sku: String,
    /// Location (warehouse) id.
    pub location: String,
    /// Units physically on hand.
    pub on_hand: i64,
    /// Units reserved for orders.
    #[serde(default)]
    pub reserved: i64,
    /// Units on open purchase orders (sent, acknowledged, partially received; not yet received).
    #[serde(default)]
    pub on_order: i64,
    /// The policy.
    pub policy: ReorderPolicy,
    /// Order multiple (pack size), ≥ 1.
    #[serde(default = "one")]
    pub order_multiple: i64,
    /// The supplier this SKU is bought from.
    pub supplier_id: String,
    /// Cost price per unit, in the supplier's currency.
    pub unit_cost: Money,
}

fn one() -> i64 {
    1
}

/// The stored replenishment rule of one SKU at one location: a [`ReorderItem`] without the
/// stock figures, which the engine's reorder run reads from the ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderRule {
    /// SKU.
    pub sku: String,
    /// Location (warehouse) id.
    pub location: String,
    /// The policy.
    pub policy: ReorderPolicy,
    /// Order multiple (pack size), ≥ 1.
    #[serde(default = "one")]
    pub order_multiple: i64,
    /// The supplier this SKU is bought from.
    pub supplier_id: String,
    /// Cost price per unit, in the supplier's currency.
    pub unit_cost: Money,
}

impl ReorderRule {
    /// The rule with its current stock figures, ready for [`reorder_run`].
    pub fn item(&self, on_hand: i64, reserved: i64, on_order: i64) -> ReorderItem {
        ReorderItem {
            sku: self.sku.clone(),
            location: self.location.clone(),
            on_hand,
            reserved,
            on_order,
            policy: self.policy.clone(),
            order_multiple: self.order_multiple,
            supplier_id: self.supplier_id.clone(),
            unit_cost: self.unit_cost,
        }
    }
}

/// Input of [`reorder_run`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderRunInput {
    /// Suppliers referenced by the items.
    pub suppliers: Vec<Supplier>,
    /// Every SKU-location to review.
    pub items: Vec<ReorderItem>,
}

/// A suggested order for one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderSuggestion {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location: String,
    /// Supplier id.
    pub supplier_id: String,
    /// Projected stock = on hand − reserved + on order.
    pub projected: i64,
    /// Units to order (> 0).
    pub quantity: i64,
    /// Trigger and adjustments.
    pub reasons: Vec<ReorderReason>,
}

/// Output of [`reorder_run`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderRunResult {
    /// Items that need ordering, in input order.
    pub suggestions: Vec<ReorderSuggestion>,
    /// Items whose available stock (on hand − reserved) is below their reorder level.
    pub alerts: Vec<LowStockAlert>,
    /// One draft per (supplier, location), sorted by supplier id then location.
    pub purchase_orders: Vec<PurchaseOrderDraft>,
}

fn item_field(i: usize, f: &str) -> String {
    format!("items[{i}].{f}")
}

/// Runs every item's policy over its projected stock and groups the orders by supplier and
/// destination location. Pure: the engine loads snapshots, calls this, then persists.
pub fn reorder_run(input: &ReorderRunInput) -> Result<ReorderRunResult> {
    let mut suppliers: HashMap<&str, &Supplier> = HashMap::with_capacity(input.suppliers.len());
    for (i, s) in input.suppliers.iter().enumerate() {
        s.validate()
            .map_err(|e| prefix(e, &format!("suppliers[{i}]")))?;
        suppliers.insert(s.id.as_str(), s);
    }
    let mut suggestions = Vec::new();
    let mut alerts = Vec::new();
    let mut groups: BTreeMap<(&str, &str), PurchaseOrderDraft> = BTreeMap::new();
    for (i, item) in input.items.iter().enumerate() {
        let supplier = suppliers.get(item.supplier_id.as_str()).ok_or_else(|| {
            KassaError::validation(item_field(i, "supplierId"), "unknown supplier")
        })?;
        if item.unit_cost.currency() != supplier.currency {
            return Err(KassaError::validation(
                item_field(i, "unitCost.currency"),
                format!("must be the supplier currency {}", supplier.currency),
            ));
        }
        if item.unit_cost.is_negative() {
            return Err(KassaError::validation(
                item_field(i, "unitCost"),
                "must not be negative",
            ));
        }
        if item.on_hand < 0 || item.reserved < 0 || item.on_order < 0 {
            return Err(KassaError::validation(
                item_field(i, "onHand"),
                "stock figures must not be negative",
            ));
        }
        let available = item.on_hand - item.reserved;
        let projected = available
            .checked_add(item.on_order)
            .ok_or_else(|| KassaError::validation(item_field(i, "onOrder"), "out of range"))?;
        if let Some(alert) = low_stock(
            &item.sku,
            &item.location,
            available,
            item.policy.reorder_level(),
        ) {
            alerts.push(alert);
        }
        let moq = supplier.minimum_order_quantity;
        let decision = match item.policy {
            ReorderPolicy::ReorderPoint {
                reorder_level,
                order_quantity,
            } => reorder_point_quantity(
                projected,
                reorder_level,
                order_quantity,
                item.order_multiple,
                moq,
            ),
            ReorderPolicy::MinMax { min, max } => min_max(&MinMaxInput {
                projected,
                min,
                max,
                order_multiple: item.order_multiple,
                minimum_order_quantity: moq,
            }),
            ReorderPolicy::SS { s, big_s } => s_s(&SsInput {
                position: projected,
                s,
                big_s,
                order_multiple: item.order_multiple,
                minimum_order_quantity: moq,
            }),
        }
        .map_err(|e| prefix(e, &format!("items[{i}]")))?;
        if decision.quantity <= 0 {
            continue;
        }
        let quantity_u = u64::try_from(decision.quantity)
            .map_err(|_| KassaError::validation(item_field(i, "quantity"), "out of range"))?;
        let line_total = item.unit_cost.times(quantity_u)?;
        let draft = groups
            .entry((item.supplier_id.as_str(), item.location.as_str()))
            .or_insert_with(|| PurchaseOrderDraft {
                supplier_id: item.supplier_id.clone(),
                location: item.location.clone(),
                currency: supplier.currency,
                lines: Vec::new(),
                total: Money::zero(supplier.currency),
            });
        draft.total = draft.total.checked_add(&line_total)?;
        draft.lines.push(PurchaseOrderDraftLine {
            sku: item.sku.clone(),
            quantity: decision.quantity,
            unit_cost: item.unit_cost,
            line_total,
        });
        suggestions.push(ReorderSuggestion {
            sku: item.sku.clone(),
            location: item.location.clone(),
            supplier_id: item.supplier_id.clone(),
            projected,
            quantity: decision.quantity,
            reasons: decision.reasons,
        });
    }
    Ok(ReorderRunResult {
        suggestions,
        alerts,
        purchase_orders: groups.into_values().collect(),
    })
}

/// Prefixes the field paths of a validation error with `items[i]` etc.
fn prefix(mut e: KassaError, path: &str) -> KassaError {
    for d in &mut e.details {
        d.field = format!("{path}.{}", d.field);
    }
    e
}
