//! The catalog store port: the product catalog and the pricing rules.

use super::health::PortHealth;
use crate::catalog::{Catalog, Product};
use crate::error::Result;
/// The rules pricing needs besides the cart lines: the same type a
/// [`Pricer`](crate::pricing::Pricer) holds, so a catalog store's rules price carts directly.
pub use crate::pricing::PricingRules;
use std::sync::Arc;

/// The catalog (an immutable, validated snapshot; writes swap in a new one) and the pricing
/// rules.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait CatalogStore: Send + Sync {
    /// The current catalog.
    async fn catalog(&self) -> Result<Arc<Catalog>>;
    /// Adds a product; a taken id, slug or SKU is a `CONFLICT`, invalid data a
    /// `VALIDATION_ERROR` (nothing changes).
    async fn create_product(&self, product: Product) -> Result<Product>;
    /// Replaces a product by id; unknown id is `NOT_FOUND`, invalid data a
    /// `VALIDATION_ERROR` (nothing changes).
    async fn update_product(&self, product: Product) -> Result<Product>;
    /// The pricing rules.
    async fn pricing_rules(&self) -> Result<PricingRules>;
    /// Replaces the pricing rules.
    async fn set_pricing_rules(&self, rules: PricingRules) -> Result<()>;
    /// Health.
    async fn health(&self) -> PortHealth;
}
