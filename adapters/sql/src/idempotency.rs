//! Idempotency records: the claim is an `INSERT ... ON CONFLICT DO NOTHING` on the unique
//! (scope, key); a stale claim (holder presumed dead) is taken over by a conditional `UPDATE`.

use crate::db::{db_err, from_json, ns, to_json, Db};
use chrono::{DateTime, Utc};
use kassa::ports::{IdempotencyBegin, IdempotencyStore, PortHealth};
use kassa::{KassaError, Result};
use sqlx::Row;

/// The idempotency store over SQL.
#[derive(Debug)]
pub struct SqlIdempotency {
    db: Db,
}

impl SqlIdempotency {
    /// The store over `db` (lock timeout from its [`crate::OpenOptions`]).
    pub fn new(db: Db) -> Self {
        SqlIdempotency { db }
    }
}

#[async_trait::async_trait]
impl IdempotencyStore for SqlIdempotency {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin> {
        if key.trim().is_empty() || key.len() > 255 {
            return Err(KassaError::validation(
                "idempotencyKey",
                "must be 1 to 255 characters",
            ));
        }
        let now_ns = ns(now)?;
        let timeout = self
            .db
            .options()
            .idempotency_lock_timeout
            .num_nanoseconds()
            .unwrap_or(i64::MAX);
        // A concurrent abandon may delete the row between the steps: try a few times.
        for _ in 0..4 {
            let claimed = sqlx::query(
                "INSERT INTO kassa_idempotency (scope, key, request_hash, state, since_ns) \
                 VALUES ($1, $2, $3, 'in_progress', $4) ON CONFLICT (scope, key) DO NOTHING",
            )
            .bind(scope)
            .bind(key)
            .bind(request_hash)
            .bind(now_ns)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
            if claimed.rows_affected() == 1 {
                return Ok(IdempotencyBegin::Started);
            }
            let Some(row) = sqlx::query(
                "SELECT request_hash, state, since_ns, response FROM kassa_idempotency WHERE scope = $1 AND key = $2",
            )
            .bind(scope)
            .bind(key)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?
            else {
                continue;
            };
            let hash: String = row.try_get(0).map_err(db_err)?;
            let state: String = row.try_get(1).map_err(db_err)?;
            let since: i64 = row.try_get(2).map_err(db_err)?;
            let response: Option<String> = row.try_get(3).map_err(db_err)?;
            if hash != request_hash {
                return Ok(IdempotencyBegin::KeyReused);
            }
            if state == "completed" {
                let response = from_json(response.as_deref().unwrap_or("null"))?;
                return Ok(IdempotencyBegin::Completed { response });
            }
            if now_ns.saturating_sub(since) < timeout {
                return Ok(IdempotencyBegin::InProgress);
            }
            let taken = sqlx::query(
                "UPDATE kassa_idempotency SET since_ns = $3 WHERE scope = $1 AND key = $2 \
                 AND state = 'in_progress' AND since_ns = $4",
            )
            .bind(scope)
            .bind(key)
            .bind(now_ns)
            .bind(since)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
            if taken.rows_affected() == 1 {
                return Ok(IdempotencyBegin::Started);
            }
        }
        Ok(IdempotencyBegin::InProgress)
    }

    async fn complete(&self, scope: &str, key: &str, response: serde_json::Value) -> Result<()> {
        let done = sqlx::query(
            "UPDATE kassa_idempotency SET state = 'completed', response = $3 WHERE scope = $1 AND key = $2",
        )
        .bind(scope)
        .bind(key)
        .bind(to_json(&response)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(KassaError::not_found("idempotency key", key));
        }
        Ok(())
    }

    async fn abandon(&self, scope: &str, key: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM kassa_idempotency WHERE scope = $1 AND key = $2 AND state = 'in_progress'",
        )
        .bind(scope)
        .bind(key)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn health(&self) -> PortHealth {
        self.db.health("idempotency").await
    }
}
