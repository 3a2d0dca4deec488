//! Embedded defaults: in-memory implementations of every port and a sandbox gateway.

mod time_and_ids;

pub use time_and_ids::{ManualClock, SeededRandom, SequentialIds};

// access / identity / ratelimit
mod rate_limit_store;
pub use rate_limit_store::MemoryRateLimitStore;
mod token_store;
pub use token_store::MemoryTokenStore;
