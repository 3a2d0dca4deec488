//! Shipping rates: flat, weight tiers, price tiers, free over a threshold.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// One shipping method with its price rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ShippingRate {
    /// Unique id (what `shippingMethod` names).
    pub id: String,
    /// Regions served (empty: every region).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// How the price is computed.
    pub calculation: ShippingCalculation,
    /// Shipping is free when the discounted merchandise subtotal reaches this amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_over: Option<Money>,
}

/// How a shipping rate computes its price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ShippingCalculation {
    /// One price for any cart.
    Flat {
        /// The price.
        price: Money,
    },
    /// The first tier (by `maxGrams`) that holds the cart's total weight; heavier carts
    /// cannot use this rate.
    WeightTiers {
        /// Tiers, any order.
        tiers: Vec<WeightTier>,
    },
    /// The highest tier whose `minSubtotal` the discounted merchandise subtotal reaches;
    /// the lowest tier must start at zero.
    PriceTiers {
        /// Tiers, any order.
        tiers: Vec<PriceTier>,
    },
}

/// A weight tier: carts up to `maxGrams` (inclusive) pay `price`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct WeightTier {
    /// Upper bound of the total weight in grams, inclusive.
    pub max_grams: u64,
    /// The price.
    pub price: Money,
}

/// A price tier: carts from `minSubtotal` (inclusive) pay `price`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PriceTier {
    /// Lower bound of the discounted merchandise subtotal, inclusive.
    pub min_subtotal: Money,
    /// The price.
    pub price: Money,
}
