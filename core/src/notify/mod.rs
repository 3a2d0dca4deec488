//! Notifications: versioned event payloads for the outbox, and rendered messages (subject,
//! text, HTML) for order confirmation, status change and payment failure, from templates a
//! host can override (`minijinja`, pure Rust, builds for wasm).

mod account;
mod events;
mod render;
mod summary_json;

pub use account::{AccountEvent, EVENT_EMAIL_VERIFICATION, EVENT_PASSWORD_RESET};
pub use events::{OrderEvent, OrderSummary, SummaryLine, EVENT_SCHEMA_VERSION};
pub use render::{MessageKind, Notifier, RenderedMessage, TemplatePart};
pub(crate) use summary_json::order_placed_outbox;
