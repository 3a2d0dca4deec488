//! Carts: one row each, compare-and-set on the version.

use crate::db::{db_err, from_json, ns, to_json, Db};
use kassa::ports::{CartStore, PortHealth, StoredCart};
use kassa::{KassaError, Result};
use sqlx::Row;

/// The cart store over SQL.
#[derive(Debug)]
pub struct SqlCarts {
    db: Db,
}

impl SqlCarts {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlCarts { db }
    }
}

#[async_trait::async_trait]
impl CartStore for SqlCarts {
    async fn get(&self, cart_id: &str) -> Result<Option<StoredCart>> {
        let row = sqlx::query("SELECT data FROM kassa_carts WHERE id = $1")
            .bind(cart_id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(Some(from_json(
                &r.try_get::<String, _>(0).map_err(db_err)?,
            )?)),
            None => Ok(None),
        }
    }

    async fn save(&self, mut cart: StoredCart) -> Result<StoredCart> {
        if cart.id.trim().is_empty() {
            return Err(KassaError::validation("cartId", "must not be empty"));
        }
        let expected = i64::try_from(cart.version)
            .map_err(|_| KassaError::validation("version", "too large"))?;
        cart.version += 1;
        let data = to_json(&cart)?;
        let done = if expected == 0 {
            sqlx::query(
                "INSERT INTO kassa_carts (id, owner_id, version, updated_at_ns, data) \
                 VALUES ($1, $2, 1, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&cart.id)
            .bind(&cart.owner_id)
            .bind(ns(cart.updated_at)?)
            .bind(data)
            .execute(self.db.pool())
            .await
        } else {
            sqlx::query(
                "UPDATE kassa_carts SET owner_id = $2, version = $3 + 1, updated_at_ns = $4, \
                 data = $5 WHERE id = $1 AND version = $3",
            )
            .bind(&cart.id)
            .bind(&cart.owner_id)
            .bind(expected)
            .bind(ns(cart.updated_at)?)
            .bind(data)
            .execute(self.db.pool())
            .await
        }
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(KassaError::conflict(format!(
                "cart '{}' changed meanwhile (version {expected} expected)",
                cart.id
            )));
        }
        Ok(cart)
    }

    async fn delete(&self, cart_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM kassa_carts WHERE id = $1")
            .bind(cart_id)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn health(&self) -> PortHealth {
        self.db.health("carts").await
    }
}
