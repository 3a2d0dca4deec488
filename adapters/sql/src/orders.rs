//! Orders: one row each (the order as JSON plus the columns listings filter on),
//! compare-and-set on the version, and the outbox rows written in the same transaction.

use crate::db::{db_err, enum_name, from_json, int, ns, to_json, Db, Dialect};
use crate::outbox::insert_event;
use kassa::order::Order;
use kassa::page::{Page, PageRequest, DEFAULT_MAX_PAGE_SIZE};
use kassa::ports::{EventSink, OrderFilter, OrderStore, OutboxEvent, PortHealth};
use kassa::{KassaError, Result};
use sqlx::{Any, Row, Transaction};

/// The order store over SQL.
#[derive(Debug)]
pub struct SqlOrders {
    db: Db,
}

const UPDATE: &str = "UPDATE kassa_orders SET customer_id = $3, status = $4, payment_status = $5, \
     version = $2 + 1, data = $6 WHERE id = $1 AND version = $2 AND number = $7";

impl SqlOrders {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlOrders { db }
    }

    /// Why a compare-and-set matched no row: unknown order, a changed number, or a newer
    /// version (`CONFLICT` with `meta.expectedVersion` / `meta.storedVersion`).
    pub(crate) async fn explain_miss(&self, order: &Order) -> KassaError {
        let row = sqlx::query("SELECT version, number FROM kassa_orders WHERE id = $1")
            .bind(&order.id)
            .fetch_optional(self.db.pool())
            .await;
        match row {
            Err(e) => db_err(e),
            Ok(None) => KassaError::not_found("order", &order.id),
            Ok(Some(r)) => {
                let stored: i64 = r.try_get(0).unwrap_or(-1);
                let number: String = r.try_get(1).unwrap_or_default();
                if number != order.number {
                    KassaError::validation("number", "an order number never changes")
                } else {
                    KassaError::conflict(format!(
                        "order '{}' changed meanwhile (version {} expected, {stored} stored)",
                        order.id, order.version
                    ))
                    .with_meta("expectedVersion", order.version)
                    .with_meta("storedVersion", stored)
                }
            }
        }
    }

    /// The `CONFLICT` of an insert that hit a unique key: the id or the number is taken.
    pub(crate) async fn taken(&self, order: &Order) -> KassaError {
        match self.get(&order.id).await {
            Ok(found) => KassaError::conflict(if found.is_some() {
                format!("order '{}' already exists", order.id)
            } else {
                format!("order number '{}' is taken", order.number)
            }),
            Err(e) => e,
        }
    }

    /// Runs the conditional update inside `tx`; `Ok(None)` when no row matched.
    pub(crate) async fn update_in(
        tx: &mut Transaction<'static, Any>,
        order: &Order,
    ) -> Result<Option<Order>> {
        let mut next = order.clone();
        next.version += 1;
        let done = sqlx::query(UPDATE)
            .bind(&order.id)
            .bind(int(order.version, "version")?)
            .bind(&next.customer_id)
            .bind(enum_name(&next.status)?)
            .bind(enum_name(&next.payment.status)?)
            .bind(to_json(&next)?)
            .bind(&next.number)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        Ok((done.rows_affected() == 1).then_some(next))
    }

    async fn row_to_order(row: Option<sqlx::any::AnyRow>) -> Result<Option<Order>> {
        match row {
            None => Ok(None),
            Some(r) => {
                let mut o: Order = from_json(&r.try_get::<String, _>(0).map_err(db_err)?)?;
                o.version = crate::db::uint(r.try_get::<i64, _>(1).map_err(db_err)?);
                Ok(Some(o))
            }
        }
    }
}

#[async_trait::async_trait]
impl OrderStore for SqlOrders {
    async fn insert(&self, mut order: Order) -> Result<Order> {
        if order.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new order has version 0",
            ));
        }
        order.version = 1;
        match insert_row(self.db.pool(), &order).await {
            Ok(()) => Ok(order),
            Err(e) if crate::db::is_unique_violation(&e) => Err(self.taken(&order).await),
            Err(e) => Err(e),
        }
    }

    async fn get(&self, id: &str) -> Result<Option<Order>> {
        let row = sqlx::query("SELECT data, version FROM kassa_orders WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        Self::row_to_order(row).await
    }

    async fn get_by_number(&self, number: &str) -> Result<Option<Order>> {
        let row = sqlx::query("SELECT data, version FROM kassa_orders WHERE number = $1")
            .bind(number)
            .fetch_optional(self.db.pool())
            .await
            .map_err(db_err)?;
        Self::row_to_order(row).await
    }

    async fn compare_and_set(&self, order: Order) -> Result<Order> {
        let mut next = order.clone();
        next.version += 1;
        let done = sqlx::query(UPDATE)
            .bind(&order.id)
            .bind(int(order.version, "version")?)
            .bind(&next.customer_id)
            .bind(enum_name(&next.status)?)
            .bind(enum_name(&next.payment.status)?)
            .bind(to_json(&next)?)
            .bind(&next.number)
            .execute(self.db.pool())
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 1 {
            Ok(next)
        } else {
            Err(self.explain_miss(&order).await)
        }
    }

    /// The order update and its outbox rows in one transaction (the `outbox` argument is not
    /// used: the events go to this database's outbox, drained by [`crate::SqlOutbox`]).
    async fn compare_and_set_with_events(
        &self,
        order: Order,
        events: Vec<OutboxEvent>,
        _outbox: &dyn EventSink,
    ) -> Result<Order> {
        if events.is_empty() {
            return self.compare_and_set(order).await;
        }
        let mut tx = self.db.pool().begin().await.map_err(db_err)?;
        match Self::update_in(&mut tx, &order).await? {
            Some(saved) => {
                for e in &events {
                    insert_event(&mut *tx, e).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(saved)
            }
            None => {
                tx.rollback().await.map_err(db_err)?;
                Err(self.explain_miss(&order).await)
            }
        }
    }

    async fn list(&self, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>> {
        page.validate(DEFAULT_MAX_PAGE_SIZE)?;
        let mut conds: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut times: Vec<i64> = Vec::new();
        // Text parameters first ($1..), then time parameters, then limit/offset.
        if let Some(s) = filter.status {
            texts.push(enum_name(&s)?);
            conds.push(format!("status = ${}", texts.len()));
        }
        if let Some(s) = filter.payment_status {
            texts.push(enum_name(&s)?);
            conds.push(format!("payment_status = ${}", texts.len()));
        }
        if let Some(c) = &filter.customer_id {
            texts.push(c.clone());
            conds.push(format!("customer_id = ${}", texts.len()));
        }
        let base = texts.len();
        if let Some(f) = filter.from {
            times.push(ns(f)?);
            conds.push(format!("created_at_ns >= ${}", base + times.len()));
        }
        if let Some(t) = filter.to {
            times.push(ns(t)?);
            conds.push(format!("created_at_ns < ${}", base + times.len()));
        }
        let clause = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let n = texts.len() + times.len();
        let count_sql = format!("SELECT COUNT(*) FROM kassa_orders{clause}");
        let list_sql = format!(
            "SELECT data, version FROM kassa_orders{clause} ORDER BY created_at_ns DESC, number DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut count = sqlx::query(&count_sql);
        let mut list = sqlx::query(&list_sql);
        for t in &texts {
            count = count.bind(t.clone());
            list = list.bind(t.clone());
        }
        for t in &times {
            count = count.bind(*t);
            list = list.bind(*t);
        }
        let offset = int(page.offset() as u64, "page")?;
        list = list.bind(i64::from(page.page_size)).bind(offset);
        let total: i64 = count
            .fetch_one(self.db.pool())
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)?;
        let rows = list.fetch_all(self.db.pool()).await.map_err(db_err)?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            if let Some(o) = Self::row_to_order(Some(r)).await? {
                items.push(o);
            }
        }
        Ok(Page::new(items, page, crate::db::uint(total)))
    }

    async fn next_number(&self) -> Result<u64> {
        let n: i64 = sqlx::query(next_number_sql(self.db.dialect()))
            .fetch_one(self.db.pool())
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)?;
        Ok(crate::db::uint(n))
    }

    async fn health(&self) -> PortHealth {
        self.db.health("orders").await
    }
}

/// Inserts the row of a new order (its `version` already 1).
pub(crate) async fn insert_row<'c, E>(ex: E, order: &Order) -> Result<()>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO kassa_orders (id, number, customer_id, status, payment_status, \
         created_at_ns, version, data) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
    )
    .bind(&order.id)
    .bind(&order.number)
    .bind(&order.customer_id)
    .bind(enum_name(&order.status)?)
    .bind(enum_name(&order.payment.status)?)
    .bind(ns(order.created_at)?)
    .bind(to_json(order)?)
    .execute(ex)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The SQL that takes the next order number (PostgreSQL: the sequence; SQLite: the counter
/// row).
pub(crate) fn next_number_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "SELECT nextval('kassa_order_number')",
        Dialect::Sqlite => {
            "UPDATE kassa_counters SET value = value + 1 WHERE name = 'order_number' RETURNING value"
        }
    }
}
