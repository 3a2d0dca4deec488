//! Low-stock decisions: when available stock is below the reorder level.

use serde::{Deserialize, Serialize};

/// Available stock of a SKU at a location is below its reorder level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct LowStockAlert {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location: String,
    /// Available = on hand − reserved.
    pub available: i64,
    /// The policy's reorder level (R, min or s).
    pub reorder_level: i64,
}

/// An alert when `available < reorder_level` (strictly below), otherwise `None`.
pub fn low_stock(
    sku: &str,
    location: &str,
    available: i64,
    reorder_level: i64,
) -> Option<LowStockAlert> {
    (available < reorder_level).then(|| LowStockAlert {
        sku: sku.to_string(),
        location: location.to_string(),
        available,
        reorder_level,
    })
}

/// True when a stock change makes available stock *fall* below the level (it was at or above
/// it before): the engine emits one low-stock event per crossing, not one per sale.
pub fn crossed_below(available_before: i64, available_after: i64, reorder_level: i64) -> bool {
    available_before >= reorder_level && available_after < reorder_level
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictly_below_and_crossings() {
        assert!(low_stock("A", "W", 4, 5).is_some());
        assert!(low_stock("A", "W", 5, 5).is_none());
        assert!(crossed_below(5, 4, 5));
        assert!(!crossed_below(4, 3, 5));
        assert!(!crossed_below(6, 5, 5));
    }
}
