//! Orders: the order, payment and fulfillment state machines (transition tables with
//! guards), the order aggregate with its history and version, and refunds attributable to
//! lines.

mod history;
mod machine;
mod model;
pub mod ops;
mod refund;

pub use history::{transition, HistoryEntry, Stamp};
pub use machine::{
    mermaid_diagram, orders_doc, FulfillmentStatus, Guard, GuardFacts, Machine, OrderStatus,
    PaymentStatus, StateMachine, Transition,
};
pub use model::{
    order_number, LineQuantity, NewOrder, NewOrderLine, Order, OrderLine, OrderTotals,
};
pub use refund::{Refund, RefundLine, RefundPlan, RefundRequest};
