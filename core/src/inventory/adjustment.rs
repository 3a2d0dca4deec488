//! Stock adjustments (admin inventory update, barcode scan, receiving) and their audit entries.
//!
//! An adjustment either sets on-hand to a counted value or moves it by a delta, always with a
//! reason and the actor. [`apply_adjustment`] is pure: it returns the new on-hand figure and
//! the audit entry; the engine persists both atomically.
//!
//! Rules (docs/inventory.md):
//! - `received` and `return` deltas must be positive, `damaged` deltas negative,
//!   `count_correction` deltas non-zero; a `set` is a stock count and only takes
//!   `count_correction`.
//! - On hand never goes negative (`VALIDATION_ERROR` on `quantity`): Kassa does not model
//!   negative physical stock; backorders are reservations, not negative on-hand.
//! - On hand never drops below reserved (`CONFLICT`, meta `reserved`): release or re-allocate
//!   the reservations first, so available = on hand − reserved stays ≥ 0.

use crate::error::{ErrorCode, KassaError, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentReason {
    /// Goods received (purchase order receipt or manual receiving).
    Received,
    /// Goods damaged or lost.
    Damaged,
    /// A stock count corrected the figure.
    CountCorrection,
    /// A customer return restocked goods.
    Return,
}

/// Set on hand to a value, or move it by a delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum AdjustmentChange {
    /// On hand becomes `quantity` (a count).
    Set {
        /// The counted quantity.
        quantity: i64,
    },
    /// On hand moves by `quantity` (positive or negative).
    Delta {
        /// The change.
        quantity: i64,
    },
}

/// A requested adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Adjustment {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location: String,
    /// Set or delta.
    pub change: AdjustmentChange,
    /// Why.
    pub reason: AdjustmentReason,
    /// Who (user id, `"system"`, `"scanner:<id>"`).
    pub actor: String,
    /// Free text (e.g. the purchase order and receipt ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The audit-log entry of one applied stock change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Entry id (from the engine's id generator).
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Location.
    pub location: String,
    /// On hand before.
    pub on_hand_before: i64,
    /// On hand after.
    pub on_hand_after: i64,
    /// after − before.
    pub delta: i64,
    /// Why.
    pub reason: AdjustmentReason,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub use super::stock::StockLevel;

/// Applies `adj` to `level` (the level of the adjustment's SKU and location); returns the
/// new level and the audit entry (`id`, `at` given). Pure: the inventory store runs it under
/// its lock ([`crate::inventory::reservation::InventoryLedger::apply_adjustments`]) so the
/// level and the audit entry are persisted together.
pub fn apply_adjustment(
    level: &StockLevel,
    adj: &Adjustment,
    id: &str,
    at: DateTime<Utc>,
) -> Result<(StockLevel, AuditEntry)> {
    if adj.actor.trim().is_empty() {
        return Err(KassaError::validation("actor", "must not be empty"));
    }
    if adj.sku.trim().is_empty() {
        return Err(KassaError::validation("sku", "must not be empty"));
    }
    if adj.location.trim().is_empty() {
        return Err(KassaError::validation("location", "must not be empty"));
    }
    if level.sku != adj.sku || level.location_id != adj.location {
        return Err(KassaError::validation(
            "level",
            format!(
                "the level is of {} at {}, the adjustment of {} at {}",
                level.sku, level.location_id, adj.sku, adj.location
            ),
        ));
    }
    let on_hand = i128::from(level.on_hand);
    let new_on_hand: i128 = match adj.change {
        AdjustmentChange::Set { quantity } => {
            if adj.reason != AdjustmentReason::CountCorrection {
                return Err(KassaError::validation(
                    "reason",
                    "a set (stock count) takes reason count_correction",
                ));
            }
            i128::from(quantity)
        }
        AdjustmentChange::Delta { quantity } => {
            let ok = match adj.reason {
                AdjustmentReason::Received | AdjustmentReason::Return => quantity > 0,
                AdjustmentReason::Damaged => quantity < 0,
                AdjustmentReason::CountCorrection => quantity != 0,
            };
            if !ok {
                return Err(KassaError::validation(
                    "change.quantity",
                    "sign does not match the reason (received/return > 0, damaged < 0, count_correction ≠ 0)",
                ));
            }
            on_hand + i128::from(quantity)
        }
    };
    if new_on_hand < 0 {
        return Err(KassaError::validation(
            "change.quantity",
            format!("on hand would become {new_on_hand}; it must not be negative"),
        ));
    }
    let (Ok(after), Ok(before)) = (i64::try_from(new_on_hand), i64::try_from(on_hand)) else {
        return Err(KassaError::validation("change.quantity", "out of range"));
    };
    let new_level = u64::try_from(new_on_hand)
        .map_err(|_| KassaError::validation("change.quantity", "out of range"))?;
    if new_level < level.reserved {
        return Err(KassaError::new(
            ErrorCode::Conflict,
            format!(
                "on hand would become {new_on_hand}, below the {} reserved units",
                level.reserved
            ),
        )
        .with_meta("reserved", level.reserved)
        .with_meta("onHand", after));
    }
    let entry = AuditEntry {
        id: id.to_string(),
        sku: adj.sku.clone(),
        location: adj.location.clone(),
        on_hand_before: before,
        on_hand_after: after,
        delta: after - before,
        reason: adj.reason,
        actor: adj.actor.clone(),
        at,
        note: adj.note.clone(),
    };
    Ok((
        StockLevel {
            on_hand: new_level,
            ..level.clone()
        },
        entry,
    ))
}

/// An adjustment applied to a stock level, as one request (vectors and bindings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AdjustRequest {
    /// The stock level before.
    pub level: StockLevel,
    /// The adjustment.
    pub adjustment: Adjustment,
    /// Audit entry id.
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The result of [`adjust`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AdjustResult {
    /// The stock level after.
    pub level: StockLevel,
    /// The audit entry.
    pub audit: AuditEntry,
}

/// Runs an [`AdjustRequest`] through [`apply_adjustment`].
pub fn adjust(req: AdjustRequest) -> Result<AdjustResult> {
    let (level, audit) = apply_adjustment(&req.level, &req.adjustment, &req.id, req.at)?;
    Ok(AdjustResult { level, audit })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adj(change: AdjustmentChange, reason: AdjustmentReason) -> Adjustment {
        Adjustment {
            sku: "A".into(),
            location: "W1".into(),
            change,
            reason,
            actor: "admin-1".into(),
            note: None,
        }
    }

    #[test]
    fn set_delta_and_refusals() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let lvl = StockLevel {
            sku: "A".into(),
            location_id: "W1".into(),
            on_hand: 10,
            reserved: 3,
        };
        let (l, e) = apply_adjustment(
            &lvl,
            &adj(
                AdjustmentChange::Delta { quantity: 5 },
                AdjustmentReason::Received,
            ),
            "e1",
            at,
        )
        .unwrap();
        assert_eq!((l.on_hand, e.delta, e.on_hand_before), (15, 5, 10));
        let (l, e) = apply_adjustment(
            &lvl,
            &adj(
                AdjustmentChange::Set { quantity: 4 },
                AdjustmentReason::CountCorrection,
            ),
            "e2",
            at,
        )
        .unwrap();
        assert_eq!((l.on_hand, e.delta), (4, -6));
        let err = apply_adjustment(
            &lvl,
            &adj(
                AdjustmentChange::Delta { quantity: -11 },
                AdjustmentReason::Damaged,
            ),
            "e3",
            at,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationError);
        let err = apply_adjustment(
            &lvl,
            &adj(
                AdjustmentChange::Delta { quantity: -8 },
                AdjustmentReason::Damaged,
            ),
            "e4",
            at,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        let err = apply_adjustment(
            &lvl,
            &adj(
                AdjustmentChange::Delta { quantity: 2 },
                AdjustmentReason::Damaged,
            ),
            "e5",
            at,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationError);
        let err = apply_adjustment(
            &lvl,
            &adj(
                AdjustmentChange::Set { quantity: 2 },
                AdjustmentReason::Received,
            ),
            "e6",
            at,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationError);
    }
}
