//! Ports: the traits a host implements for storage, payments, events, clock and ids.
//!
//! Cheap, infallible-by-nature ports (`Clock`, `IdGenerator`, `RandomSource`) are
//! synchronous. Ports that may touch the network or a database are `async` through
//! `async_trait`, object-safe (used as `Arc<dyn Port>`), and runtime-agnostic: the core
//! never names tokio. On `wasm32` their futures are not required to be `Send`, so a
//! browser host can implement them with JS promises.
//!
//! Every operation two requests can race on is one port call: reserve-if-available
//! ([`InventoryStore::reserve`]), redeem-if-under-limit ([`CouponStore::redeem`]),
//! begin-idempotent-request ([`IdempotencyStore::begin`]) and compare-and-set on an
//! aggregate's version ([`OrderStore::compare_and_set`], with its outbox events in the same
//! atomic call: [`OrderStore::compare_and_set_with_events`]). A checkout's writes are two
//! atomic calls of the checkout unit of work ([`CheckoutStore::place`],
//! [`CheckoutStore::settle`]; composed of the other ports by default, [`ComposedCheckout`]).
//! Every port reports `health()`.

mod carts;
mod catalog;
mod checkout;
mod coupons;
mod events;
mod gateway;
mod health;
mod idempotency;
mod inventory;
mod orders;
mod subscriptions;
mod time_and_ids;
mod users;

pub use carts::{CartStore, StoredCart};
pub use catalog::{CatalogStore, PricingRules};
pub use checkout::{
    clear_cart, is_key_taken, key_taken, CheckoutInputs, CheckoutPorts, CheckoutStore,
    ComposedCheckout, IdempotencyResponse, PlaceOrder, Placed, SettleOrder, Settled,
};
pub use coupons::{CouponLimits, CouponRedemption, CouponStore, CouponUsage};
pub use events::{EventSink, OutboxEvent};
pub use gateway::{
    AuthorizeRequest, CreateCustomerRequest, CreateSubscriptionRequest, GatewayOutcome,
    GatewayResponse, PaymentGateway,
};
pub use health::{HealthStatus, PortHealth};
pub use idempotency::{IdempotencyBegin, IdempotencyStore};
pub use inventory::InventoryStore;
pub use orders::{OrderFilter, OrderStore};
pub use subscriptions::SubscriptionStore;
pub use time_and_ids::{Clock, IdGenerator, RandomSource};
pub use users::{NoUsers, TokenRecord, UserRecord, UserStore};

// supply (purchase orders, shipments, reorder rules)
mod supply;
pub use supply::{NoSupply, StoredPurchaseOrder, StoredShipment, SupplyStore};
