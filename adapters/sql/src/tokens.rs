//! The identity flows' token store: refresh-token families and one-time tokens, one row
//! each (the core record as JSON plus a `version` and the columns queries filter on).
//!
//! Every change runs the core's pure step ([`RefreshFamily::rotate`] / `revoke`,
//! [`OneTimeTokenRecord::redeem`]) on the row as read, then writes it back with one
//! `UPDATE ... WHERE key = ? AND version = v`. A writer that loses the race re-reads and
//! decides again on the newer row, so two instances presenting the same refresh token get
//! one rotation and one reuse detection (which revokes the family), exactly as if they had
//! come one after the other; a one-time token redeems once.

use crate::db::{db_err, enum_name, from_json, ns, to_json, Db};
use chrono::{DateTime, Duration, Utc};
use kassa::identity::{
    FamilyStatus, OneTimeToken, OneTimeTokenRecord, PurgedTokens, RedeemOutcome, RefreshFamily,
    RevokeReason, RotationOutcome, TokenPurpose, TokenStore,
};
use kassa::{KassaError, Result};
use sqlx::Row;

/// How often a read–decide–compare-and-set step is retried after losing the race. Each lost
/// race means another writer moved the row on; on one token that settles within a few
/// rounds (rotated, then revoked for reuse, then nothing left to change), so running out
/// means unusual contention, answered `UNAVAILABLE` for the caller to retry.
const MAX_ATTEMPTS: usize = 16;

const UPDATE_FAMILY: &str = "UPDATE kassa_refresh_families SET active = $3, version = $2 + 1, \
     data = $4, expires_at_ns = $5 WHERE id = $1 AND version = $2";

const UPDATE_ONE_TIME: &str = "UPDATE kassa_one_time_tokens SET used_at_ns = $3, \
     version = $2 + 1, data = $4 WHERE selector = $1 AND version = $2";

/// The refresh-token families and one-time tokens over SQL
/// ([`kassa::identity::TokenStore`]).
#[derive(Debug)]
pub struct SqlTokens {
    db: Db,
}

/// `1` while the family's tokens may still rotate, else `0` (the user index covers only
/// active rows, so revoked families do not slow down "log out everywhere").
fn active_flag(f: &RefreshFamily) -> i64 {
    i64::from(f.status == FamilyStatus::Active)
}

fn contended(what: &str, key: &str) -> KassaError {
    KassaError::unavailable(
        format!("{what} '{key}' is changing under heavy contention; retry"),
        0,
    )
    .with_meta("cause", "contention")
}

fn family_row(r: &sqlx::any::AnyRow) -> Result<(RefreshFamily, i64)> {
    let family = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
    Ok((family, r.try_get::<i64, _>(1).map_err(db_err)?))
}

fn one_time_row(r: &sqlx::any::AnyRow) -> Result<(OneTimeTokenRecord, i64)> {
    let record = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
    Ok((record, r.try_get::<i64, _>(1).map_err(db_err)?))
}

impl SqlTokens {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlTokens { db }
    }

    /// A family with its stored version.
    async fn read_family(&self, family_id: &str) -> Result<Option<(RefreshFamily, i64)>> {
        let row = sqlx::query("SELECT data, version FROM kassa_refresh_families WHERE id = $1")
            .bind(family_id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(family_row).transpose()
    }

    /// Writes `family` over version `version`; `false` when another writer got there first.
    async fn write_family(&self, family: &RefreshFamily, version: i64) -> Result<bool> {
        let done = sqlx::query(UPDATE_FAMILY)
            .bind(&family.family_id)
            .bind(version)
            .bind(active_flag(family))
            .bind(to_json(family)?)
            .bind(ns(family.expires_at)?)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    /// Applies `step` to the family and stores the result if it changed anything, retrying
    /// on a lost race. `None`: no such family (or `step` refused it by returning `None`).
    async fn update_family<T>(
        &self,
        family_id: &str,
        mut step: impl FnMut(&mut RefreshFamily) -> Option<T>,
    ) -> Result<Option<T>> {
        for _ in 0..MAX_ATTEMPTS {
            let Some((mut family, version)) = self.read_family(family_id).await? else {
                return Ok(None);
            };
            let before = family.clone();
            let Some(outcome) = step(&mut family) else {
                return Ok(None);
            };
            if family == before || self.write_family(&family, version).await? {
                return Ok(Some(outcome));
            }
        }
        Err(contended("refresh family", family_id))
    }

    /// Deletes the rows of `table` (one of the two token tables) whose expiry is before `cut`.
    async fn delete_expired(&self, table: &str, cut: i64) -> Result<u64> {
        let statement = format!("DELETE FROM {table} WHERE expires_at_ns < $1");
        Ok(sqlx::query(&statement)
            .bind(cut)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?
            .rows_affected())
    }

    /// A one-time record with its stored version.
    async fn read_one_time(&self, selector: &str) -> Result<Option<(OneTimeTokenRecord, i64)>> {
        let row =
            sqlx::query("SELECT data, version FROM kassa_one_time_tokens WHERE selector = $1")
                .bind(selector)
                .fetch_optional(self.db.pool())
                .await
                .map_err(db_err)?;
        row.as_ref().map(one_time_row).transpose()
    }
}

#[async_trait::async_trait]
impl TokenStore for SqlTokens {
    async fn create_family(&self, family: RefreshFamily) -> Result<()> {
        let done = sqlx::query(
            "INSERT INTO kassa_refresh_families (id, user_id, active, version, data, expires_at_ns) \
             VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&family.family_id)
        .bind(&family.user_id)
        .bind(active_flag(&family))
        .bind(to_json(&family)?)
        .bind(ns(family.expires_at)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(KassaError::conflict("refresh family already exists"));
        }
        Ok(())
    }

    async fn get_family(&self, family_id: &str) -> Result<Option<RefreshFamily>> {
        Ok(self.read_family(family_id).await?.map(|(f, _)| f))
    }

    async fn rotate_refresh(
        &self,
        family_id: &str,
        user_id: &str,
        presented_jti: &str,
        next_jti: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<RotationOutcome> {
        let outcome = self
            .update_family(family_id, |f| {
                // Another user's family is not touched: presenting it must not revoke it.
                (f.user_id == user_id).then(|| f.rotate(presented_jti, next_jti, now, ttl))
            })
            .await?;
        Ok(outcome.unwrap_or(RotationOutcome::UnknownFamily))
    }

    async fn revoke_family(
        &self,
        family_id: &str,
        reason: RevokeReason,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let was_active = self
            .update_family(family_id, |f| {
                let was = f.status == FamilyStatus::Active;
                f.revoke(reason, now);
                Some(was)
            })
            .await?;
        Ok(was_active.unwrap_or(false))
    }

    /// Revokes each active family of the user with its own compare-and-set (a family
    /// rotating meanwhile is re-read and still revoked); families started after the scan
    /// belong to a later login.
    async fn revoke_user(
        &self,
        user_id: &str,
        reason: RevokeReason,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT id FROM kassa_refresh_families WHERE user_id = $1 AND active = 1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(self.db.pool())
        .await
        .map_err(db_err)?;
        let mut revoked = 0;
        for r in &rows {
            let id: String = r.try_get(0).map_err(db_err)?;
            let was_active = self
                .update_family(&id, |f| {
                    let was = f.status == FamilyStatus::Active && f.user_id == user_id;
                    if was {
                        f.revoke(reason, now);
                    }
                    Some(was)
                })
                .await?;
            if was_active == Some(true) {
                revoked += 1;
            }
        }
        Ok(revoked)
    }

    async fn save_one_time(&self, record: OneTimeTokenRecord) -> Result<()> {
        let done = sqlx::query(
            "INSERT INTO kassa_one_time_tokens (selector, user_id, purpose, expires_at_ns, \
             used_at_ns, version, data) VALUES ($1, $2, $3, $4, $5, 1, $6) \
             ON CONFLICT (selector) DO NOTHING",
        )
        .bind(&record.selector)
        .bind(&record.user_id)
        .bind(enum_name(&record.purpose)?)
        .bind(ns(record.expires_at)?)
        .bind(record.used_at.map(ns).transpose()?)
        .bind(to_json(&record)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(KassaError::conflict(
                "one-time token selector already exists",
            ));
        }
        Ok(())
    }

    async fn check_one_time(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<RedeemOutcome> {
        Ok(match self.read_one_time(&presented.selector).await? {
            Some((record, _)) => record.check(presented, purpose, now),
            None => RedeemOutcome::Invalid,
        })
    }

    async fn redeem_one_time(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<RedeemOutcome> {
        for _ in 0..MAX_ATTEMPTS {
            let Some((mut record, version)) = self.read_one_time(&presented.selector).await? else {
                return Ok(RedeemOutcome::Invalid);
            };
            let outcome = record.redeem(presented, purpose, now);
            if !matches!(outcome, RedeemOutcome::Redeemed { .. }) {
                return Ok(outcome);
            }
            let done = sqlx::query(UPDATE_ONE_TIME)
                .bind(&record.selector)
                .bind(version)
                .bind(record.used_at.map(ns).transpose()?)
                .bind(to_json(&record)?)
                .execute(self.db.pool())
                .await
                .map_err(db_err)?;
            if done.rows_affected() == 1 {
                return Ok(outcome);
            }
        }
        Err(contended("one-time token", &presented.selector))
    }

    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<PurgedTokens> {
        let cut = ns(before).unwrap_or(if before.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        });
        // two independent deletes: a token that expired is refused whether or not the other
        // table's purge went through, so no transaction is needed between them
        let families = self.delete_expired("kassa_refresh_families", cut).await?;
        let one_time = self.delete_expired("kassa_one_time_tokens", cut).await?;
        Ok(PurgedTokens { families, one_time })
    }
}
