//! In-memory catalog store: a validated [`Catalog`] snapshot swapped on every write.

use super::lock::lock;
use crate::catalog::{Catalog, CatalogData, Product};
use crate::error::{KassaError, Result};
use crate::ports::{CatalogStore, PortHealth, PricingRules};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
struct State {
    catalog: Arc<Catalog>,
    rules: PricingRules,
}

/// The catalog and pricing rules in memory.
#[derive(Debug)]
pub struct MemoryCatalog {
    state: Mutex<State>,
}

impl MemoryCatalog {
    /// A store holding `catalog` and `rules`.
    pub fn new(catalog: Catalog, rules: PricingRules) -> Self {
        MemoryCatalog {
            state: Mutex::new(State {
                catalog: Arc::new(catalog),
                rules,
            }),
        }
    }

    /// A store from raw catalog data (validated).
    pub fn from_data(data: CatalogData, rules: PricingRules) -> Result<Self> {
        Ok(MemoryCatalog::new(Catalog::new(data)?, rules))
    }

    fn write(&self, change: impl FnOnce(&mut CatalogData) -> Result<()>) -> Result<()> {
        let mut s = lock(&self.state, "catalog")?;
        let mut data = s.catalog.to_data();
        change(&mut data)?;
        let max = s.catalog.max_page_size();
        let next = Catalog::new(data)?.with_max_page_size(max);
        s.catalog = Arc::new(next);
        Ok(())
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl CatalogStore for MemoryCatalog {
    async fn catalog(&self) -> Result<Arc<Catalog>> {
        Ok(lock(&self.state, "catalog")?.catalog.clone())
    }

    async fn create_product(&self, product: Product) -> Result<Product> {
        self.write(|data| {
            if data.products.iter().any(|p| p.id == product.id) {
                return Err(KassaError::conflict(format!(
                    "product '{}' already exists",
                    product.id
                ))
                .with_detail("id", "already exists"));
            }
            data.products.push(product.clone());
            Ok(())
        })?;
        Ok(product)
    }

    async fn update_product(&self, product: Product) -> Result<Product> {
        self.write(|data| {
            let slot = data
                .products
                .iter_mut()
                .find(|p| p.id == product.id)
                .ok_or_else(|| KassaError::not_found("product", &product.id))?;
            *slot = product.clone();
            Ok(())
        })?;
        Ok(product)
    }

    async fn pricing_rules(&self) -> Result<PricingRules> {
        Ok(lock(&self.state, "catalog")?.rules.clone())
    }

    async fn set_pricing_rules(&self, rules: PricingRules) -> Result<()> {
        lock(&self.state, "catalog")?.rules = rules;
        Ok(())
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "catalog") {
            Ok(s) => PortHealth::up(
                "catalog",
                format!("in-memory, {} products", s.catalog.products().len()),
            ),
            Err(e) => PortHealth::down("catalog", e.message),
        }
    }
}
