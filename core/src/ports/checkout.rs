//! The checkout unit of work: what a checkout writes, as two atomic port calls.
//!
//! A checkout used to be a dozen single-purpose port calls (reserve, redeem each coupon,
//! next order number, insert the order, checkpoint the idempotency key; then commit the
//! stock, confirm the order with its outbox events, clear the cart, complete the key): on a
//! database that is about 24 round trips and 8 commits. [`CheckoutStore`] groups them into
//! [`CheckoutStore::place`] (before the gateway is called) and [`CheckoutStore::settle`]
//! (after it approved), each one atomic step, plus [`CheckoutStore::load`], the reads a
//! checkout starts with. A database adapter runs each as one transaction (PostgreSQL: one
//! function call, one round trip); [`ComposedCheckout`] runs them through the other ports,
//! so the in-memory ports and a host's own ports need nothing new.
//!
//! The methods get the other ports in [`CheckoutPorts`] (as
//! [`super::OrderStore::compare_and_set_with_events`] gets the outbox): the composed
//! implementation always uses the ports the engine runs on, also when a host swapped one of
//! them. An implementation that writes its own tables (the SQL adapters) ignores them and must
//! be paired with the stores over the same tables (the adapters' port bundles are).

use super::carts::{CartStore, StoredCart};
use super::catalog::{CatalogStore, PricingRules};
use super::coupons::{CouponLimits, CouponStore};
use super::events::{EventSink, OutboxEvent};
use super::health::PortHealth;
use super::idempotency::{IdempotencyBegin, IdempotencyStore};
use super::inventory::InventoryStore;
use super::orders::OrderStore;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, KassaError, Result};
use crate::inventory::reservation::{Reservation, ReserveRequest};
use crate::order::Order;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The ports a checkout unit of work composes (borrowed from the engine's
/// [`crate::engine::Ports`] for one call).
#[derive(Clone, Copy)]
pub struct CheckoutPorts<'a> {
    /// Catalog and pricing rules.
    pub catalog: &'a dyn CatalogStore,
    /// Carts.
    pub carts: &'a dyn CartStore,
    /// Orders.
    pub orders: &'a dyn OrderStore,
    /// Stock and reservations.
    pub inventory: &'a dyn InventoryStore,
    /// Coupon redemptions.
    pub coupons: &'a dyn CouponStore,
    /// Idempotency records.
    pub idempotency: &'a dyn IdempotencyStore,
    /// The outbox (for order stores that publish through the engine's sink).
    pub events: &'a dyn EventSink,
}

/// What a checkout reads before it prices: the cart, the catalog and the pricing rules.
#[derive(Debug, Clone)]
pub struct CheckoutInputs {
    /// The cart (`None`: no such cart).
    pub cart: Option<StoredCart>,
    /// The catalog.
    pub catalog: Arc<Catalog>,
    /// The pricing rules.
    pub rules: PricingRules,
}

/// An idempotency key's stored response, written with the checkout step that produced it
/// (as [`IdempotencyStore::complete`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyResponse {
    /// The key's scope (the principal id).
    pub scope: String,
    /// The key.
    pub key: String,
    /// The response stored under it.
    pub response: serde_json::Value,
}

/// [`CheckoutStore::place`]: everything a checkout writes before it calls the gateway.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    /// The stock to reserve (all or nothing, as [`InventoryStore::reserve`]); its
    /// `reference` is the order id.
    pub reservation: ReserveRequest,
    /// When (reservation expiry is checked against it).
    pub now: DateTime<Utc>,
    /// The applied coupons (normalized codes) with their limits, redeemed for the order id
    /// by the order's customer (as [`CouponStore::redeem`]), in this order.
    pub coupons: Vec<(String, CouponLimits)>,
    /// The new order (version 0). Its `number` is assigned here: `{number_prefix}-{n:06}`
    /// with `n` from the order-number sequence ([`OrderStore::next_number`]).
    pub order: Order,
    /// Prefix of the order number.
    pub number_prefix: String,
    /// The idempotency checkpoint (`{orderId, inFlightSince}`) of a keyed checkout.
    pub idempotency: Option<IdempotencyResponse>,
    /// The request hash of a keyed checkout that claims its key in this step (stores that
    /// say [`CheckoutStore::claims_keys_in_place`]; the engine sets it only when
    /// [`CheckoutStore::load_keyed`] found no record of the key): the key of `idempotency`
    /// is created here, holding the checkpoint, instead of updating a key claimed before.
    /// If the key exists by then (a concurrent request with the same key got there first),
    /// nothing is stored and the error is [`key_taken`]. `None`: the key (if any) was
    /// claimed through [`IdempotencyStore::begin`] and is updated.
    pub claim: Option<String>,
}

/// The error of [`CheckoutStore::place`] when it was to claim the idempotency key
/// ([`PlaceOrder::claim`]) and the key exists: `CONFLICT` with `meta.idempotency = "taken"`.
/// Nothing was stored; the engine then claims the key through [`IdempotencyStore::begin`],
/// which tells a finished request (replayed) from a running one or a reused key.
pub fn key_taken(key: &str) -> KassaError {
    KassaError::conflict(format!("idempotency key '{key}' is taken"))
        .with_meta("idempotency", "taken")
}

/// Whether `e` is [`key_taken`].
pub fn is_key_taken(e: &KassaError) -> bool {
    e.code == ErrorCode::Conflict
        && e.meta
            .get("idempotency")
            .is_some_and(|v| v.as_str() == Some("taken"))
}

/// What [`CheckoutStore::place`] stored.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The active reservation.
    pub reservation: Reservation,
    /// The order as stored (version 1, numbered).
    pub order: Order,
}

/// [`CheckoutStore::settle`]: everything a checkout writes once the payment was approved.
#[derive(Debug, Clone)]
pub struct SettleOrder {
    /// The reservation to commit (as [`InventoryStore::commit`]).
    pub reservation_id: String,
    /// When (an expired reservation is not committed).
    pub now: DateTime<Utc>,
    /// The changed order, carrying the version it was read at (compare-and-set, as
    /// [`OrderStore::compare_and_set_with_events`]).
    pub order: Order,
    /// The order's outbox events.
    pub events: Vec<OutboxEvent>,
    /// The cart emptied, carrying the version checkout read (and the new `updated_at`): it
    /// is stored only if the stored cart is still at that version; a changed cart is left
    /// alone.
    pub cleared_cart: Option<StoredCart>,
    /// The idempotency key's final response (`{orderId}`).
    pub idempotency: Option<IdempotencyResponse>,
}

/// How [`CheckoutStore::settle`] ended.
// Not boxed: `Done` is the answer of every approved checkout and is moved out at once; a box
// would be one more allocation per checkout for the rare variants' sake.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Settled {
    /// Everything was stored: the order as stored (version + 1).
    Done(Order),
    /// The reservation could not be committed (expired: its stock was released and it is
    /// marked expired; or not active any more). Nothing else was written; the error is the
    /// one [`InventoryStore::commit`] gives.
    StockNotCommitted(KassaError),
    /// The order changed since it was read (its compare-and-set missed). An atomic
    /// implementation wrote nothing; [`ComposedCheckout`] may have committed the stock
    /// (idempotent). The caller goes on through the single-purpose ports.
    OrderChanged,
}

/// The checkout unit of work. Each method is one atomic step in a database-backed store.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait CheckoutStore: Send + Sync {
    /// The cart, the catalog and the pricing rules (a database store reads them in one
    /// round trip).
    async fn load(&self, ports: CheckoutPorts<'_>, cart_id: &str) -> Result<CheckoutInputs>;

    /// Reserves the stock, redeems every coupon under its limits, numbers and inserts the
    /// order and checkpoints the idempotency key, all or nothing: on any failure (out of
    /// stock, a coupon limit reached, ...) nothing is kept and the error is the one the
    /// single-purpose port gives (`OUT_OF_STOCK` naming the SKU, `CONFLICT` with `meta.code`
    /// and `meta.limit`, ...).
    ///
    /// One exception, as with the single-purpose calls: a key that vanished (`NOT_FOUND` from
    /// the checkpoint) is reported after the rest was stored.
    async fn place(&self, ports: CheckoutPorts<'_>, request: PlaceOrder) -> Result<Placed>;

    /// Commits the reservation, compare-and-sets the order with its outbox events, clears
    /// the cart if it is still at the version checkout read, and completes the idempotency
    /// key, as one step (see [`Settled`] for the two ways it stops early).
    async fn settle(&self, ports: CheckoutPorts<'_>, request: SettleOrder) -> Result<Settled>;

    /// Health.
    async fn health(&self) -> PortHealth;

    /// Whether [`CheckoutStore::place`] can claim the idempotency key itself
    /// ([`PlaceOrder::claim`]). Then a keyed checkout reads the key's record with its inputs
    /// ([`CheckoutStore::load_keyed`]) and, when there is none, creates the key in `place`
    /// instead of a separate [`IdempotencyStore::begin`] before it: on a database one
    /// transaction and one round trip fewer per keyed checkout. Default `false`.
    fn claims_keys_in_place(&self) -> bool {
        false
    }

    /// [`CheckoutStore::load`], plus whether the idempotency key `key` of `scope` has a
    /// record (in any state), read with the inputs (a database store: in the same query).
    /// Called only when [`CheckoutStore::claims_keys_in_place`]. The default loads and
    /// answers `true`, which sends the engine through [`IdempotencyStore::begin`].
    async fn load_keyed(
        &self,
        ports: CheckoutPorts<'_>,
        cart_id: &str,
        scope: &str,
        key: &str,
    ) -> Result<(CheckoutInputs, bool)> {
        let _ = (scope, key);
        Ok((self.load(ports, cart_id).await?, true))
    }

    /// Whether this is [`ComposedCheckout`]: the engine then runs its steps inline
    /// ([`ComposedCheckout::place_with`], ...) instead of through this trait object, which
    /// saves a boxed future and the moves of the request into it per step (the in-memory
    /// checkout, docs/performance.md, adapters, session 10). Only `ComposedCheckout` says so.
    fn is_composed(&self) -> bool {
        false
    }
}

/// The checkout unit of work composed of the single-purpose ports: what every store gets
/// unless it brings its own. Not atomic across ports; on a failure part-way through
/// [`CheckoutStore::place`] it gives back what it took (coupons undone, reservation
/// released), as the engine always did.
#[derive(Debug, Clone, Copy, Default)]
pub struct ComposedCheckout;

/// Releases a reservation and gives back coupons redeemed for `reference` (the compensation
/// of a failed [`ComposedCheckout::place`]).
async fn give_back(
    ports: CheckoutPorts<'_>,
    reservation_id: &str,
    codes: &[String],
    reference: &str,
) -> Result<()> {
    for code in codes {
        ports.coupons.undo(code, reference).await?;
    }
    ports.inventory.release(reservation_id).await?;
    Ok(())
}

impl ComposedCheckout {
    /// [`CheckoutStore::load`] through the ports.
    pub async fn load_with(ports: CheckoutPorts<'_>, cart_id: &str) -> Result<CheckoutInputs> {
        let cart = ports.carts.get(cart_id).await?;
        let catalog = ports.catalog.catalog().await?;
        let rules = ports.catalog.pricing_rules().await?;
        Ok(CheckoutInputs {
            cart,
            catalog,
            rules,
        })
    }

    /// [`CheckoutStore::place`] through the ports.
    pub async fn place_with(ports: CheckoutPorts<'_>, request: PlaceOrder) -> Result<Placed> {
        let PlaceOrder {
            reservation,
            now,
            coupons,
            mut order,
            number_prefix,
            idempotency,
            claim,
        } = request;
        // Claiming in this step: the key first, and given back if anything after fails.
        let claimed = match (&claim, &idempotency) {
            (Some(hash), Some(i)) => {
                match ports.idempotency.begin(&i.scope, &i.key, hash, now).await? {
                    IdempotencyBegin::Started => Some(i),
                    _ => return Err(key_taken(&i.key)),
                }
            }
            _ => None,
        };
        let reservation = match ports.inventory.reserve(reservation, now).await {
            Ok(r) => r,
            Err(e) => {
                if let Some(i) = claimed {
                    ports.idempotency.abandon(&i.scope, &i.key).await?;
                }
                return Err(e);
            }
        };
        let mut redeemed: Vec<String> = Vec::with_capacity(coupons.len());
        let mut failure = None;
        for (code, limits) in &coupons {
            match ports
                .coupons
                .redeem(code, &order.id, &order.customer_id, *limits)
                .await
            {
                Ok(_) => redeemed.push(code.clone()),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let inserted = match failure {
            Some(e) => Err(e),
            None => match ports.orders.next_number().await {
                Ok(n) => {
                    order.number = crate::order::order_number(&number_prefix, n);
                    ports.orders.insert(order).await
                }
                Err(e) => Err(e),
            },
        };
        let order = match inserted {
            Ok(o) => o,
            Err(e) => {
                give_back(ports, &reservation.id, &redeemed, &reservation.reference).await?;
                if let Some(i) = claimed {
                    ports.idempotency.abandon(&i.scope, &i.key).await?;
                }
                return Err(e);
            }
        };
        if let Some(i) = idempotency {
            ports
                .idempotency
                .complete(&i.scope, &i.key, i.response)
                .await?;
        }
        Ok(Placed { reservation, order })
    }

    /// [`CheckoutStore::settle`] through the ports.
    pub async fn settle_with(ports: CheckoutPorts<'_>, request: SettleOrder) -> Result<Settled> {
        let SettleOrder {
            reservation_id,
            now,
            order,
            events,
            cleared_cart,
            idempotency,
        } = request;
        if let Err(e) = ports.inventory.commit(&reservation_id, now).await {
            return Ok(Settled::StockNotCommitted(e));
        }
        let order = match ports
            .orders
            .compare_and_set_with_events(order, events, ports.events)
            .await
        {
            Ok(o) => o,
            Err(e) if e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion") => {
                return Ok(Settled::OrderChanged)
            }
            Err(e) => return Err(e),
        };
        if let Some(cart) = cleared_cart {
            clear_cart(ports.carts, cart).await?;
        }
        if let Some(i) = idempotency {
            ports
                .idempotency
                .complete(&i.scope, &i.key, i.response)
                .await?;
        }
        Ok(Settled::Done(order))
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl CheckoutStore for ComposedCheckout {
    async fn load(&self, ports: CheckoutPorts<'_>, cart_id: &str) -> Result<CheckoutInputs> {
        Self::load_with(ports, cart_id).await
    }

    async fn place(&self, ports: CheckoutPorts<'_>, request: PlaceOrder) -> Result<Placed> {
        Self::place_with(ports, request).await
    }

    async fn settle(&self, ports: CheckoutPorts<'_>, request: SettleOrder) -> Result<Settled> {
        Self::settle_with(ports, request).await
    }

    async fn health(&self) -> PortHealth {
        PortHealth::up("checkout", "composed")
    }

    fn is_composed(&self) -> bool {
        true
    }
}

/// Stores `cleared` if the stored cart is still at `cleared.version`; a changed (or
/// concurrently saved, or deleted) cart is left alone.
///
/// `save` is itself the compare-and-set on the version (a deleted cart reads as version 0,
/// which no read cart carries), so no read comes first: the read was a copy of the whole
/// cart per checkout only to compare the version `save` compares again.
pub async fn clear_cart(carts: &dyn CartStore, cleared: StoredCart) -> Result<()> {
    match carts.save(cleared).await {
        Ok(_) => Ok(()),
        Err(e) if e.code == ErrorCode::Conflict => Ok(()),
        Err(e) => Err(e),
    }
}
