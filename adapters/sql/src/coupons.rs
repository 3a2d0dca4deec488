//! Coupon redemptions: redeem-if-under-limit is one transaction holding the code's row.

use crate::db::{db_err, int, uint, Db};
use kassa::memory::normalize_code;
use kassa::ports::{CouponLimits, CouponRedemption, CouponStore, CouponUsage, PortHealth};
use kassa::{KassaError, Result};
use sqlx::{Any, Row, Transaction};

/// The coupon store over SQL.
#[derive(Debug)]
pub struct SqlCoupons {
    db: Db,
}

impl SqlCoupons {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlCoupons { db }
    }

    async fn usage_in<'c, E>(ex: E, code: &str) -> Result<CouponUsage>
    where
        E: sqlx::Executor<'c, Database = Any>,
    {
        let rows = sqlx::query(
            "SELECT reference, customer_id FROM kassa_coupon_redemptions WHERE code = $1 ORDER BY seq",
        )
        .bind(code)
        .fetch_all(ex)
        .await
        .map_err(db_err)?;
        let mut redemptions = Vec::with_capacity(rows.len());
        for r in rows {
            redemptions.push(CouponRedemption {
                reference: r.try_get(0).map_err(db_err)?,
                customer_id: r.try_get(1).map_err(db_err)?,
            });
        }
        Ok(CouponUsage {
            code: code.to_owned(),
            redemptions,
        })
    }

    async fn lock_code(&self, tx: &mut Transaction<'static, Any>, code: &str) -> Result<u64> {
        lock_code(&self.db, tx, code).await
    }
}

/// Creates the code's row if missing and locks it; returns its redemption count.
async fn lock_code(db: &Db, tx: &mut Transaction<'static, Any>, code: &str) -> Result<u64> {
    sqlx::query(
        "INSERT INTO kassa_coupons (code, used) VALUES ($1, 0) ON CONFLICT (code) DO NOTHING",
    )
    .bind(code)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    let sql = format!(
        "SELECT used FROM kassa_coupons WHERE code = $1{}",
        db.for_update()
    );
    let used: i64 = sqlx::query(&sql)
        .bind(code)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?
        .try_get(0)
        .map_err(db_err)?;
    Ok(uint(used))
}

#[async_trait::async_trait]
impl CouponStore for SqlCoupons {
    async fn usage(&self, code: &str) -> Result<Option<CouponUsage>> {
        let code = normalize_code(code)?;
        let exists = sqlx::query("SELECT 1 FROM kassa_coupons WHERE code = $1")
            .bind(&code)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?
            .is_some();
        if !exists {
            return Ok(None);
        }
        Ok(Some(Self::usage_in(self.db.pool(), &code).await?))
    }

    async fn redeem(
        &self,
        code: &str,
        reference: &str,
        customer_id: &str,
        limits: CouponLimits,
    ) -> Result<CouponUsage> {
        let code = normalize_code(code)?;
        let mut tx = self.db.pool().begin().await.map_err(db_err)?;
        redeem_in(&self.db, &mut tx, &code, reference, customer_id, limits).await?;
        let usage = Self::usage_in(&mut *tx, &code).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(usage)
    }

    async fn undo(&self, code: &str, reference: &str) -> Result<bool> {
        let code = normalize_code(code)?;
        let mut tx = self.db.pool().begin().await.map_err(db_err)?;
        let used = self.lock_code(&mut tx, &code).await?;
        let done =
            sqlx::query("DELETE FROM kassa_coupon_redemptions WHERE code = $1 AND reference = $2")
                .bind(&code)
                .bind(reference)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        let removed = done.rows_affected() > 0;
        if removed {
            sqlx::query("UPDATE kassa_coupons SET used = $2 WHERE code = $1")
                .bind(&code)
                .bind(int(used.saturating_sub(1), "used")?)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
        } else {
            tx.rollback().await.map_err(db_err)?;
        }
        Ok(removed)
    }

    async fn health(&self) -> PortHealth {
        self.db.health("coupons").await
    }
}

/// Redeems the normalized `code` for `reference` inside `tx` if both limits allow it (the
/// semantics of [`CouponStore::redeem`]); nothing is committed.
pub(crate) async fn redeem_in(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    code: &str,
    reference: &str,
    customer_id: &str,
    limits: CouponLimits,
) -> Result<()> {
    let used = lock_code(db, tx, code).await?;
    let already =
        sqlx::query("SELECT 1 FROM kassa_coupon_redemptions WHERE code = $1 AND reference = $2")
            .bind(code)
            .bind(reference)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?
            .is_some();
    if !already {
        let reached = |limit: u64, what: &str| limit_reached(code, limit, what);
        if let Some(limit) = limits.overall {
            if used >= limit {
                return Err(reached(limit, "overall"));
            }
        }
        if let Some(limit) = limits.per_customer {
            let by: i64 = sqlx::query(
                "SELECT COUNT(*) FROM kassa_coupon_redemptions WHERE code = $1 AND customer_id = $2",
            )
            .bind(code)
            .bind(customer_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)?;
            if uint(by) >= limit {
                return Err(reached(limit, "per-customer"));
            }
        }
        let seq: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM kassa_coupon_redemptions WHERE code = $1",
        )
        .bind(code)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?
        .try_get(0)
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO kassa_coupon_redemptions (code, reference, customer_id, seq) VALUES ($1, $2, $3, $4)",
        )
        .bind(code)
        .bind(reference)
        .bind(customer_id)
        .bind(seq)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        sqlx::query("UPDATE kassa_coupons SET used = $2 WHERE code = $1")
            .bind(code)
            .bind(int(used + 1, "used")?)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// The `CONFLICT` of a coupon at its limit (`what`: `overall`, `per-customer`).
pub(crate) fn limit_reached(code: &str, limit: u64, what: &str) -> KassaError {
    KassaError::conflict(format!(
        "coupon '{code}' has reached its {what} usage limit of {limit}"
    ))
    .with_meta("code", code.to_owned())
    .with_meta("limit", limit)
    .with_detail("couponCodes", "usage limit reached")
}
