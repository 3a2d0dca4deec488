//! Suppliers: who we buy from, how long they take, how little they sell, in which currency.

use crate::error::{KassaError, Result};
use crate::money::Currency;
use serde::{Deserialize, Serialize};

/// A supplier's purchasing terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Supplier {
    /// Supplier id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Days from sending a purchase order to receiving the goods (≥ 0).
    pub lead_time_days: u32,
    /// Smallest quantity per purchase order line (0 = no minimum).
    #[serde(default)]
    pub minimum_order_quantity: i64,
    /// The currency the supplier invoices in; every cost price of its lines must use it.
    pub currency: Currency,
}

impl Supplier {
    /// Checks the terms: an id and a non-negative minimum order quantity.
    pub fn validate(&self) -> Result<()> {
        if self.id.trim().is_empty() {
            return Err(KassaError::validation("id", "must not be empty"));
        }
        if self.minimum_order_quantity < 0 {
            return Err(KassaError::validation(
                "minimumOrderQuantity",
                "must not be negative",
            ));
        }
        Ok(())
    }
}
