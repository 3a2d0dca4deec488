//! Kassa's storage ports over SQL: one implementation for PostgreSQL (many application
//! instances on one database) and SQLite (one node, embedded, WAL mode), through sqlx's
//! driver-neutral `Any` pool.
//!
//! Every racy port operation is one SQL statement or one short transaction:
//!
//! | port call | how |
//! |---|---|
//! | [`kassa::ports::InventoryStore::reserve`] | rows locked in (SKU, location) order (`FOR UPDATE`), then `UPDATE ... SET reserved = reserved + n WHERE on_hand - reserved >= n` |
//! | [`kassa::ports::CouponStore::redeem`] | the code's row locked, limits counted, redemption inserted, in one transaction |
//! | [`kassa::ports::IdempotencyStore::begin`] | `INSERT ... ON CONFLICT DO NOTHING` on the unique (scope, key) |
//! | [`kassa::ports::OrderStore::compare_and_set_with_events`] | `UPDATE ... WHERE version = v` and the outbox rows in one transaction |
//! | [`kassa::ports::SupplyStore`] purchase order / shipment compare-and-set | one `UPDATE ... WHERE id = ? AND version = v` |
//! | [`kassa::ports::SubscriptionStore::compare_and_set`] | one `UPDATE ... WHERE id = ? AND version = v` |
//! | [`kassa::ports::SubscriptionStore::due`] | one range scan of the index on the next action time |
//! | [`kassa::identity::TokenStore::rotate_refresh`] / `revoke_family` / `revoke_user` | [`kassa::identity::RefreshFamily::rotate`] / `revoke` on the row as read, then one `UPDATE ... WHERE id = ? AND version = v`, re-read and decided again on a lost race |
//! | [`kassa::identity::TokenStore::redeem_one_time`] | [`kassa::identity::OneTimeTokenRecord::redeem`], then one `UPDATE ... WHERE selector = ? AND version = v` (a lost race re-reads: already used) |
//! | [`SqlOutbox::drain`] | `SELECT ... FOR UPDATE SKIP LOCKED`, handler, mark delivered, commit |
//! | [`kassa::ports::CheckoutStore::place`] | PostgreSQL: one call of `kassa_checkout_place` (reserve with rows locked in (SKU, location) order, redeem coupons holding their rows, `nextval` order number, order insert, idempotency checkpoint; a failure raises and rolls back all of it); SQLite: the same statements in one transaction |
//! | [`kassa::ports::CheckoutStore::settle`] | PostgreSQL: one call of `kassa_checkout_settle` (reservation row locked and committed, order `UPDATE ... WHERE version = v`, outbox rows, cart `UPDATE ... WHERE version = v`, idempotency completion); SQLite: one transaction |
//! | [`kassa::ports::CheckoutStore::load`] | one query: the cart row and the catalog version (catalog and rules from the cache unless it moved) |
//!
//! SQLite has no row locks: its pool holds one connection, so every transaction of a process
//! runs alone, and other processes wait on the database lock (`busy_timeout`).
//!
//! Open a database with [`open`] (`postgres://...`, `sqlite://path`), which applies the
//! migrations (idempotent; on PostgreSQL under an advisory lock, so several processes may
//! start at once) and returns a [`SqlStore`] whose [`SqlStore::ports`] is the engine's
//! [`kassa::engine::Ports`] bundle, whose [`SqlStore::billing_ports`] is the billing
//! engine's [`kassa::engine::BillingPorts`], and whose [`SqlStore::auth_ports`] gives the
//! identity flows' [`kassa::engine::AuthPorts`] the SQL token store ([`SqlStore::tokens`]).

mod carts;
mod catalog;
mod checkout;
mod coupons;
mod db;
pub mod host;
mod idempotency;
mod inventory;
mod orders;
mod outbox;
mod schema;
mod subscriptions;
mod supply;
mod system;
mod tokens;
mod users;

pub use carts::SqlCarts;
pub use catalog::SqlCatalog;
pub use checkout::SqlCheckout;
pub use coupons::SqlCoupons;
pub use db::{Db, Dialect, OpenOptions};
pub use host::{open_host, open_host_json, OpenedHost, UrlOptions};
pub use idempotency::SqlIdempotency;
pub use inventory::SqlInventory;
pub use orders::SqlOrders;
pub use outbox::{DeliveredEvent, SqlOutbox};
pub use schema::MIGRATIONS;
pub use subscriptions::SqlSubscriptions;
pub use supply::SqlSupply;
pub use system::{OsRandom, SystemClock, UuidIds};
pub use tokens::SqlTokens;
pub use users::SqlUsers;

use kassa::catalog::CatalogData;
use kassa::engine::{AuthPorts, BillingPorts, Ports};
use kassa::memory::SandboxGateway;
use kassa::ports::{Clock, IdGenerator, PaymentGateway, PricingRules, RandomSource};
use kassa::ratelimit::RateLimitStore;
use kassa::Result;
use std::sync::Arc;

/// Every SQL-backed port over one database.
#[derive(Clone)]
pub struct SqlStore {
    /// The database (pool and dialect).
    pub db: Db,
    /// Catalog and pricing rules.
    pub catalog: Arc<SqlCatalog>,
    /// Carts.
    pub carts: Arc<SqlCarts>,
    /// Orders (their outbox events go into [`SqlStore::outbox`] in the same transaction).
    pub orders: Arc<SqlOrders>,
    /// Stock and reservations.
    pub inventory: Arc<SqlInventory>,
    /// Coupon redemptions.
    pub coupons: Arc<SqlCoupons>,
    /// Users and tokens.
    pub users: Arc<SqlUsers>,
    /// Idempotency records.
    pub idempotency: Arc<SqlIdempotency>,
    /// The outbox (event sink and relay side).
    pub outbox: Arc<SqlOutbox>,
    /// Suppliers, reorder rules, purchase orders and shipments.
    pub supply: Arc<SqlSupply>,
    /// Subscriptions with their invoices (the billing flows, through
    /// [`SqlStore::billing_ports`]).
    pub subscriptions: Arc<SqlSubscriptions>,
    /// Refresh-token families and one-time tokens of the identity flows (through
    /// [`SqlStore::auth_ports`]).
    pub tokens: Arc<SqlTokens>,
    /// The checkout unit of work (one transaction per step, over the tables above).
    pub checkout: Arc<SqlCheckout>,
}

impl SqlStore {
    /// The stores over an opened (and migrated) database.
    pub fn new(db: Db) -> Self {
        let catalog = Arc::new(SqlCatalog::new(db.clone()));
        let orders = Arc::new(SqlOrders::new(db.clone()));
        SqlStore {
            checkout: Arc::new(SqlCheckout::new(
                db.clone(),
                catalog.clone(),
                orders.clone(),
            )),
            catalog,
            carts: Arc::new(SqlCarts::new(db.clone())),
            orders,
            inventory: Arc::new(SqlInventory::new(db.clone())),
            coupons: Arc::new(SqlCoupons::new(db.clone())),
            users: Arc::new(SqlUsers::new(db.clone())),
            idempotency: Arc::new(SqlIdempotency::new(db.clone())),
            outbox: Arc::new(SqlOutbox::new(db.clone())),
            supply: Arc::new(SqlSupply::new(db.clone())),
            subscriptions: Arc::new(SqlSubscriptions::new(db.clone())),
            tokens: Arc::new(SqlTokens::new(db.clone())),
            db,
        }
    }

    /// The engine's port bundle: these stores, the system clock, random (UUID v4) ids that
    /// are unique across processes, and `gateway` for payments.
    pub fn ports_with(&self, gateway: Arc<dyn PaymentGateway>) -> Ports {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let ids: Arc<dyn IdGenerator> = Arc::new(UuidIds);
        Ports {
            catalog: self.catalog.clone(),
            carts: self.carts.clone(),
            orders: self.orders.clone(),
            inventory: self.inventory.clone(),
            coupons: self.coupons.clone(),
            users: self.users.clone(),
            idempotency: self.idempotency.clone(),
            gateway,
            events: self.outbox.clone(),
            supply: self.supply.clone(),
            checkout: self.checkout.clone(),
            clock,
            ids,
        }
    }

    /// [`SqlStore::ports_with`] the in-memory sandbox gateway (development and tests; a
    /// production host passes its real gateway).
    pub fn ports(&self) -> Ports {
        self.ports_with(Arc::new(SandboxGateway::new()))
    }

    /// The billing ports (the SQL subscription store), for [`kassa::engine::Billing::new`]
    /// next to [`SqlStore::ports`].
    pub fn billing_ports(&self) -> BillingPorts {
        BillingPorts {
            subscriptions: self.subscriptions.clone(),
        }
    }

    /// The identity ports, for [`kassa::engine::Auth::new`]: the SQL token store with the
    /// host's rate-limit state and randomness. Neither is SQL: rate limits live in memory per
    /// process or in Redis (`kassa-redis`) shared by every instance, and `random` must be
    /// the OS CSPRNG in production (it makes salts, token ids and one-time secrets).
    pub fn auth_ports(
        &self,
        rate_limits: Arc<dyn RateLimitStore>,
        random: Arc<dyn RandomSource>,
    ) -> AuthPorts {
        AuthPorts {
            tokens: self.tokens.clone(),
            rate_limits,
            random,
        }
    }

    /// Replaces the catalog and the pricing rules (a host's seed or import step).
    pub async fn seed_catalog(&self, data: CatalogData, rules: PricingRules) -> Result<()> {
        self.catalog.replace(data, rules).await
    }

    /// The recorded migration versions, ascending (one row per applied migration).
    pub async fn applied_migrations(&self) -> Result<Vec<i64>> {
        schema::applied(&self.db).await
    }

    /// Closes the pool (waits for checked-out connections).
    pub async fn close(&self) {
        self.db.pool().close().await;
    }
}

/// Opens a database by URL (`postgres://` / `postgresql://`, `sqlite://path` or
/// `sqlite::memory:`), applies the migrations and returns the stores.
///
/// An unreachable database is `UNAVAILABLE` with `meta.retryAfterSeconds`.
pub async fn open(url: &str) -> Result<SqlStore> {
    open_with(url, OpenOptions::default()).await
}

/// [`open`] with explicit options (pool size, PostgreSQL schema, timeouts).
pub async fn open_with(url: &str, options: OpenOptions) -> Result<SqlStore> {
    let db = Db::connect(url, options).await?;
    schema::migrate(&db).await?;
    Ok(SqlStore::new(db))
}
