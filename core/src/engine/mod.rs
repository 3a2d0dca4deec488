//! Engine: the commerce flows of the storefront over the ports.
//!
//! Every flow loads aggregates through ports, decides with the pure domain code (`cart`,
//! `pricing`, `order`, `payment`, `inventory`), persists through single atomic port calls
//! (reserve-if-available, redeem-if-under-limit, begin-idempotent-request, compare-and-set on
//! the order version) and publishes versioned events to the outbox. Every flow takes the
//! acting [`Principal`].

mod access;
mod admin;
mod auth;
mod billing;
mod carts;
mod checkout;
mod dashboard;
mod events;
mod inventory;
mod orders;
mod outbox;
mod principal;
mod profile;
mod request_hash;
mod supply;

pub use crate::notify::{AccountEvent, EVENT_EMAIL_VERIFICATION, EVENT_PASSWORD_RESET};
pub use admin::EngineHealth;
pub use auth::{AccountView, Auth, AuthConfig, AuthPorts, AuthSession, LoginRequest};
pub use billing::{
    Billing, BillingConfig, BillingMessage, BillingPorts, ChangePlanRequest, RenewalItem,
    RenewalReport, SubscribeRequest, SubscriptionEvent,
};
pub use checkout::CheckoutRequest;
pub use dashboard::{dashboard_stats, DailyRevenue, DashboardRequest, DashboardStats, TopProduct};
pub use inventory::{
    BarcodeScan, InventoryUpdate, InventoryUpdateResult, ScanResult, EVENT_LOW_STOCK,
};
pub use orders::StatusUpdate;
pub use principal::{Principal, ROLE_ADMIN, ROLE_CUSTOMER, ROLE_SYSTEM};
pub use profile::MAX_PROFILE_NAME_CHARS;
pub use request_hash::request_hash;
pub use supply::{
    NewShipment, ReceiveGoods, ReceiveResult, ReorderRunReport, TrackingResult,
    EVENT_PURCHASE_ORDER, EVENT_SHIPMENT_TRACKING,
};

use crate::error::{ErrorCode, KassaError, Result};
use crate::notify::Notifier;
use crate::order::Order;
use crate::ports::{
    CartStore, CatalogStore, Clock, CouponStore, EventSink, IdGenerator, IdempotencyStore,
    InventoryStore, OrderStore, PaymentGateway, UserStore,
};
use chrono::{DateTime, Utc};
use outbox::Outbound;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Every port the engine uses.
#[derive(Clone)]
pub struct Ports {
    /// Catalog and pricing rules.
    pub catalog: Arc<dyn CatalogStore>,
    /// Carts.
    pub carts: Arc<dyn CartStore>,
    /// Orders.
    pub orders: Arc<dyn OrderStore>,
    /// Stock and reservations.
    pub inventory: Arc<dyn InventoryStore>,
    /// Coupon redemptions.
    pub coupons: Arc<dyn CouponStore>,
    /// Users and tokens.
    pub users: Arc<dyn UserStore>,
    /// Idempotency records.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// The payment gateway.
    pub gateway: Arc<dyn PaymentGateway>,
    /// The outbox.
    pub events: Arc<dyn EventSink>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// New ids.
    pub ids: Arc<dyn IdGenerator>,
    /// Suppliers, reorder rules, purchase orders and shipments.
    pub supply: Arc<dyn crate::ports::SupplyStore>,
    /// The checkout unit of work ([`crate::ports::ComposedCheckout`] over the ports above,
    /// or a store's own atomic implementation, e.g. one database transaction per step).
    pub checkout: Arc<dyn crate::ports::CheckoutStore>,
}

impl Ports {
    /// The ports the checkout unit of work composes, borrowed for one call.
    pub fn checkout_ports(&self) -> crate::ports::CheckoutPorts<'_> {
        crate::ports::CheckoutPorts {
            catalog: self.catalog.as_ref(),
            carts: self.carts.as_ref(),
            orders: self.orders.as_ref(),
            inventory: self.inventory.as_ref(),
            coupons: self.coupons.as_ref(),
            idempotency: self.idempotency.as_ref(),
            events: self.events.as_ref(),
        }
    }
}

/// Engine settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct EngineConfig {
    /// Prefix of order numbers (`"KS"` gives `KS-000001`).
    pub order_number_prefix: String,
    /// How long checkout holds stock before payment settles, in seconds.
    pub reservation_ttl_seconds: i64,
    /// Capture at checkout (`true`) or only authorize (capture later with
    /// [`Engine::capture_payment`]).
    pub capture_on_checkout: bool,
    /// Region used when a checkout names none.
    pub default_region: String,
    /// Units at or below which a stock level counts as low on the dashboard.
    pub low_stock_threshold: u64,
    /// Compare-and-set retries before a contended order write gives up with `CONFLICT`.
    pub max_write_retries: u32,
    /// How long a keyed checkout that has created its order, but not finished, counts as
    /// still running (a duplicate is `CONFLICT`, `in_progress`). After that the holder is
    /// presumed dead and a duplicate answers with that order as it stands: never a second
    /// order, never a second charge. Keep it at least the gateway's timeout.
    pub in_flight_seconds: i64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            order_number_prefix: "KS".into(),
            reservation_ttl_seconds: 15 * 60,
            capture_on_checkout: true,
            default_region: String::new(),
            low_stock_threshold: 5,
            max_write_retries: 16,
            in_flight_seconds: 60,
        }
    }
}

/// The checkout engine.
pub struct Engine {
    ports: Ports,
    config: EngineConfig,
    notifier: Notifier,
    auth: Option<Auth>,
    policy: Arc<crate::access::Policy>,
}

impl Engine {
    /// An engine over `ports` with default templates.
    pub fn new(ports: Ports, config: EngineConfig) -> Result<Self> {
        if config.order_number_prefix.trim().is_empty() {
            return Err(KassaError::validation(
                "orderNumberPrefix",
                "must not be empty",
            ));
        }
        if config.reservation_ttl_seconds <= 0 {
            return Err(KassaError::validation(
                "reservationTtlSeconds",
                "must be positive",
            ));
        }
        Ok(Engine {
            ports,
            config,
            notifier: Notifier::new()?,
            auth: None,
            policy: Arc::new(crate::access::Policy::builtin()),
        })
    }

    /// The ports.
    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The notifier (override templates through [`Engine::notifier_mut`]).
    pub fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// The notifier, to override templates.
    pub fn notifier_mut(&mut self) -> &mut Notifier {
        &mut self.notifier
    }

    fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }

    /// Reading one owned cart or order (`kind` singular: `"cart"`, `"order"`) through the
    /// policy: a foreign one is `NOT_FOUND` (not `FORBIDDEN`, so ids do not leak).
    fn require_owner(&self, actor: &Principal, owner_id: &str, kind: &str, id: &str) -> Result<()> {
        let plural = match kind {
            "cart" => std::borrow::Cow::Borrowed("carts"),
            "order" => std::borrow::Cow::Borrowed("orders"),
            other => std::borrow::Cow::Owned([other, "s"].concat()),
        };
        self.authorize_owned(actor, &plural, "read", id, owner_id)
    }

    async fn load_order(&self, id: &str) -> Result<Order> {
        self.ports
            .orders
            .get(id)
            .await?
            .ok_or_else(|| KassaError::not_found("order", id))
    }

    /// Writes `order` with compare-and-set together with its events, in one atomic port call
    /// ([`OrderStore::compare_and_set_with_events`]): a database-backed store commits the
    /// order and its outbox rows in one transaction, so no event is lost between the two.
    async fn save_order_with_events<E: Outbound>(
        &self,
        order: Order,
        events: &[E],
    ) -> Result<Order> {
        let now = self.now();
        let outbox = events
            .iter()
            .map(|e| e.to_outbox(&order, now))
            .collect::<Result<Vec<_>>>()?;
        self.ports
            .orders
            .compare_and_set_with_events(order, outbox, self.ports.events.as_ref())
            .await
    }

    /// Loads the order, applies a pure change, writes it with compare-and-set (reloading and
    /// re-applying on a version conflict) together with the events the change returned.
    async fn mutate_order<F, E>(&self, order_id: &str, change: F) -> Result<Order>
    where
        F: FnMut(&mut Order) -> Result<Vec<E>>,
        E: Outbound,
    {
        self.mutate_order_from(order_id, None, change).await
    }

    /// [`Engine::mutate_order`] starting from a copy the caller just got from the store
    /// (saves the first reload); a version conflict reloads as usual.
    async fn mutate_order_from<F, E>(
        &self,
        order_id: &str,
        mut current: Option<Order>,
        mut change: F,
    ) -> Result<Order>
    where
        F: FnMut(&mut Order) -> Result<Vec<E>>,
        E: Outbound,
    {
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut order = match current.take() {
                Some(o) => o,
                None => self.load_order(order_id).await?,
            };
            let events = change(&mut order)?;
            match self.save_order_with_events(order, &events).await {
                Ok(saved) => return Ok(saved),
                Err(e) if e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion") => {
                    continue
                }
                Err(e) => return Err(e),
            }
        }
        Err(KassaError::conflict(format!(
            "order '{order_id}' is being changed by others; try again"
        )))
    }
}
