//! Payments: the payment of an order (intent) with its attempts, idempotency keys per
//! (order, attempt), capture and refund bounds, and webhook-style gateway events applied once.

mod event;
mod intent;
pub mod ops;

pub use event::{EventEffect, GatewayEvent, GatewayEventKind};
pub use intent::{attempt_key, AttemptOutcome, Payment, PaymentAttempt};
