//! # Kassa
//!
//! An embeddable commerce domain core: one pure Rust library that a Rust service, a Python
//! service, a Node backend and a browser all embed, so they compute the same prices, order
//! states and decisions to the cent.
//!
//! The crate does no I/O and reads no global clock: time, randomness and storage come in
//! through arguments or through the traits in [`ports`], so every result is deterministic and
//! the crate builds for `wasm32-unknown-unknown`.
//!
//! Start with [`money`] (exact amounts in ISO 4217 currencies) and [`error`] (one error type
//! with stable codes). See `docs/architecture.md` for the map of modules.

// `#[derive(Decode)]` names the crate `::kassa`, inside it as outside.
extern crate self as kassa;

pub mod error;
pub mod money;
pub mod page;
mod sorting;
mod text;

pub mod cart;
pub mod catalog;
pub mod pricing;

pub mod billing;
pub mod engine;
pub mod memory;
pub mod notify;
pub mod order;
pub mod payment;
pub mod ports;

pub mod forecast;
pub mod inventory;
pub mod supply;

pub mod access;
pub mod identity;
pub mod ratelimit;

pub mod optimize;

pub mod host;

pub use error::{ErrorCode, FieldError, KassaError, Result};
pub use money::{Currency, Money, RoundingMode};
pub use page::{Page, PageRequest, Pagination};
pub use rust_decimal::Decimal;
