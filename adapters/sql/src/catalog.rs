//! The catalog and pricing rules: one versioned row; every process caches the validated
//! snapshot and reloads it only when the version moved.

use crate::db::{db_err, from_json, to_json, Db};
use kassa::catalog::{Catalog, CatalogData, Product};
use kassa::ports::{CatalogStore, PortHealth, PricingRules};
use kassa::{KassaError, Result};
use sqlx::Row;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub(crate) struct Cached {
    version: i64,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) rules: PricingRules,
}

/// The catalog store over SQL.
#[derive(Debug)]
pub struct SqlCatalog {
    db: Db,
    cache: Mutex<Option<Cached>>,
}

impl SqlCatalog {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlCatalog {
            db,
            cache: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<Cached> {
        self.cache.lock().ok().and_then(|c| c.clone())
    }

    /// The current snapshot: one round trip that returns the data only when the version
    /// differs from the cached one.
    async fn current(&self) -> Result<Cached> {
        Ok(self.current_with_cart(None).await?.0)
    }

    /// The catalog and rules (as [`SqlCatalog::current`]) and, with `cart_id`, that cart's
    /// stored JSON, in the same round trip: the reads a checkout starts with.
    pub(crate) async fn current_with_cart(
        &self,
        cart_id: Option<&str>,
    ) -> Result<(Cached, Option<String>)> {
        Ok(self.current_with(cart_id, None).await?.0)
    }

    /// [`SqlCatalog::current_with_cart`], and with `key` (scope, key) whether that
    /// idempotency key has a record, still in the same round trip.
    pub(crate) async fn current_with(
        &self,
        cart_id: Option<&str>,
        key: Option<(&str, &str)>,
    ) -> Result<((Cached, Option<String>), bool)> {
        let have = self.cached();
        let known = have.as_ref().map_or(-1, |c| c.version);
        let query = match (cart_id, key) {
            (None, _) => sqlx::query(
                "SELECT version, CASE WHEN version = $1 THEN NULL ELSE data END, \
                 CASE WHEN version = $1 THEN NULL ELSE rules END FROM kassa_catalog WHERE id = 1",
            )
            .bind(known),
            (Some(id), None) => sqlx::query(
                "SELECT version, CASE WHEN version = $1 THEN NULL ELSE data END, \
                 CASE WHEN version = $1 THEN NULL ELSE rules END, \
                 (SELECT data FROM kassa_carts WHERE id = $2) FROM kassa_catalog WHERE id = 1",
            )
            .bind(known)
            .bind(id),
            (Some(id), Some((scope, key))) => sqlx::query(
                "SELECT version, CASE WHEN version = $1 THEN NULL ELSE data END, \
                 CASE WHEN version = $1 THEN NULL ELSE rules END, \
                 (SELECT data FROM kassa_carts WHERE id = $2), \
                 (SELECT COUNT(*) FROM kassa_idempotency WHERE scope = $3 AND key = $4) \
                 FROM kassa_catalog WHERE id = 1",
            )
            .bind(known)
            .bind(id)
            .bind(scope)
            .bind(key),
        };
        let row = query.fetch_one(self.db.pool()).await.map_err(db_err)?;
        let key_exists = match (cart_id, key) {
            (Some(_), Some(_)) => row.try_get::<i64, _>(4).map_err(db_err)? > 0,
            _ => false,
        };
        let cart: Option<String> = match cart_id {
            Some(_) => row.try_get(3).map_err(db_err)?,
            None => None,
        };
        let version: i64 = row.try_get(0).map_err(db_err)?;
        if let Some(c) = have.filter(|c| c.version == version) {
            return Ok(((c, cart), key_exists));
        }
        let data: Option<String> = row.try_get(1).map_err(db_err)?;
        let rules: Option<String> = row.try_get(2).map_err(db_err)?;
        let (Some(data), Some(rules)) = (data, rules) else {
            return Err(KassaError::internal("catalog row changed while read"));
        };
        let catalog = Catalog::new(from_json::<CatalogData>(&data)?)?;
        let fresh = Cached {
            version,
            catalog: Arc::new(catalog),
            rules: from_json(&rules)?,
        };
        if let Ok(mut c) = self.cache.lock() {
            *c = Some(fresh.clone());
        }
        Ok(((fresh, cart), key_exists))
    }

    /// Replaces catalog and rules at once (validated first; nothing changes on error).
    pub async fn replace(&self, data: CatalogData, rules: PricingRules) -> Result<()> {
        Catalog::new(data.clone())?;
        sqlx::query(
            "UPDATE kassa_catalog SET data = $1, rules = $2, version = version + 1 WHERE id = 1",
        )
        .bind(to_json(&data)?)
        .bind(to_json(&rules)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    /// Replaces catalog and rules only if the catalog row was never written since the
    /// migration created it (a fresh database), in one conditional `UPDATE`: of several
    /// processes opening a fresh database at once exactly one loads it. Returns whether it
    /// did.
    pub async fn seed_if_fresh(&self, data: CatalogData, rules: PricingRules) -> Result<bool> {
        Catalog::new(data.clone())?;
        let done = sqlx::query(
            "UPDATE kassa_catalog SET data = $1, rules = $2, version = version + 1 \
             WHERE id = 1 AND version = 1",
        )
        .bind(to_json(&data)?)
        .bind(to_json(&rules)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes the catalog data in one transaction holding the catalog row.
    async fn write(&self, change: impl FnOnce(&mut CatalogData) -> Result<()>) -> Result<()> {
        let mut tx = self.db.pool().begin().await.map_err(db_err)?;
        let sql = format!(
            "SELECT data FROM kassa_catalog WHERE id = 1{}",
            self.db.for_update()
        );
        let row = sqlx::query(&sql)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut data: CatalogData = from_json(&row.try_get::<String, _>(0).map_err(db_err)?)?;
        change(&mut data)?;
        Catalog::new(data.clone())?;
        sqlx::query("UPDATE kassa_catalog SET data = $1, version = version + 1 WHERE id = 1")
            .bind(to_json(&data)?)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }
}

#[async_trait::async_trait]
impl CatalogStore for SqlCatalog {
    async fn catalog(&self) -> Result<Arc<Catalog>> {
        Ok(self.current().await?.catalog)
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
        })
        .await?;
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
        })
        .await?;
        Ok(product)
    }

    async fn pricing_rules(&self) -> Result<PricingRules> {
        Ok(self.current().await?.rules)
    }

    async fn set_pricing_rules(&self, rules: PricingRules) -> Result<()> {
        sqlx::query("UPDATE kassa_catalog SET rules = $1, version = version + 1 WHERE id = 1")
            .bind(to_json(&rules)?)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn health(&self) -> PortHealth {
        self.db.health("catalog").await
    }
}
