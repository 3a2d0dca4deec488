//! The input line of pricing: a cart line already resolved against the catalog.

use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One cart line resolved against the catalog: everything pricing needs to know about it.
///
/// The unit price always comes from the catalog (see `cart::Cart::pricing_lines`), never
/// from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PricingLine {
    /// Stable id of the line within its cart (used in explanations and allocations); shared
    /// with the priced line rather than copied.
    pub line_id: Arc<str>,
    /// Stock keeping unit of the variant.
    pub sku: String,
    /// Product the variant belongs to.
    pub product_id: String,
    /// Categories of the product, including all their ancestors.
    #[serde(default)]
    pub category_ids: Vec<String>,
    /// Units ordered (at least 1).
    pub quantity: u32,
    /// Catalog unit price for the cart's region, channel and currency.
    pub unit_price: Money,
    /// Whether `unit_price` already includes tax.
    #[serde(default)]
    pub tax_inclusive: bool,
    /// Product tax class (e.g. `"standard"`, `"reduced"`, `"zero"`).
    #[serde(default = "default_tax_class")]
    pub tax_class: String,
    /// Weight of one unit in grams (for weight-based shipping).
    #[serde(default)]
    pub weight_grams: u64,
    /// The catalog's compare-at ("was") price, for display only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at: Option<Money>,
}

fn default_tax_class() -> String {
    "standard".to_owned()
}
