//! Embedded defaults: in-memory implementations of every port, a sandbox payment gateway and
//! a collecting event sink. Each is thread-safe (one lock per store, so every port call is
//! atomic) and is what the storefront example and the bindings use.

mod bundle;
mod carts;
mod catalog;
mod coupons;
mod events;
mod gateway;
mod idempotency;
mod inventory;
mod lock;
mod orders;
mod subscriptions;
mod time_and_ids;
mod users;

pub use bundle::InMemory;
pub use carts::MemoryCarts;
pub use catalog::MemoryCatalog;
pub use coupons::{normalize_code, MemoryCoupons};
pub use events::CollectingSink;
pub use gateway::{
    SandboxCharge, SandboxCustomer, SandboxGateway, SandboxSubscription, TOKEN_APPROVE,
    TOKEN_DECLINE, TOKEN_INSUFFICIENT_FUNDS, TOKEN_PROCESSING_ERROR, TOKEN_TIMEOUT,
};
pub use idempotency::MemoryIdempotency;
pub use inventory::MemoryInventory;
pub use orders::MemoryOrders;
pub use subscriptions::MemorySubscriptions;
pub use time_and_ids::{ManualClock, SeededRandom, SequentialIds};

// access / identity / ratelimit
mod rate_limit_store;
pub use rate_limit_store::MemoryRateLimitStore;
mod token_store;
pub use token_store::MemoryTokenStore;
pub use users::MemoryUsers;

// supply (purchase orders, shipments, reorder rules)
mod supply;
pub use supply::MemorySupply;
