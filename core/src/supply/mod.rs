//! Supply: suppliers, purchase orders (transition table, receiving), shipments and tracking.
//!
//! Everything here is pure data and decisions; the engine loads, calls and persists.

mod purchase_order;
mod shipment;
mod supplier;

pub mod ops;

pub use purchase_order::{
    receive, PurchaseOrder, PurchaseOrderDraft, PurchaseOrderDraftLine, PurchaseOrderHistoryEntry,
    PurchaseOrderLine, PurchaseOrderStatus, Receipt, ReceiveLine, ReceiveOutcome, ReceiveRequest,
    PURCHASE_ORDER_TRANSITIONS,
};
pub use shipment::{
    apply_tracking, create_shipment, fulfillment_progress, FulfillmentProgress, OrderedQuantity,
    RealtimeEnvelope, Shipment, ShipmentLine, ShipmentProgress, ShipmentStatus,
    TrackingApplication, TrackingEvent, TrackingOutcome,
};
pub use supplier::Supplier;
