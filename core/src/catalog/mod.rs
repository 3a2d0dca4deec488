//! Catalog: products, variants (SKUs), categories, scoped prices, product queries, related
//! products and image upload validation.
//!
//! The raw data ([`CatalogData`]: [`Category`], [`Product`], [`Variant`], [`Price`]) is
//! plain serde; [`Catalog::new`] validates it (unique ids, slugs and SKUs, known categories
//! without cycles, well-formed slugs, SKUs, GTINs and prices) and builds the indexes every
//! lookup, price resolution ([`Catalog::resolve_price`]) and query ([`Catalog::query`],
//! [`Catalog::related`]) uses. Text is case- and accent-folded once, at build time.

mod fold;
mod generate;
pub mod image;
mod index;
mod model;
pub mod ops;
mod price;
mod query;
mod rules;
mod search;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

pub use fold::fold;
pub use generate::generate_catalog;
pub use image::{validate_image, ImageError, ImageFormat, ImageInfo, ImageRules};
pub use index::Catalog;
pub use model::{CatalogData, Category, ImageMeta, Price, Product, Variant};
pub use price::{margin, Margin, PriceContext, PriceScope, ResolvedPrice};
pub use query::{ProductQuery, ProductSummary, SortKey, DEFAULT_RELATED_LIMIT, MAX_QUERY_TEXT};
pub use rules::{check_sku, check_slug, is_valid_gtin, is_valid_slug, slugify};

/// A stock snapshot: SKU → units available to sell. A SKU missing from it has none.
pub type Availability = BTreeMap<String, u64>;

/// Anything that tells how many units of a SKU are available (0 when unknown).
pub trait StockLevels {
    /// Units of `sku` available to sell.
    fn available(&self, sku: &str) -> u64;
}

impl StockLevels for BTreeMap<String, u64> {
    fn available(&self, sku: &str) -> u64 {
        self.get(sku).copied().unwrap_or(0)
    }
}

impl<S: std::hash::BuildHasher> StockLevels for HashMap<String, u64, S> {
    fn available(&self, sku: &str) -> u64 {
        self.get(sku).copied().unwrap_or(0)
    }
}
