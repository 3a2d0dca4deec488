//! The engine as JSON operations, for the bindings.
//!
//! [`EngineHost`] wraps an [`Engine`] and answers `call(operation, request)` with the
//! operation's serde result, so Python, Node and the browser drive the same flows with the
//! same request shapes. Every request that acts on someone's data carries the acting
//! principal as `actor: {"id": ..., "roles": [...]}`; the host authenticates its user and
//! passes who it is (or the claims of an access token through `auth.authenticate`).
//!
//! [`EngineHost::in_memory`] builds the embedded defaults (in-memory stores, sandbox
//! gateway, manual clock, sequential ids, collecting outbox) from one JSON setup, and adds
//! the `memory.*` operations to move the clock and drain the outbox. [`EngineHost::new`]
//! wraps an engine over any ports, so a binding can substitute ports its host implements.

// With an engine family off (`engine-*`, `templates`), its request types and imports are
// unused; gating each of them too would double the cfg lines for no gain.
#![cfg_attr(
    not(all(
        feature = "engine-auth",
        feature = "engine-supply",
        feature = "engine-billing",
        feature = "templates"
    )),
    allow(dead_code, unused_imports)
)]

use crate::catalog::{Catalog, CatalogData, Product, ProductQuery};
use crate::engine::{
    Auth, AuthConfig, AuthPorts, BillingPorts, CheckoutRequest, DashboardRequest, Engine,
    EngineConfig, LoginRequest, Principal, StatusUpdate,
};
use crate::engine::{
    BarcodeScan, Billing, BillingConfig, ChangePlanRequest, InventoryUpdate, NewShipment,
    ReceiveGoods, SubscribeRequest,
};
use crate::error::{KassaError, Result};
use crate::identity::{JwtKey, KeyRing, Registration, TokenConfig, TokenIssuer};
use crate::inventory::reorder::ReorderRule;
use crate::memory::InMemory;
use crate::money::{Currency, Money};
use crate::notify::OrderEvent;
use crate::order::RefundRequest;
use crate::page::PageRequest;
use crate::payment::GatewayEvent;
use crate::ports::{InventoryStore, OrderFilter, PricingRules};
use crate::supply::{Supplier, TrackingEvent};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The sample catalog the storefront example and the playgrounds use (cargo feature
/// `sample-catalog`).
#[cfg(feature = "sample-catalog")]
pub const SAMPLE_CATALOG: &str = include_str!("../../../examples/data/catalog.json");

/// Every engine operation [`EngineHost::call`] accepts (the `memory.*` ones only on a host
/// built by [`EngineHost::in_memory`]).
pub const OPERATIONS: &[&str] = &[
    "health",
    "catalog.browse",
    "catalog.create_product",
    "catalog.update_product",
    "catalog.pricing_rules",
    "catalog.set_pricing_rules",
    "inventory.availability",
    "inventory.set_stock",
    "inventory.sweep_reservations",
    "cart.create",
    "cart.get",
    "cart.add",
    "cart.set_quantity",
    "cart.remove",
    "checkout.quote",
    "checkout.run",
    "order.get",
    "order.mine",
    "order.history",
    "order.cancel",
    "order.refund",
    "order.update_status",
    "payment.capture",
    "payment.gateway_event",
    "admin.dashboard",
    "notify.render",
    "auth.register",
    "auth.resend_verification",
    "auth.verify_email",
    "auth.login",
    "auth.refresh",
    "auth.logout",
    "auth.logout_everywhere",
    "auth.authenticate",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.purge_expired_tokens",
    "inventory.update",
    "inventory.scan_barcode",
    "inventory.audit",
    "supply.put_supplier",
    "supply.put_reorder_rule",
    "supply.reorder_run",
    "supply.purchase_order",
    "supply.send_purchase_order",
    "supply.acknowledge_purchase_order",
    "supply.cancel_purchase_order",
    "supply.receive_purchase_order",
    "supply.settle_receipts",
    "supply.create_shipment",
    "supply.track_shipment",
    "supply.order_shipments",
    "billing.subscription",
    "billing.subscribe",
    "billing.change_plan",
    "billing.cancel",
    "billing.pause",
    "billing.resume",
    "billing.update_payment_method",
    "billing.retry_payment",
    "billing.record_usage",
    "billing.apply_payment_event",
    "billing.run_renewals",
    "memory.now",
    "memory.set_clock",
    "memory.advance_clock",
    "memory.drain_events",
];

/// Identity setup of an in-memory host: the token issuer and the flows' settings.
#[derive(Debug, Clone, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthSetup {
    /// `iss` of issued tokens.
    pub issuer: String,
    /// `aud` of issued tokens.
    pub audience: String,
    /// Key id of the signing key.
    #[serde(default = "default_kid")]
    pub kid: String,
    /// HS256 secret (at least 32 bytes of UTF-8). Hosts with real keys build the engine
    /// themselves and use [`EngineHost::new`].
    pub hs256_secret: String,
    /// Access / refresh token lifetimes (defaults: 30 minutes, 7 days).
    #[serde(default)]
    pub access_ttl_seconds: Option<i64>,
    /// Refresh token lifetime in seconds.
    #[serde(default)]
    pub refresh_ttl_seconds: Option<i64>,
    /// Password policy, argon2 parameters, rate limits, token lifetimes, default roles.
    #[serde(default)]
    pub config: AuthConfig,
}

fn default_kid() -> String {
    "k1".to_owned()
}

/// Initial stock of an in-memory host.
#[derive(Debug, Clone, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockSeed {
    /// SKU.
    pub sku: String,
    /// Location (warehouse) id.
    #[serde(default = "default_location")]
    pub location_id: String,
    /// Units on hand.
    pub on_hand: u64,
}

fn default_location() -> String {
    "main".to_owned()
}

/// The type of a setup's `auth` field: [`AuthSetup`]; in a build without the identity
/// flows (cargo feature `engine-auth` off, the wasm module's `web-full`) any JSON, which
/// the host refuses as `UNSUPPORTED`, so the module carries no decoder of the identity
/// settings (docs/performance.md, wasm, "Session 15").
#[cfg(feature = "engine-auth")]
pub type AuthSetupField = AuthSetup;
/// The type of a setup's `auth` field (see the `engine-auth` build's documentation).
#[cfg(not(feature = "engine-auth"))]
pub type AuthSetupField = NotBuilt;

/// The type of a setup's `billing` field: [`BillingConfig`]; in a build without the billing
/// flows (cargo feature `engine-billing` off) any JSON, ignored as the billing settings are
/// when nothing bills.
#[cfg(feature = "engine-billing")]
pub type BillingSetupField = BillingConfig;
/// The type of a setup's `billing` field (see the `engine-billing` build's documentation).
#[cfg(not(feature = "engine-billing"))]
pub type BillingSetupField = NotBuilt;

/// The settings of a family of flows the build leaves out: any JSON value, not read. (Not
/// `Copy`, so a setup's fields clone alike in every build.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotBuilt;

impl<'de> Deserialize<'de> for NotBuilt {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NotBuilt)
    }
}

impl super::Decode for NotBuilt {
    fn decode(_: &super::decode::Node<'_>) -> Result<Self, super::decode::DecodeError> {
        Ok(NotBuilt)
    }
}

/// Everything an in-memory host starts from; every field has a default.
#[derive(Debug, Clone, Default, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct InMemorySetup {
    /// The catalog (default: the sample catalog, `SAMPLE_CATALOG`; without the cargo feature
    /// `sample-catalog` a setup without one is `UNSUPPORTED`).
    pub catalog: Option<CatalogData>,
    /// Promotions, coupons, tax, shipping, rounding, stacking.
    pub rules: PricingRules,
    /// The manual clock's start (default 2026-01-01T00:00:00Z).
    pub start: Option<DateTime<Utc>>,
    /// Seed of the deterministic randomness (tokens). Production hosts use real ports.
    pub seed: u64,
    /// Engine settings.
    pub engine: EngineConfig,
    /// Initial stock.
    pub stock: Vec<StockSeed>,
    /// Identity flows; without it the `auth.*` operations fail with `INTERNAL` (identity is
    /// not configured).
    pub auth: Option<AuthSetupField>,
    /// Subscription billing settings (dunning schedule, proration rounding).
    pub billing: BillingSetupField,
}

/// The settings of a host that are not storage: engine, identity flows, billing (the part of
/// [`InMemorySetup`] and [`OpenSetup`] that [`EngineHost::from_ports`] takes).
#[derive(Debug, Clone, Default)]
pub struct HostConfig {
    /// Engine settings.
    pub engine: EngineConfig,
    /// Identity flows; without it the `auth.*` operations fail with `INTERNAL` (identity is
    /// not configured).
    pub auth: Option<AuthSetupField>,
    /// Subscription billing settings.
    pub billing: BillingSetupField,
}

/// Every port bundle an [`EngineHost`] runs on.
#[derive(Clone)]
pub struct HostPorts {
    /// The engine's ports (stores, gateway, outbox, clock, ids).
    pub ports: crate::engine::Ports,
    /// The billing flows' ports.
    pub billing: BillingPorts,
    /// The identity flows' ports (used only when [`HostConfig::auth`] is set).
    pub auth: AuthPorts,
}

impl std::fmt::Debug for HostPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostPorts").finish_non_exhaustive()
    }
}

/// The setup of an engine opened on a database (`Engine.open(url, setup)` in the bindings):
/// what [`InMemorySetup`] holds minus what only the in-memory ports have (a manual clock's
/// start, a deterministic seed). Every field has a default.
///
/// `catalog`, `rules` and `stock` are loaded **once**, into a database whose catalog has never
/// been written (a fresh database); on every later open the database is the source of truth
/// and they are ignored (so restarting a service never resets stock or undoes catalog edits).
/// Without `catalog`, the catalog starts empty (the in-memory default, the sample catalog, is
/// not loaded into a database).
#[derive(Debug, Clone, Default, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct OpenSetup {
    /// The catalog loaded into a fresh database.
    pub catalog: Option<CatalogData>,
    /// Promotions, coupons, tax, shipping, rounding, stacking loaded into a fresh database.
    pub rules: Option<PricingRules>,
    /// Stock levels set in a fresh database.
    pub stock: Vec<StockSeed>,
    /// Engine settings.
    pub engine: EngineConfig,
    /// Identity flows (HS256 keys); without it the `auth.*` operations fail with `INTERNAL`
    /// (identity is not configured).
    pub auth: Option<AuthSetupField>,
    /// Subscription billing settings (dunning schedule, proration rounding).
    pub billing: BillingSetupField,
}

impl OpenSetup {
    /// The setup from its JSON text (a binding's argument; empty text is `{}`).
    ///
    /// # Errors
    /// `VALIDATION_ERROR` naming the offending field (`setup` when the text is not JSON).
    pub fn from_json(text: &str) -> Result<Self> {
        super::from_argument(text, "setup")
    }

    /// Splits off the settings [`EngineHost::from_ports`] takes.
    pub fn config(&self) -> HostConfig {
        HostConfig {
            engine: self.engine.clone(),
            auth: self.auth.clone(),
            billing: self.billing.clone(),
        }
    }
}

/// Sets the stock levels of a setup through the inventory port (`stock[i].sku` names an
/// empty SKU).
///
/// # Errors
/// `VALIDATION_ERROR` on `stock[i].sku`, or the port's error.
pub async fn load_stock(inventory: &dyn InventoryStore, stock: &[StockSeed]) -> Result<()> {
    for (i, s) in stock.iter().enumerate() {
        if s.sku.is_empty() {
            return Err(KassaError::validation(
                format!("stock[{i}].sku"),
                "must not be empty",
            ));
        }
        inventory
            .set_on_hand(&s.sku, &s.location_id, s.on_hand)
            .await?;
    }
    Ok(())
}

/// An engine answering JSON operations.
pub struct EngineHost {
    engine: Engine,
    billing: Option<Billing>,
    memory: Option<InMemory>,
}

impl std::fmt::Debug for EngineHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHost")
            .field("in_memory", &self.memory.is_some())
            .finish()
    }
}

/// Polls a future of the in-memory ports once: they never wait, so setting up the embedded
/// defaults stays a synchronous constructor every host can call.
fn ready_now<F: std::future::Future>(fut: F) -> Result<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => Ok(out),
        std::task::Poll::Pending => Err(KassaError::internal(
            "an in-memory port did not complete immediately",
        )),
    }
}

/// A browse without an actor is a guest's (the built-in `guest` role may read the catalog).
fn anonymous() -> Principal {
    Principal::new("anonymous", &["guest"])
}

/// The result as JSON text: one serializer for every result type (the wasm module carries no
/// second, `Value`-building copy of them).
fn to_value<T: Serialize>(value: T) -> Result<String> {
    serde_json::to_string(&value).map_err(|e| KassaError::internal(e.to_string()))
}

fn decode<T: DeserializeOwned + super::Decode>(input: &str) -> Result<T> {
    super::from_str(input)
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Acting {
    actor: Principal,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Browse {
    #[serde(default = "anonymous")]
    actor: Principal,
    query: ProductQuery,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProductWrite {
    actor: Principal,
    product: Product,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RulesWrite {
    actor: Principal,
    rules: PricingRules,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AvailabilityQuery {
    #[serde(default)]
    skus: Option<Vec<String>>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetStock {
    actor: Principal,
    sku: String,
    #[serde(default = "default_location")]
    location_id: String,
    on_hand: u64,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateCart {
    actor: Principal,
    currency: Currency,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CartRef {
    actor: Principal,
    cart_id: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddToCart {
    actor: Principal,
    cart_id: String,
    sku: String,
    quantity: u32,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetQuantity {
    actor: Principal,
    cart_id: String,
    line_id: String,
    quantity: u32,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RemoveLine {
    actor: Principal,
    cart_id: String,
    line_id: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Checkout {
    actor: Principal,
    #[serde(default)]
    idempotency_key: Option<String>,
    request: CheckoutRequest,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderRef {
    actor: Principal,
    order_id: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MyOrders {
    actor: Principal,
    #[serde(default)]
    page: Option<PageRequest>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct History {
    actor: Principal,
    #[serde(default)]
    filter: OrderFilter,
    #[serde(default)]
    page: Option<PageRequest>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CancelOrder {
    actor: Principal,
    order_id: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefundOrder {
    actor: Principal,
    order_id: String,
    request: RefundRequest,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateStatus {
    actor: Principal,
    order_id: String,
    update: StatusUpdate,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Capture {
    actor: Principal,
    order_id: String,
    #[serde(default)]
    amount: Option<Money>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApplyGatewayEvent {
    actor: Principal,
    event: GatewayEvent,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Dashboard {
    actor: Principal,
    request: DashboardRequest,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Render {
    event: OrderEvent,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EmailFrom {
    email: String,
    #[serde(default)]
    client_address: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenOnly {
    token: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenFrom {
    token: String,
    #[serde(default)]
    client_address: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Register {
    email: String,
    password: String,
    #[serde(default)]
    client_address: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetPassword {
    token: String,
    new_password: String,
    #[serde(default)]
    client_address: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetClock {
    now: DateTime<Utc>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdvanceClock {
    seconds: i64,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateInventory {
    actor: Principal,
    update: InventoryUpdate,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScanBarcode {
    actor: Principal,
    scan: BarcodeScan,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Audit {
    actor: Principal,
    #[serde(default)]
    sku: Option<String>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PutSupplier {
    actor: Principal,
    supplier: Supplier,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PutRule {
    actor: Principal,
    rule: ReorderRule,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReorderRunRequest {
    actor: Principal,
    #[serde(default)]
    draft: bool,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ById {
    actor: Principal,
    id: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ByIdWithReason {
    actor: Principal,
    id: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReceivePo {
    actor: Principal,
    id: String,
    goods: ReceiveGoods,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateShipment {
    actor: Principal,
    shipment: NewShipment,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TrackShipment {
    actor: Principal,
    shipment_id: String,
    events: Vec<TrackingEvent>,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Subscribe {
    actor: Principal,
    idempotency_key: String,
    request: SubscribeRequest,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChangePlan {
    actor: Principal,
    id: String,
    request: ChangePlanRequest,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CancelSubscription {
    actor: Principal,
    id: String,
    #[serde(default)]
    at_period_end: bool,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentMethod {
    actor: Principal,
    id: String,
    payment_token: String,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Usage {
    actor: Principal,
    id: String,
    record_id: String,
    quantity: u64,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubscriptionEvent {
    actor: Principal,
    subscription_id: String,
    event: GatewayEvent,
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Renewals {
    actor: Principal,
    at: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settled {
    settled: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderShipments<A, B> {
    shipments: A,
    progress: B,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventApplied<A> {
    subscription: A,
    applied: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoggedOut {
    sessions_revoked: usize,
}

impl EngineHost {
    /// Wraps an engine over any ports (the `memory.*` operations are then unavailable).
    pub fn new(engine: Engine) -> Self {
        EngineHost {
            engine,
            billing: None,
            memory: None,
        }
    }

    /// Adds the subscription billing flows (`billing.*` operations).
    pub fn with_billing(mut self, billing: Billing) -> Self {
        self.billing = Some(billing);
        self
    }

    /// The embedded defaults, from a JSON [`InMemorySetup`] (`{}` gives the sample catalog,
    /// no promotions, no identity flows).
    ///
    /// # Errors
    /// `VALIDATION_ERROR` naming the field of the setup that is wrong (catalog, rules,
    /// engine settings, identity keys).
    pub fn in_memory(setup: Value) -> Result<Self> {
        let setup: InMemorySetup = super::from_value(setup)?;
        Self::from_setup(setup)
    }

    /// [`EngineHost::in_memory`] on a typed setup.
    ///
    /// # Errors
    /// As [`EngineHost::in_memory`].
    pub fn from_setup(setup: InMemorySetup) -> Result<Self> {
        Self::from_setup_with_ports(setup, |ports| ports)
    }

    /// [`EngineHost::from_setup`] with some ports substituted: `customize` receives the
    /// in-memory ports and returns the ones the engine uses (a binding replaces the gateway,
    /// a store, the outbox or the clock with ports its host implements). The `memory.*`
    /// operations keep acting on the in-memory ports (clock, outbox), so they only reflect
    /// the engine for the ports left in place.
    ///
    /// # Errors
    /// As [`EngineHost::in_memory`].
    pub fn from_setup_with_ports(
        setup: InMemorySetup,
        customize: impl FnOnce(crate::engine::Ports) -> crate::engine::Ports,
    ) -> Result<Self> {
        let data = match setup.catalog {
            Some(data) => data,
            // Through the request decoder: the setup's catalog is decoded by it, and a second
            // (serde_json) decoder of the catalog's types would be ~20 KB more wasm.
            #[cfg(feature = "sample-catalog")]
            None => super::from_str(SAMPLE_CATALOG)
                .map_err(|e| KassaError::internal(format!("sample catalog: {e}")))?,
            #[cfg(not(feature = "sample-catalog"))]
            None => {
                return Err(KassaError::unsupported(
                    "the sample catalog (a setup without `catalog`)",
                    "sample-catalog",
                )
                .with_meta("field", "catalog"))
            }
        };
        let catalog = Catalog::new(data)?;
        let start = match setup.start {
            Some(start) => start,
            None => Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .ok_or_else(|| KassaError::internal("default start time"))?,
        };
        let memory = InMemory::new(catalog, setup.rules, start).with_seed(setup.seed);
        ready_now(load_stock(&*memory.inventory, &setup.stock))??;
        // The billing and identity ports only where their flows are built: made into trait
        // objects, every method of the in-memory stores would stay in a wasm build without
        // those flows (~35 KB of code, docs/performance.md, wasm, "Session 13").
        #[cfg(feature = "engine-billing")]
        let billing = Some(memory.billing_ports());
        #[cfg(not(feature = "engine-billing"))]
        let billing = None;
        #[cfg(feature = "engine-auth")]
        let auth = Some(memory.auth_ports());
        #[cfg(not(feature = "engine-auth"))]
        let auth = None;
        // Likewise the user and supply stores: without the identity or supply flows no
        // operation reads or writes them.
        #[cfg(feature = "engine-auth")]
        let users: std::sync::Arc<dyn crate::ports::UserStore> = memory.users.clone();
        #[cfg(not(feature = "engine-auth"))]
        let users: std::sync::Arc<dyn crate::ports::UserStore> =
            std::sync::Arc::new(crate::ports::NoUsers);
        #[cfg(feature = "engine-supply")]
        let supply: std::sync::Arc<dyn crate::ports::SupplyStore> = memory.supply.clone();
        #[cfg(not(feature = "engine-supply"))]
        let supply: std::sync::Arc<dyn crate::ports::SupplyStore> =
            std::sync::Arc::new(crate::ports::NoSupply);
        let ports = memory.ports_with(users, supply);
        let mut host = Self::from_parts(
            HostConfig {
                engine: setup.engine,
                auth: setup.auth,
                billing: setup.billing,
            },
            customize(ports),
            billing,
            auth,
        )?;
        host.memory = Some(memory);
        Ok(host)
    }

    /// An engine with billing and (when `config.auth` is set) the identity flows over ports
    /// the host built: the constructor behind engines opened on a database by URL
    /// (`kassa_sql::open_host`, the bindings' `Engine.open`). The `memory.*` operations
    /// answer `CONFLICT` on such a host. Loads nothing: a store is seeded by its adapter.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` naming the field of `config` that is wrong (`engine.*`, the
    /// identity keys and token lifetimes, `billing.*`).
    pub fn from_ports(config: HostConfig, ports: HostPorts) -> Result<Self> {
        Self::from_parts(config, ports.ports, Some(ports.billing), Some(ports.auth))
    }

    /// [`EngineHost::from_ports`] with the billing and identity ports given only when their
    /// flows are built (`None` is never read then).
    #[cfg_attr(
        not(all(feature = "engine-auth", feature = "engine-billing")),
        allow(unused_variables)
    )]
    fn from_parts(
        config: HostConfig,
        ports: crate::engine::Ports,
        billing_ports: Option<BillingPorts>,
        auth_ports: Option<AuthPorts>,
    ) -> Result<Self> {
        #[cfg_attr(not(feature = "engine-auth"), allow(unused_mut))]
        let mut engine = Engine::new(ports, config.engine)?;
        #[cfg(not(feature = "engine-auth"))]
        if config.auth.is_some() {
            return Err(
                KassaError::unsupported("identity flows (`auth` setup)", "engine-auth")
                    .with_meta("field", "auth"),
            );
        }
        #[cfg(feature = "engine-auth")]
        if let Some(auth) = config.auth {
            let key = JwtKey::hs256(&auth.kid, auth.hs256_secret.as_bytes())?;
            let mut tokens = TokenConfig::new(&auth.issuer, &auth.audience);
            if let Some(ttl) = auth.access_ttl_seconds {
                tokens.access_ttl_seconds = ttl;
            }
            if let Some(ttl) = auth.refresh_ttl_seconds {
                tokens.refresh_ttl_seconds = ttl;
            }
            let issuer = TokenIssuer::new(tokens, KeyRing::new(key)?)?;
            let ports = auth_ports.ok_or_else(|| KassaError::internal("no identity ports"))?;
            engine = engine.with_auth(Auth::new(ports, issuer, auth.config)?);
        }
        #[cfg(feature = "engine-billing")]
        let billing = Some(Billing::new(
            engine.ports().clone(),
            billing_ports.ok_or_else(|| KassaError::internal("no billing ports"))?,
            config.billing,
        )?);
        #[cfg(not(feature = "engine-billing"))]
        let billing = None;
        Ok(EngineHost {
            engine,
            billing,
            memory: None,
        })
    }

    /// The wrapped engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The in-memory ports, when the host was built by [`EngineHost::in_memory`].
    pub fn memory(&self) -> Option<&InMemory> {
        self.memory.as_ref()
    }

    fn billing_or_conflict(&self) -> Result<&Billing> {
        self.billing.as_ref().ok_or_else(|| {
            KassaError::conflict(
                "billing.* operations need billing ports (EngineHost::with_billing)",
            )
        })
    }

    fn memory_or_conflict(&self) -> Result<&InMemory> {
        self.memory.as_ref().ok_or_else(|| {
            KassaError::conflict("memory.* operations need a host built on the in-memory ports")
        })
    }

    /// Runs one engine operation.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` naming the field of a request of the wrong shape, `NOT_FOUND` for
    /// an unknown operation, and whatever the flow returns.
    pub async fn call(&self, operation: &str, input: Value) -> Result<Value> {
        let text = self.call_str(operation, &input.to_string()).await?;
        serde_json::from_str(&text).map_err(|e| KassaError::internal(e.to_string()))
    }

    /// [`EngineHost::call`] on JSON text, decoded straight into the operation's request type
    /// and answered as text (the path every binding takes; an empty text is `{}`).
    ///
    /// # Errors
    /// As [`EngineHost::call`]; a request that is not JSON is a `VALIDATION_ERROR` on `input`.
    pub async fn call_str(&self, operation: &str, input: &str) -> Result<String> {
        let input = if input.trim().is_empty() { "{}" } else { input };
        let e = &self.engine;
        match operation {
            "health" => to_value(e.health().await),
            "catalog.browse" => {
                let r: Browse = decode(input)?;
                to_value(e.browse(&r.actor, &r.query).await?)
            }
            "catalog.create_product" => {
                let r: ProductWrite = decode(input)?;
                to_value(e.create_product(&r.actor, r.product).await?)
            }
            "catalog.update_product" => {
                let r: ProductWrite = decode(input)?;
                to_value(e.update_product(&r.actor, r.product).await?)
            }
            "catalog.pricing_rules" => {
                let _: Acting = decode(input)?;
                to_value(e.ports().catalog.pricing_rules().await?)
            }
            "catalog.set_pricing_rules" => {
                let r: RulesWrite = decode(input)?;
                if !r.actor.is_privileged() {
                    return Err(KassaError::forbidden(
                        "only administrators set pricing rules",
                    ));
                }
                e.ports().catalog.set_pricing_rules(r.rules).await?;
                Ok("null".to_owned())
            }
            "inventory.availability" => {
                let r: AvailabilityQuery = decode(input)?;
                let skus: Option<Vec<&str>> = r
                    .skus
                    .as_ref()
                    .map(|v| v.iter().map(String::as_str).collect());
                to_value(e.availability(skus.as_deref()).await?)
            }
            "inventory.set_stock" => {
                let r: SetStock = decode(input)?;
                to_value(
                    e.set_stock(&r.actor, &r.sku, &r.location_id, r.on_hand)
                        .await?,
                )
            }
            "inventory.sweep_reservations" => {
                let r: Acting = decode(input)?;
                to_value(e.sweep_reservations(&r.actor).await?)
            }
            "cart.create" => {
                let r: CreateCart = decode(input)?;
                to_value(e.create_cart(&r.actor, r.currency).await?)
            }
            "cart.get" => {
                let r: CartRef = decode(input)?;
                to_value(e.get_cart(&r.actor, &r.cart_id).await?)
            }
            "cart.add" => {
                let r: AddToCart = decode(input)?;
                to_value(
                    e.add_to_cart(&r.actor, &r.cart_id, &r.sku, r.quantity)
                        .await?,
                )
            }
            "cart.set_quantity" => {
                let r: SetQuantity = decode(input)?;
                to_value(
                    e.set_cart_quantity(&r.actor, &r.cart_id, &r.line_id, r.quantity)
                        .await?,
                )
            }
            "cart.remove" => {
                let r: RemoveLine = decode(input)?;
                to_value(e.remove_cart_line(&r.actor, &r.cart_id, &r.line_id).await?)
            }
            "checkout.quote" => {
                let r: Checkout = decode(input)?;
                to_value(e.quote_checkout(&r.actor, &r.request).await?)
            }
            "checkout.run" => {
                let r: Checkout = decode(input)?;
                to_value(
                    e.checkout(&r.actor, r.idempotency_key.as_deref(), r.request)
                        .await?,
                )
            }
            "order.get" => {
                let r: OrderRef = decode(input)?;
                to_value(e.get_order(&r.actor, &r.order_id).await?)
            }
            "order.mine" => {
                let r: MyOrders = decode(input)?;
                to_value(e.my_orders(&r.actor, r.page.unwrap_or_default()).await?)
            }
            "order.history" => {
                let r: History = decode(input)?;
                to_value(
                    e.order_history(&r.actor, &r.filter, r.page.unwrap_or_default())
                        .await?,
                )
            }
            "order.cancel" => {
                let r: CancelOrder = decode(input)?;
                to_value(e.cancel_order(&r.actor, &r.order_id, &r.reason).await?)
            }
            "order.refund" => {
                let r: RefundOrder = decode(input)?;
                to_value(e.refund_order(&r.actor, &r.order_id, r.request).await?)
            }
            "order.update_status" => {
                let r: UpdateStatus = decode(input)?;
                to_value(
                    e.update_order_status(&r.actor, &r.order_id, r.update, &r.reason)
                        .await?,
                )
            }
            "payment.capture" => {
                let r: Capture = decode(input)?;
                to_value(e.capture_payment(&r.actor, &r.order_id, r.amount).await?)
            }
            "payment.gateway_event" => {
                let r: ApplyGatewayEvent = decode(input)?;
                to_value(e.apply_gateway_event(&r.actor, r.event).await?)
            }
            "admin.dashboard" => {
                let r: Dashboard = decode(input)?;
                to_value(e.dashboard(&r.actor, &r.request).await?)
            }
            // Without templates every render is UNSUPPORTED: answered before decoding, so the
            // module carries no decoder of the events (~45 KB of wasm code).
            #[cfg(feature = "templates")]
            "notify.render" => {
                let r: Render = decode(input)?;
                to_value(e.notifier().render(&r.event)?)
            }
            #[cfg(feature = "engine-auth")]
            "auth.register" => {
                let r: Register = decode(input)?;
                let registration = Registration {
                    email: r.email,
                    password: r.password,
                };
                to_value(e.register(&registration, &r.client_address).await?)
            }
            #[cfg(feature = "engine-auth")]
            "auth.resend_verification" => {
                let r: EmailFrom = decode(input)?;
                e.resend_verification(&r.email, &r.client_address).await?;
                Ok("null".to_owned())
            }
            #[cfg(feature = "engine-auth")]
            "auth.verify_email" => {
                let r: TokenFrom = decode(input)?;
                to_value(e.verify_email(&r.token, &r.client_address).await?)
            }
            #[cfg(feature = "engine-auth")]
            "auth.login" => {
                let r: LoginRequest = decode(input)?;
                to_value(e.login(&r).await?)
            }
            #[cfg(feature = "engine-auth")]
            "auth.refresh" => {
                let r: TokenFrom = decode(input)?;
                to_value(e.refresh(&r.token, &r.client_address).await?)
            }
            #[cfg(feature = "engine-auth")]
            "auth.logout" => {
                let r: TokenOnly = decode(input)?;
                e.logout(&r.token).await?;
                Ok("null".to_owned())
            }
            #[cfg(feature = "engine-auth")]
            "auth.logout_everywhere" => {
                let r: TokenOnly = decode(input)?;
                let sessions_revoked = e.logout_everywhere(&r.token).await?;
                to_value(LoggedOut { sessions_revoked })
            }
            #[cfg(feature = "engine-auth")]
            "auth.authenticate" => {
                let r: TokenOnly = decode(input)?;
                to_value(e.authenticate(&r.token).await?)
            }
            #[cfg(feature = "engine-auth")]
            "auth.forgot_password" => {
                let r: EmailFrom = decode(input)?;
                e.forgot_password(&r.email, &r.client_address).await?;
                Ok("null".to_owned())
            }
            #[cfg(feature = "engine-auth")]
            "auth.reset_password" => {
                let r: ResetPassword = decode(input)?;
                e.reset_password(&r.token, &r.new_password, &r.client_address)
                    .await?;
                Ok("null".to_owned())
            }
            #[cfg(feature = "engine-auth")]
            "auth.purge_expired_tokens" => to_value(e.purge_expired_tokens().await?),
            "inventory.update" => {
                let r: UpdateInventory = decode(input)?;
                to_value(e.update_inventory(&r.actor, &r.update).await?)
            }
            "inventory.scan_barcode" => {
                let r: ScanBarcode = decode(input)?;
                to_value(e.scan_barcode(&r.actor, &r.scan).await?)
            }
            "inventory.audit" => {
                let r: Audit = decode(input)?;
                to_value(e.inventory_audit(&r.actor, r.sku.as_deref()).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.put_supplier" => {
                let r: PutSupplier = decode(input)?;
                to_value(e.put_supplier(&r.actor, r.supplier).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.put_reorder_rule" => {
                let r: PutRule = decode(input)?;
                to_value(e.put_reorder_rule(&r.actor, r.rule).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.reorder_run" => {
                let r: ReorderRunRequest = decode(input)?;
                to_value(e.reorder_run(&r.actor, r.draft).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.purchase_order" => {
                let r: ById = decode(input)?;
                to_value(e.purchase_order(&r.actor, &r.id).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.send_purchase_order" => {
                let r: ById = decode(input)?;
                to_value(e.send_purchase_order(&r.actor, &r.id).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.acknowledge_purchase_order" => {
                let r: ById = decode(input)?;
                to_value(e.acknowledge_purchase_order(&r.actor, &r.id).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.cancel_purchase_order" => {
                let r: ByIdWithReason = decode(input)?;
                to_value(e.cancel_purchase_order(&r.actor, &r.id, &r.reason).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.receive_purchase_order" => {
                let r: ReceivePo = decode(input)?;
                to_value(e.receive_purchase_order(&r.actor, &r.id, &r.goods).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.settle_receipts" => {
                let r: Acting = decode(input)?;
                let settled = e.settle_receipts(&r.actor).await?;
                to_value(Settled { settled })
            }
            #[cfg(feature = "engine-supply")]
            "supply.create_shipment" => {
                let r: CreateShipment = decode(input)?;
                to_value(e.create_shipment(&r.actor, &r.shipment).await?)
            }
            #[cfg(feature = "engine-supply")]
            "supply.track_shipment" => {
                let r: TrackShipment = decode(input)?;
                to_value(
                    e.track_shipment(&r.actor, &r.shipment_id, &r.events)
                        .await?,
                )
            }
            #[cfg(feature = "engine-supply")]
            "supply.order_shipments" => {
                let r: OrderRef = decode(input)?;
                let (shipments, progress) = e.order_shipments(&r.actor, &r.order_id).await?;
                to_value(OrderShipments {
                    shipments,
                    progress,
                })
            }
            #[cfg(feature = "engine-billing")]
            "billing.subscription" => {
                let b = self.billing_or_conflict()?;
                let r: ById = decode(input)?;
                to_value(b.subscription(&r.actor, &r.id).await?)
            }
            #[cfg(feature = "engine-billing")]
            "billing.subscribe" => {
                let b = self.billing_or_conflict()?;
                let r: Subscribe = decode(input)?;
                to_value(b.subscribe(&r.actor, &r.idempotency_key, r.request).await?)
            }
            #[cfg(feature = "engine-billing")]
            "billing.change_plan" => {
                let b = self.billing_or_conflict()?;
                let r: ChangePlan = decode(input)?;
                to_value(b.change_plan(&r.actor, &r.id, r.request).await?)
            }
            #[cfg(feature = "engine-billing")]
            "billing.cancel" => {
                let b = self.billing_or_conflict()?;
                let r: CancelSubscription = decode(input)?;
                to_value(
                    b.cancel(&r.actor, &r.id, r.at_period_end, &r.reason)
                        .await?,
                )
            }
            #[cfg(feature = "engine-billing")]
            "billing.pause" => {
                let b = self.billing_or_conflict()?;
                let r: ByIdWithReason = decode(input)?;
                to_value(b.pause(&r.actor, &r.id, &r.reason).await?)
            }
            #[cfg(feature = "engine-billing")]
            "billing.resume" => {
                let b = self.billing_or_conflict()?;
                let r: ById = decode(input)?;
                to_value(b.resume(&r.actor, &r.id).await?)
            }
            #[cfg(feature = "engine-billing")]
            "billing.update_payment_method" => {
                let b = self.billing_or_conflict()?;
                let r: PaymentMethod = decode(input)?;
                to_value(
                    b.update_payment_method(&r.actor, &r.id, &r.payment_token)
                        .await?,
                )
            }
            #[cfg(feature = "engine-billing")]
            "billing.retry_payment" => {
                let b = self.billing_or_conflict()?;
                let r: ById = decode(input)?;
                to_value(b.retry_payment(&r.actor, &r.id).await?)
            }
            #[cfg(feature = "engine-billing")]
            "billing.record_usage" => {
                let b = self.billing_or_conflict()?;
                let r: Usage = decode(input)?;
                to_value(
                    b.record_usage(&r.actor, &r.id, &r.record_id, r.quantity)
                        .await?,
                )
            }
            #[cfg(feature = "engine-billing")]
            "billing.apply_payment_event" => {
                let b = self.billing_or_conflict()?;
                let r: SubscriptionEvent = decode(input)?;
                let (subscription, applied) = b
                    .apply_payment_event(&r.actor, &r.subscription_id, &r.event)
                    .await?;
                to_value(EventApplied {
                    subscription,
                    applied,
                })
            }
            #[cfg(feature = "engine-billing")]
            "billing.run_renewals" => {
                let b = self.billing_or_conflict()?;
                let r: Renewals = decode(input)?;
                to_value(b.run_renewals(&r.actor, r.at).await?)
            }
            "memory.now" => {
                let m = self.memory_or_conflict()?;
                to_value(crate::ports::Clock::now(m.clock.as_ref()))
            }
            "memory.set_clock" => {
                let m = self.memory_or_conflict()?;
                let r: SetClock = decode(input)?;
                m.clock.set(r.now);
                Ok("null".to_owned())
            }
            "memory.advance_clock" => {
                let m = self.memory_or_conflict()?;
                let r: AdvanceClock = decode(input)?;
                if r.seconds < 0 {
                    return Err(KassaError::validation("seconds", "must not be negative"));
                }
                m.clock.advance(Duration::seconds(r.seconds));
                Ok("null".to_owned())
            }
            "memory.drain_events" => {
                let m = self.memory_or_conflict()?;
                to_value(m.events.drain())
            }
            other => Err(missing(other)),
        }
    }
}

/// The engine's operation families behind a cargo feature of `kassa` (all on by default);
/// `notify.render` needs `templates`.
const GATED: &[(&str, &str, bool)] = &[
    ("auth.", "engine-auth", cfg!(feature = "engine-auth")),
    ("supply.", "engine-supply", cfg!(feature = "engine-supply")),
    (
        "billing.",
        "engine-billing",
        cfg!(feature = "engine-billing"),
    ),
    ("notify.render", "templates", cfg!(feature = "templates")),
];

/// The feature of [`GATED`] an engine operation is missing in this build, if any.
fn feature_off(operation: &str) -> Option<&'static str> {
    GATED
        .iter()
        .find(|(prefix, _, on)| !on && operation.starts_with(prefix))
        .map(|(_, feature, _)| *feature)
}

/// The error for a name [`EngineHost::call_str`] has no arm for (`UNSUPPORTED` for an
/// operation of [`OPERATIONS`] whose feature is off, else `NOT_FOUND`).
fn missing(operation: &str) -> KassaError {
    let off = feature_off(operation).filter(|_| OPERATIONS.contains(&operation));
    super::missing_operation(operation, off)
}

/// The engine operations this build answers: [`OPERATIONS`] without those of a family whose
/// feature is off.
pub fn available_operations() -> impl Iterator<Item = &'static str> {
    OPERATIONS
        .iter()
        .copied()
        .filter(|operation| feature_off(operation).is_none())
}
