//! The catalog's data: categories, products, variants, scoped prices and image metadata.
//!
//! These are plain serde types (the form hosts send and the sample data uses). A
//! [`Catalog`](super::Catalog) validates them and builds the lookup indexes.

use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A category; categories form a tree through `parent_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unique URL slug (`lowercase-words-with-hyphens`).
    pub slug: String,
    /// Parent category; `None` for a root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

/// Metadata of one product image (the bytes live elsewhere; see [`super::image`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ImageMeta {
    /// Where the image is served from.
    pub url: String,
    /// Alternative text.
    #[serde(default)]
    pub alt: String,
    /// Width in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// One price of a variant, scoped by currency and optionally by region and/or channel.
///
/// The most specific matching scope wins (see [`Catalog::resolve_price`](super::Catalog::resolve_price)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    /// The amount (its currency is the price's currency); rounded to the minor unit.
    pub amount: Money,
    /// Region this price applies to (`None`: every region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Sales channel this price applies to (`None`: every channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Whether `amount` already includes tax.
    #[serde(default)]
    pub tax_inclusive: bool,
    /// The "was" price shown struck through; same currency as `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at: Option<Money>,
}

/// A purchasable variant of a product, identified by its SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    /// Stock keeping unit, unique across the catalog.
    pub sku: String,
    /// Variant label, e.g. `"Red / M"` (may be empty for a single-variant product).
    #[serde(default)]
    pub name: String,
    /// Option values, e.g. `{"color": "red", "size": "M"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// GTIN (EAN-8, UPC-A, EAN-13 or GTIN-14 digits with a valid check digit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// Any other barcode the shop uses (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// Weight of one unit in grams.
    #[serde(default)]
    pub weight_grams: u64,
    /// Scoped prices; at most one per (currency, region, channel).
    #[serde(default)]
    pub prices: Vec<Price>,
    /// What one unit costs the shop (for margins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    /// Whether the variant is for sale.
    #[serde(default = "yes")]
    pub active: bool,
}

/// A product: what a shopper sees, with one or more variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unique URL slug.
    pub slug: String,
    /// Long description (plain text).
    #[serde(default)]
    pub description: String,
    /// Categories the product is placed in directly (ancestors are implied).
    #[serde(default)]
    pub category_ids: Vec<String>,
    /// Whether the product is for sale and listed.
    #[serde(default = "yes")]
    pub active: bool,
    /// Whether the product is featured.
    #[serde(default)]
    pub featured: bool,
    /// Tax class (e.g. `"standard"`, `"reduced"`, `"zero"`).
    #[serde(default = "standard")]
    pub tax_class: String,
    /// Images, in display order.
    #[serde(default)]
    pub images: Vec<ImageMeta>,
    /// When the product was created.
    pub created_at: DateTime<Utc>,
    /// The purchasable variants (at least one).
    pub variants: Vec<Variant>,
}

/// The raw, unvalidated form of a catalog: what hosts send and sample files hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CatalogData {
    /// Every category.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// Every product.
    #[serde(default)]
    pub products: Vec<Product>,
}

fn yes() -> bool {
    true
}

fn standard() -> String {
    "standard".to_owned()
}
