//! Ports: the traits a host implements for storage, payments, events, clock and ids.
//!
//! Cheap, infallible-by-nature ports (`Clock`, `IdGenerator`, `RandomSource`) are
//! synchronous. Ports that may touch the network or a database are `async` through
//! `async_trait`, object-safe (used as `Arc<dyn Port>`), and runtime-agnostic: the core
//! never names tokio. On `wasm32` their futures are not required to be `Send`, so a
//! browser host can implement them with JS promises.

mod time_and_ids;

pub use time_and_ids::{Clock, IdGenerator, RandomSource};
