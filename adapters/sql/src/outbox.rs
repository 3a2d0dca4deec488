//! The transactional outbox: events are rows written in the transaction of the change they
//! describe; a relay drains them at least once with `FOR UPDATE SKIP LOCKED`.
//!
//! Delivery: [`SqlOutbox::drain`] locks a batch of undelivered rows (other relays skip them),
//! hands them to the caller's handler and marks them delivered in the same transaction. A
//! relay that dies before the commit leaves the rows undelivered, so the next drain delivers
//! them again: consumers must de-duplicate by [`OutboxEvent::id`] (every duplicate carries the
//! same id). An event id is stored once; publishing it again is a no-op, even after delivery.

use crate::db::{db_err, from_ns, ns, uint, Db};
use kassa::ports::{EventSink, OutboxEvent, PortHealth};
use kassa::Result;
use sqlx::{Any, Row};
use std::future::Future;

/// An event taken from the outbox, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveredEvent {
    /// Position in the outbox (increasing in commit-independent insertion order).
    pub seq: i64,
    /// The event.
    pub event: OutboxEvent,
}

/// The outbox over SQL: an [`EventSink`] (for events outside an order write, e.g. account
/// emails) and the relay side.
#[derive(Debug)]
pub struct SqlOutbox {
    db: Db,
}

/// Inserts one event (ignored when its id is already stored).
pub(crate) async fn insert_event<'c, E>(ex: E, e: &OutboxEvent) -> Result<()>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO kassa_outbox (id, event_type, schema_version, aggregate_id, occurred_at_ns, payload) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&e.id)
    .bind(&e.event_type)
    .bind(i64::from(e.schema_version))
    .bind(&e.aggregate_id)
    .bind(ns(e.occurred_at)?)
    .bind(&e.payload)
    .execute(ex)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn row_event(r: &sqlx::any::AnyRow) -> Result<DeliveredEvent> {
    Ok(DeliveredEvent {
        seq: r.try_get(0).map_err(db_err)?,
        event: OutboxEvent {
            id: r.try_get(1).map_err(db_err)?,
            event_type: r.try_get(2).map_err(db_err)?,
            schema_version: u32::try_from(r.try_get::<i64, _>(3).map_err(db_err)?).unwrap_or(0),
            aggregate_id: r.try_get(4).map_err(db_err)?,
            occurred_at: from_ns(r.try_get(5).map_err(db_err)?),
            payload: r.try_get(6).map_err(db_err)?,
        },
    })
}

const COLUMNS: &str = "seq, id, event_type, schema_version, aggregate_id, occurred_at_ns, payload";

impl SqlOutbox {
    /// The outbox over `db`.
    pub fn new(db: Db) -> Self {
        SqlOutbox { db }
    }

    /// Delivers up to `limit` undelivered events, oldest first: `handler` gets them while
    /// their rows are locked; when it returns `Ok` they are marked delivered, when it fails
    /// (or the process dies) they stay undelivered for the next drain. Concurrent relays get
    /// disjoint batches. Returns how many were delivered.
    pub async fn drain<F, Fut>(&self, limit: u32, handler: F) -> Result<usize>
    where
        F: FnOnce(Vec<DeliveredEvent>) -> Fut + Send,
        Fut: Future<Output = Result<()>> + Send,
    {
        let mut tx = self.db.pool().begin().await.map_err(db_err)?;
        let sql = format!(
            "SELECT {COLUMNS} FROM kassa_outbox WHERE delivered_at_ns IS NULL ORDER BY seq LIMIT $1{}",
            self.db.skip_locked()
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let batch = rows.iter().map(row_event).collect::<Result<Vec<_>>>()?;
        if batch.is_empty() {
            tx.rollback().await.map_err(db_err)?;
            return Ok(0);
        }
        let seqs: Vec<i64> = batch.iter().map(|d| d.seq).collect();
        handler(batch).await?;
        let now = ns(chrono::Utc::now())?;
        for seq in &seqs {
            sqlx::query("UPDATE kassa_outbox SET delivered_at_ns = $1 WHERE seq = $2")
                .bind(now)
                .bind(*seq)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(seqs.len())
    }

    /// Undelivered events.
    pub async fn pending(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM kassa_outbox WHERE delivered_at_ns IS NULL")
            .fetch_one(self.db.pool())
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)?;
        Ok(uint(n))
    }

    /// Every stored event, delivered or not, oldest first (audits and tests).
    pub async fn all(&self) -> Result<Vec<OutboxEvent>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM kassa_outbox ORDER BY seq"))
            .fetch_all(self.db.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| row_event(r).map(|d| d.event)).collect()
    }

    /// Deletes delivered events older than `before` (housekeeping); returns how many. Their
    /// ids are then forgotten: publishing one again would deliver it again.
    pub async fn purge_delivered(&self, before: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM kassa_outbox WHERE delivered_at_ns IS NOT NULL AND delivered_at_ns < $1",
        )
        .bind(ns(before)?)
        .execute(self.db.pool())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    /// Events of one type (tests and dashboards).
    pub async fn count(&self, event_type: &str) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM kassa_outbox WHERE event_type = $1")
            .bind(event_type)
            .fetch_one(self.db.pool())
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)?;
        Ok(uint(n))
    }
}

#[async_trait::async_trait]
impl EventSink for SqlOutbox {
    async fn publish(&self, event: OutboxEvent) -> Result<()> {
        insert_event(self.db.pool(), &event).await
    }

    async fn health(&self) -> PortHealth {
        self.db.health("events").await
    }
}
