//! Subscriptions: one row each (the aggregate with its invoices as JSON, plus the customer,
//! the status, the creation time and the next action time as columns), compare-and-set on
//! the version in one conditional `UPDATE`, and the renewal run's due list from an index on
//! the next action time.

use crate::db::{db_err, enum_name, from_json, int, ns, to_json, uint, Db};
use chrono::{DateTime, Utc};
use kassa::billing::Subscription;
use kassa::ports::{PortHealth, SubscriptionStore};
use kassa::{KassaError, Result};
use sqlx::Row;

/// The subscription store over SQL.
#[derive(Debug)]
pub struct SqlSubscriptions {
    db: Db,
}

const UPDATE: &str = "UPDATE kassa_subscriptions SET customer_id = $3, status = $4, \
     created_at_ns = $5, next_action_at_ns = $6, version = $2 + 1, data = $7 \
     WHERE id = $1 AND version = $2";

/// [`Subscription::next_action_at`] in nanoseconds (`None`: paused or ended, never due).
fn next_action_ns(sub: &Subscription) -> Result<Option<i64>> {
    sub.next_action_at().map(ns).transpose()
}

/// `at` in nanoseconds, clamped to the representable range (a bound far in the future or
/// the past still selects everything or nothing, as in the in-memory store).
fn ns_clamped(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt()
        .unwrap_or(if at > DateTime::UNIX_EPOCH {
            i64::MAX
        } else {
            i64::MIN
        })
}

fn subscription_row(r: &sqlx::any::AnyRow) -> Result<Subscription> {
    let mut sub: Subscription = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
    sub.version = uint(r.try_get(1).map_err(db_err)?);
    Ok(sub)
}

impl SqlSubscriptions {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlSubscriptions { db }
    }

    /// Why a compare-and-set matched no row: unknown subscription (`NOT_FOUND`) or a newer
    /// version (`CONFLICT` with `meta.expectedVersion` / `meta.storedVersion`).
    async fn explain_miss(&self, sub: &Subscription) -> KassaError {
        let row = sqlx::query("SELECT version FROM kassa_subscriptions WHERE id = $1")
            .bind(&sub.id)
            .fetch_optional(self.db.pool())
            .await;
        match row {
            Err(e) => db_err(e),
            Ok(None) => KassaError::not_found("subscription", &sub.id),
            Ok(Some(r)) => {
                let stored = match r.try_get::<i64, _>(0) {
                    Ok(v) => uint(v),
                    Err(e) => return db_err(e),
                };
                KassaError::conflict(format!(
                    "subscription '{}' changed meanwhile (version {} expected, {stored} stored)",
                    sub.id, sub.version
                ))
                .with_meta("expectedVersion", sub.version)
                .with_meta("storedVersion", stored)
            }
        }
    }
}

#[async_trait::async_trait]
impl SubscriptionStore for SqlSubscriptions {
    async fn insert(&self, mut sub: Subscription) -> Result<Subscription> {
        if sub.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new subscription has version 0",
            ));
        }
        sub.version = 1;
        let done = sqlx::query(
            "INSERT INTO kassa_subscriptions (id, customer_id, status, created_at_ns, \
             next_action_at_ns, version, data) VALUES ($1, $2, $3, $4, $5, 1, $6) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&sub.id)
        .bind(&sub.customer_id)
        .bind(enum_name(&sub.status)?)
        .bind(ns(sub.created_at)?)
        .bind(next_action_ns(&sub)?)
        .bind(to_json(&sub)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(KassaError::conflict(format!(
                "subscription '{}' already exists",
                sub.id
            )));
        }
        Ok(sub)
    }

    async fn get(&self, id: &str) -> Result<Option<Subscription>> {
        let row = sqlx::query("SELECT data, version FROM kassa_subscriptions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(subscription_row).transpose()
    }

    async fn compare_and_set(&self, sub: Subscription) -> Result<Subscription> {
        let mut next = sub.clone();
        next.version += 1;
        let done = sqlx::query(UPDATE)
            .bind(&sub.id)
            .bind(int(sub.version, "version")?)
            .bind(&next.customer_id)
            .bind(enum_name(&next.status)?)
            .bind(ns(next.created_at)?)
            .bind(next_action_ns(&next)?)
            .bind(to_json(&next)?)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 1 {
            Ok(next)
        } else {
            Err(self.explain_miss(&sub).await)
        }
    }

    /// One indexed range scan (`kassa_subscriptions_due`: next action time, then id).
    async fn due(&self, at: DateTime<Utc>, limit: usize) -> Result<Vec<String>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(
            "SELECT id FROM kassa_subscriptions WHERE next_action_at_ns IS NOT NULL \
             AND next_action_at_ns <= $1 ORDER BY next_action_at_ns, id LIMIT $2",
        )
        .bind(ns_clamped(at))
        .bind(limit)
        .fetch_all(self.db.pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(db_err))
            .collect()
    }

    async fn for_customer(&self, customer_id: &str) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT data, version FROM kassa_subscriptions WHERE customer_id = $1 \
             ORDER BY created_at_ns, id",
        )
        .bind(customer_id)
        .fetch_all(self.db.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(subscription_row).collect()
    }

    async fn health(&self) -> PortHealth {
        self.db.health("subscriptions").await
    }
}
