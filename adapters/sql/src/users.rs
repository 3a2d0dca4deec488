//! Users (unique email, compare-and-set on the version) and tokens (consumed at most once by
//! one conditional `UPDATE`).

use crate::db::{db_err, from_json, from_ns, int, is_unique_violation, ns, to_json, uint, Db};
use chrono::{DateTime, Utc};
use kassa::ports::{PortHealth, TokenRecord, UserRecord, UserStore};
use kassa::{KassaError, Result};
use sqlx::Row;

/// The user store over SQL.
#[derive(Debug)]
pub struct SqlUsers {
    db: Db,
}

fn email_taken() -> KassaError {
    KassaError::conflict("email is already registered").with_detail("email", "already registered")
}

fn token(r: &sqlx::any::AnyRow) -> Result<TokenRecord> {
    let mut t: TokenRecord = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
    t.consumed_at = r.try_get::<Option<i64>, _>(1).map_err(db_err)?.map(from_ns);
    Ok(t)
}

impl SqlUsers {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlUsers { db }
    }

    fn user(r: &sqlx::any::AnyRow) -> Result<UserRecord> {
        let mut u: UserRecord = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
        u.version = uint(r.try_get(1).map_err(db_err)?);
        Ok(u)
    }
}

#[async_trait::async_trait]
impl UserStore for SqlUsers {
    async fn insert_user(&self, mut user: UserRecord) -> Result<UserRecord> {
        user.email = user.email.trim().to_lowercase();
        user.version = 1;
        let res = sqlx::query(
            "INSERT INTO kassa_users (id, email, version, data) VALUES ($1, $2, 1, $3)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(to_json(&user)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err);
        match res {
            Ok(_) => Ok(user),
            Err(e) if is_unique_violation(&e) => {
                if self.get_user(&user.id).await?.is_some() {
                    Err(KassaError::conflict(format!(
                        "user '{}' already exists",
                        user.id
                    )))
                } else {
                    Err(email_taken())
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn get_user(&self, id: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT data, version FROM kassa_users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(Self::user).transpose()
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT data, version FROM kassa_users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(Self::user).transpose()
    }

    async fn update_user(&self, mut user: UserRecord) -> Result<UserRecord> {
        user.email = user.email.trim().to_lowercase();
        let expected = int(user.version, "version")?;
        user.version += 1;
        let res = sqlx::query(
            "UPDATE kassa_users SET email = $3, version = $2 + 1, data = $4 WHERE id = $1 AND version = $2",
        )
        .bind(&user.id)
        .bind(expected)
        .bind(&user.email)
        .bind(to_json(&user)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err);
        match res {
            Ok(done) if done.rows_affected() == 1 => Ok(user),
            Ok(_) => match self.get_user(&user.id).await? {
                None => Err(KassaError::not_found("user", &user.id)),
                Some(_) => Err(KassaError::conflict(format!(
                    "user '{}' changed meanwhile",
                    user.id
                ))),
            },
            Err(e) if is_unique_violation(&e) => Err(email_taken()),
            Err(e) => Err(e),
        }
    }

    async fn store_token(&self, token: TokenRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO kassa_tokens (token_hash, user_id, purpose, family, expires_at_ns, consumed_at_ns, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (token_hash) DO UPDATE SET \
             user_id = excluded.user_id, purpose = excluded.purpose, family = excluded.family, \
             expires_at_ns = excluded.expires_at_ns, consumed_at_ns = excluded.consumed_at_ns, data = excluded.data",
        )
        .bind(&token.token_hash)
        .bind(&token.user_id)
        .bind(&token.purpose)
        .bind(token.family.clone())
        .bind(ns(token.expires_at)?)
        .bind(token.consumed_at.map(ns).transpose()?)
        .bind(to_json(&TokenRecord {
            consumed_at: None,
            ..token.clone()
        })?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn consume_token(
        &self,
        token_hash: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenRecord>> {
        // The stored JSON never carries `consumedAt` (the column does), so the returned data
        // is the record as it was before this call.
        let row = sqlx::query(
            "UPDATE kassa_tokens SET consumed_at_ns = $3 WHERE token_hash = $1 AND purpose = $2 \
             AND consumed_at_ns IS NULL AND expires_at_ns > $3 RETURNING data",
        )
        .bind(token_hash)
        .bind(purpose)
        .bind(ns(now)?)
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

    async fn get_token(&self, token_hash: &str) -> Result<Option<TokenRecord>> {
        let row =
            sqlx::query("SELECT data, consumed_at_ns FROM kassa_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.db.pool())
                .await
                .map_err(db_err)?;
        row.as_ref().map(token).transpose()
    }

    async fn revoke_tokens(
        &self,
        user_id: &str,
        family: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let done = match family {
            Some(f) => sqlx::query(
                "UPDATE kassa_tokens SET consumed_at_ns = $2 WHERE user_id = $1 AND family = $3 AND consumed_at_ns IS NULL",
            )
            .bind(user_id)
            .bind(ns(now)?)
            .bind(f)
            .execute(self.db.pool())
            .await,
            None => sqlx::query(
                "UPDATE kassa_tokens SET consumed_at_ns = $2 WHERE user_id = $1 AND consumed_at_ns IS NULL",
            )
            .bind(user_id)
            .bind(ns(now)?)
            .execute(self.db.pool())
            .await,
        }
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn health(&self) -> PortHealth {
        self.db.health("users").await
    }
}
