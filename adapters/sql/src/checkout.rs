//! The checkout unit of work over SQL: [`CheckoutStore::place`] and
//! [`CheckoutStore::settle`] are one transaction each, [`CheckoutStore::load`] one query.
//!
//! PostgreSQL runs each step as one call of a PL/pgSQL function installed by migration 7
//! (`kassa_checkout_place_v2`, `kassa_checkout_settle_v2`; migration 6's first versions stay
//! for processes of older builds): one round trip and one commit per step,
//! the statement's own transaction. A failure inside `place` (out of stock, a coupon at its
//! limit, a taken id) raises an error whose message is `kassa:` and a JSON object, which
//! rolls everything back and is turned into the same typed error the single-purpose ports
//! give. SQLite (in-process, no round trips) runs the same steps as statements of one
//! transaction on its single connection.

use crate::catalog::SqlCatalog;
use crate::coupons::{limit_reached, redeem_in};
use crate::db::{db_err, from_json, int, ns, to_json, uint, Db, Dialect};
use crate::inventory::{
    commit_in, out_of_stock, reserve_in, status_conflict, status_from, validate_reserve, Committed,
    Tx,
};
use crate::orders::{insert_row, next_number_sql, SqlOrders};
use crate::outbox::insert_event;
use kassa::inventory::reservation::{Reservation, ReservationStatus};
use kassa::inventory::stock::StockAllocation;
use kassa::memory::normalize_code;
use kassa::order::Order;
use kassa::ports::{
    key_taken, CheckoutInputs, CheckoutPorts, CheckoutStore, IdempotencyResponse, PlaceOrder,
    Placed, PortHealth, SettleOrder, Settled, StoredCart,
};
use kassa::{ErrorCode, KassaError, Result};
use serde_json::Value;
use sqlx::Row;
use std::sync::Arc;

/// The checkout unit of work over SQL. Pair it with the SQL stores of the same database
/// ([`crate::SqlStore::ports`] does): it writes their tables directly.
#[derive(Debug)]
pub struct SqlCheckout {
    db: Db,
    catalog: Arc<SqlCatalog>,
    orders: Arc<SqlOrders>,
}

/// The error raised by the PostgreSQL functions for a business failure, as JSON after this
/// prefix in the error message.
const RAISED: &str = "kassa:";

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn number(v: &Value, name: &str) -> u64 {
    v.get(name).and_then(Value::as_u64).unwrap_or(0)
}

/// The typed error of a failure raised by `kassa_checkout_place` / `_settle`.
fn raised(v: &Value, order: &Order, idempotency: Option<&IdempotencyResponse>) -> KassaError {
    match field(v, "error") {
        "key_taken" => key_taken(idempotency.map_or("", |i| i.key.as_str())),
        "out_of_stock" => out_of_stock(
            field(v, "sku"),
            number(v, "requested"),
            number(v, "available"),
        ),
        "coupon_limit" => limit_reached(field(v, "code"), number(v, "limit"), field(v, "what")),
        "reservation_exists" => {
            KassaError::conflict(format!("reservation '{}' already exists", field(v, "id")))
        }
        "order_exists" => KassaError::conflict(format!("order '{}' already exists", order.id)),
        "number_taken" => {
            KassaError::conflict(format!("order number '{}' is taken", field(v, "number")))
        }
        "no_stock_level" => KassaError::internal(format!(
            "no stock level for {} at {}",
            field(v, "sku"),
            field(v, "location")
        )),
        other => KassaError::internal(format!("checkout step failed: {other}")),
    }
}

/// The JSON a function raised (`kassa:{...}`), if `e` is such an error.
fn raised_json(e: &sqlx::Error) -> Option<Value> {
    let sqlx::Error::Database(d) = e else {
        return None;
    };
    let json = d.message().strip_prefix(RAISED)?;
    serde_json::from_str::<Value>(json).ok()
}

/// A database error, or the typed error a function raised.
fn step_err(
    e: sqlx::Error,
    order: &Order,
    idempotency: Option<&IdempotencyResponse>,
) -> KassaError {
    match raised_json(&e) {
        Some(v) => raised(&v, order, idempotency),
        None => db_err(e),
    }
}

fn key_missing(i: &IdempotencyResponse) -> KassaError {
    KassaError::not_found("idempotency key", &i.key)
}

/// The stored form of a cleared cart: the next version, as [`kassa::ports::CartStore::save`]
/// writes it.
fn cart_row(cart: &StoredCart) -> Result<(i64, String)> {
    let expected = int(cart.version, "version")?;
    let mut next = cart.clone();
    next.version += 1;
    Ok((expected, to_json(&next)?))
}

const CLEAR_CART: &str = "UPDATE kassa_carts SET owner_id = $2, version = $3 + 1, \
     updated_at_ns = $4, data = $5 WHERE id = $1 AND version = $3";

/// Creates an idempotency key holding its checkpoint (a `place` that claims the key).
const CLAIM_KEY: &str =
    "INSERT INTO kassa_idempotency (scope, key, request_hash, state, since_ns, response) \
     VALUES ($1, $2, $3, 'completed', $4, $5) ON CONFLICT (scope, key) DO NOTHING";

const COMPLETE_KEY: &str = "UPDATE kassa_idempotency SET state = 'completed', response = $3 \
     WHERE scope = $1 AND key = $2";

/// Stores the key's response inside `tx` (a transaction step's own write). `Ok(false)`: the
/// key is not there (never claimed, or swept); the step still commits and then answers
/// [`key_missing`], as the composed unit of work does.
async fn complete_key(tx: &mut Tx, idempotency: Option<&IdempotencyResponse>) -> Result<bool> {
    let Some(i) = idempotency else {
        return Ok(true);
    };
    let done = sqlx::query(COMPLETE_KEY)
        .bind(&i.scope)
        .bind(&i.key)
        .bind(to_json(&i.response)?)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

impl SqlCheckout {
    /// The unit of work over `db`, reading the catalog through `catalog`'s cache and
    /// explaining order conflicts through `orders`.
    pub fn new(db: Db, catalog: Arc<SqlCatalog>, orders: Arc<SqlOrders>) -> Self {
        SqlCheckout {
            db,
            catalog,
            orders,
        }
    }

    async fn begin(&self) -> Result<Tx> {
        self.db.pool().begin().await.map_err(db_err)
    }

    /// `place` as one PostgreSQL function call.
    async fn place_pg(&self, request: PlaceOrder) -> Result<Placed> {
        let PlaceOrder {
            reservation,
            now,
            coupons,
            mut order,
            number_prefix,
            idempotency,
            claim,
        } = request;
        let mut items: Vec<(&str, u64)> = reservation
            .items
            .iter()
            .map(|d| (d.sku.as_str(), d.quantity))
            .collect();
        items.sort_unstable();
        let items = to_json(&items)?;
        let mut codes = Vec::with_capacity(coupons.len());
        for (code, limits) in &coupons {
            codes.push((normalize_code(code)?, limits.overall, limits.per_customer));
        }
        order.version = 1;
        let (scope, key, checkpoint) = match &idempotency {
            Some(i) => (
                Some(i.scope.as_str()),
                Some(i.key.as_str()),
                Some(to_json(&i.response)?),
            ),
            None => (None, None, None),
        };
        let row = sqlx::query(
            "SELECT kassa_checkout_place_v2($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&reservation.reservation_id)
        .bind(&reservation.reference)
        .bind(ns(now)?)
        .bind(ns(reservation.expires_at)?)
        .bind(items)
        .bind(to_json(&codes)?)
        .bind(&order.id)
        .bind(&order.customer_id)
        .bind(number_prefix)
        .bind(crate::db::enum_name(&order.status)?)
        .bind(crate::db::enum_name(&order.payment.status)?)
        .bind(ns(order.created_at)?)
        .bind(to_json(&order)?)
        .bind(scope)
        .bind(key)
        .bind(checkpoint)
        .bind(claim.as_deref().filter(|_| idempotency.is_some()))
        .fetch_one(self.db.pool())
        .await
        .map_err(|e| step_err(e, &order, idempotency.as_ref()))?;
        let out: Value = from_json(&row.try_get::<String, _>(0).map_err(db_err)?)?;
        order.number = field(&out, "number").to_owned();
        let allocations: Vec<StockAllocation> =
            serde_json::from_value(out.get("allocations").cloned().unwrap_or(Value::Null))
                .map_err(|e| KassaError::internal(format!("checkout step answer: {e}")))?;
        if let Some(i) = &idempotency {
            if out.get("idempotency") != Some(&Value::Bool(true)) {
                return Err(key_missing(i));
            }
        }
        Ok(Placed {
            reservation: Reservation {
                id: reservation.reservation_id,
                reference: reservation.reference,
                allocations: allocations.into(),
                status: ReservationStatus::Active,
                created_at: now,
                expires_at: reservation.expires_at,
            },
            order,
        })
    }

    /// `place` as the statements of one transaction (SQLite).
    async fn place_tx(&self, request: PlaceOrder) -> Result<Placed> {
        let PlaceOrder {
            reservation,
            now,
            coupons,
            mut order,
            number_prefix,
            idempotency,
            claim,
        } = request;
        let mut tx = self.begin().await?;
        // Claiming the key here: created first, holding the checkpoint.
        let claimed = match (&claim, &idempotency) {
            (Some(hash), Some(i)) => {
                let created = sqlx::query(CLAIM_KEY)
                    .bind(&i.scope)
                    .bind(&i.key)
                    .bind(hash)
                    .bind(ns(now)?)
                    .bind(to_json(&i.response)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                if created.rows_affected() != 1 {
                    tx.rollback().await.map_err(db_err)?;
                    return Err(key_taken(&i.key));
                }
                true
            }
            _ => false,
        };
        let reserved = reserve_in(&self.db, &mut tx, &reservation, now).await?;
        for (code, limits) in &coupons {
            let code = normalize_code(code)?;
            redeem_in(
                &self.db,
                &mut tx,
                &code,
                &order.id,
                &order.customer_id,
                *limits,
            )
            .await?;
        }
        let n: i64 = sqlx::query(next_number_sql(self.db.dialect()))
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?
            .try_get(0)
            .map_err(db_err)?;
        order.number = kassa::order::order_number(&number_prefix, uint(n));
        order.version = 1;
        match insert_row(&mut *tx, &order).await {
            Ok(()) => {}
            Err(e) if crate::db::is_unique_violation(&e) => {
                tx.rollback().await.map_err(db_err)?;
                return Err(self.orders.taken(&order).await);
            }
            Err(e) => return Err(e),
        }
        let key_found = claimed || complete_key(&mut tx, idempotency.as_ref()).await?;
        tx.commit().await.map_err(db_err)?;
        match &idempotency {
            Some(i) if !key_found => Err(key_missing(i)),
            _ => Ok(Placed {
                reservation: reserved,
                order,
            }),
        }
    }

    /// `settle` as one PostgreSQL function call.
    async fn settle_pg(&self, request: SettleOrder) -> Result<Settled> {
        let SettleOrder {
            reservation_id,
            now,
            order,
            events,
            cleared_cart,
            idempotency,
        } = request;
        let mut next = order.clone();
        next.version += 1;
        let mut rows = Vec::with_capacity(events.len());
        for e in &events {
            rows.push(serde_json::json!([
                e.id,
                e.event_type,
                e.schema_version,
                e.aggregate_id,
                ns(e.occurred_at)?,
                e.payload
            ]));
        }
        let (cart_id, cart_owner, cart_updated, cart_version, cart_data) = match &cleared_cart {
            Some(c) => {
                let (version, data) = cart_row(c)?;
                (
                    Some(c.id.as_str()),
                    Some(c.owner_id.as_str()),
                    Some(ns(c.updated_at)?),
                    Some(version),
                    Some(data),
                )
            }
            None => (None, None, None, None, None),
        };
        let (scope, key, response) = match &idempotency {
            Some(i) => (
                Some(i.scope.as_str()),
                Some(i.key.as_str()),
                Some(to_json(&i.response)?),
            ),
            None => (None, None, None),
        };
        let row = sqlx::query(
            "SELECT kassa_checkout_settle_v2($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&reservation_id)
        .bind(ns(now)?)
        .bind(&order.id)
        .bind(int(order.version, "version")?)
        .bind(&order.number)
        .bind(&next.customer_id)
        .bind(crate::db::enum_name(&next.status)?)
        .bind(crate::db::enum_name(&next.payment.status)?)
        .bind(to_json(&next)?)
        .bind(to_json(&rows)?)
        .bind(cart_id)
        .bind(cart_version)
        .bind(cart_owner)
        .bind(cart_updated)
        .bind(cart_data)
        .bind(scope)
        .bind(key)
        .bind(response)
        .fetch_one(self.db.pool())
        .await;
        let row = match row {
            Ok(row) => row,
            // The order's compare-and-set missed: raised, so the reservation's commit is
            // rolled back with it.
            Err(e) if raised_json(&e).is_some_and(|v| field(&v, "error") == "order_missed") => {
                return self.order_missed(&order).await;
            }
            Err(e) => return Err(step_err(e, &order, None)),
        };
        let out: Value = from_json(&row.try_get::<String, _>(0).map_err(db_err)?)?;
        match field(&out, "outcome") {
            "settled" => {
                if let Some(i) = &idempotency {
                    if out.get("idempotency") != Some(&Value::Bool(true)) {
                        return Err(key_missing(i));
                    }
                }
                Ok(Settled::Done(next))
            }
            "missing" => Ok(Settled::StockNotCommitted(KassaError::not_found(
                "reservation",
                &reservation_id,
            ))),
            "expired" | "refused" => {
                let status = match field(&out, "outcome") {
                    "expired" => ReservationStatus::Expired,
                    _ => status_from(field(&out, "status"))?,
                };
                let r = Reservation {
                    id: reservation_id,
                    reference: order.id.clone(),
                    allocations: Vec::new().into(),
                    status,
                    created_at: now,
                    expires_at: now,
                };
                Ok(Settled::StockNotCommitted(status_conflict(&r, "commit")))
            }
            "order_missed" => self.order_missed(&order).await,
            other => Err(KassaError::internal(format!(
                "checkout settle answered '{other}'"
            ))),
        }
    }

    /// The compare-and-set of the order missed: a newer version is [`Settled::OrderChanged`];
    /// anything else (no such order, a changed number) is the store's error.
    async fn order_missed(&self, order: &Order) -> Result<Settled> {
        let e = self.orders.explain_miss(order).await;
        if e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion") {
            Ok(Settled::OrderChanged)
        } else {
            Err(e)
        }
    }

    /// `settle` as the statements of one transaction (SQLite).
    async fn settle_tx(&self, request: SettleOrder) -> Result<Settled> {
        let SettleOrder {
            reservation_id,
            now,
            order,
            events,
            cleared_cart,
            idempotency,
        } = request;
        let mut tx = self.begin().await?;
        match commit_in(&self.db, &mut tx, &reservation_id, now).await? {
            Committed::Done(_) => {}
            Committed::Expired(e) => {
                tx.commit().await.map_err(db_err)?;
                return Ok(Settled::StockNotCommitted(e));
            }
            Committed::Refused(e) => {
                tx.rollback().await.map_err(db_err)?;
                return Ok(Settled::StockNotCommitted(e));
            }
        }
        let Some(saved) = SqlOrders::update_in(&mut tx, &order).await? else {
            tx.rollback().await.map_err(db_err)?;
            return self.order_missed(&order).await;
        };
        for e in &events {
            insert_event(&mut *tx, e).await?;
        }
        if let Some(c) = &cleared_cart {
            let (version, data) = cart_row(c)?;
            sqlx::query(CLEAR_CART)
                .bind(&c.id)
                .bind(&c.owner_id)
                .bind(version)
                .bind(ns(c.updated_at)?)
                .bind(data)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let key_found = complete_key(&mut tx, idempotency.as_ref()).await?;
        tx.commit().await.map_err(db_err)?;
        match &idempotency {
            Some(i) if !key_found => Err(key_missing(i)),
            _ => Ok(Settled::Done(saved)),
        }
    }
}

#[async_trait::async_trait]
impl CheckoutStore for SqlCheckout {
    /// The cart row and the catalog version check in one query; the catalog and rules come
    /// from [`SqlCatalog`]'s cache unless their version moved.
    async fn load(&self, _ports: CheckoutPorts<'_>, cart_id: &str) -> Result<CheckoutInputs> {
        let (cached, cart) = self.catalog.current_with_cart(Some(cart_id)).await?;
        let cart = match cart {
            Some(data) => Some(from_json::<StoredCart>(&data)?),
            None => None,
        };
        Ok(CheckoutInputs {
            cart,
            catalog: cached.catalog,
            rules: cached.rules,
        })
    }

    /// Both dialects: `place` creates the key itself (PostgreSQL: inside
    /// `kassa_checkout_place_v2`, migration 7), so a keyed checkout is one transaction and
    /// one round trip shorter.
    fn claims_keys_in_place(&self) -> bool {
        true
    }

    /// The cart row, the catalog version check and whether the key has a record, in one
    /// query.
    async fn load_keyed(
        &self,
        _ports: CheckoutPorts<'_>,
        cart_id: &str,
        scope: &str,
        key: &str,
    ) -> Result<(CheckoutInputs, bool)> {
        let ((cached, cart), exists) = self
            .catalog
            .current_with(Some(cart_id), Some((scope, key)))
            .await?;
        let cart = match cart {
            Some(data) => Some(from_json::<StoredCart>(&data)?),
            None => None,
        };
        let inputs = CheckoutInputs {
            cart,
            catalog: cached.catalog,
            rules: cached.rules,
        };
        Ok((inputs, exists))
    }

    async fn place(&self, _ports: CheckoutPorts<'_>, request: PlaceOrder) -> Result<Placed> {
        validate_reserve(&request.reservation, request.now)?;
        if request.order.version != 0 {
            return Err(KassaError::validation(
                "version",
                "a new order has version 0",
            ));
        }
        match self.db.dialect() {
            Dialect::Postgres => self.place_pg(request).await,
            Dialect::Sqlite => self.place_tx(request).await,
        }
    }

    async fn settle(&self, _ports: CheckoutPorts<'_>, request: SettleOrder) -> Result<Settled> {
        match self.db.dialect() {
            Dialect::Postgres => self.settle_pg(request).await,
            Dialect::Sqlite => self.settle_tx(request).await,
        }
    }

    async fn health(&self) -> PortHealth {
        self.db.health("checkout").await
    }
}
