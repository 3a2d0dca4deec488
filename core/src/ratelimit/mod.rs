//! Rate limiting: GCRA (the generic cell rate algorithm) per key, with the state behind a port.
//!
//! A request is keyed by its [`EndpointClass`] and its subject (the principal, or the client
//! address for anonymous calls): see [`RateLimitKey`]. Each class has a [`Quota`] (a rate and
//! a burst); the defaults are the seed's table (auth 5/min burst 10, read 60/100, write 30/50,
//! bulk 10/20, search 30/50) and every one is configurable through [`RateLimitConfig`].
//!
//! The algorithm keeps one number per key, the *theoretical arrival time* (TAT). The pure step
//! [`gcra::apply`] decides a request from the stored TAT and `now`; a store applies it as ONE
//! atomic operation ([`GcraStore::apply_gcra`] / the async port [`RateLimitStore`]), so a Redis
//! adapter implements the same step as one script. Time always comes in as an argument: a
//! clock that goes backwards only makes `TAT - now` larger, so it never grants extra capacity.
//!
//! ```
//! use kassa::ratelimit::{EndpointClass, RateLimitConfig, RateLimitKey, RateLimiter};
//! use kassa::memory::MemoryRateLimitStore;
//! use chrono::{TimeZone, Utc};
//!
//! let limiter = RateLimiter::new(RateLimitConfig::default(), MemoryRateLimitStore::new());
//! let key = RateLimitKey::client(EndpointClass::Auth, "203.0.113.7");
//! let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let d = limiter.check(&key, now);
//! assert!(d.allowed);
//! assert_eq!(d.remaining, 9);
//! ```

mod config;
pub mod gcra;
mod limiter;
pub mod ops;
mod store;

pub use config::{EndpointClass, Quota, RateLimitConfig};
pub use gcra::{GcraOutcome, GcraParams, GcraRate};
pub use limiter::{RateLimitDecision, RateLimitKey, RateLimiter, Subject};
pub use store::{AtomicGcraCell, GcraStore, RateLimitStore};
