//! Whole-operation requests over supply, in the serde form the bindings and vectors use.

use super::{
    apply_tracking, fulfillment_progress, receive, FulfillmentProgress, OrderedQuantity,
    PurchaseOrder, PurchaseOrderStatus, RealtimeEnvelope, ReceiveOutcome, ReceiveRequest, Shipment,
    TrackingApplication, TrackingEvent,
};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Apply carrier events, in the given arrival order, to a shipment.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ApplyTrackingRequest {
    /// The shipment before.
    pub shipment: Shipment,
    /// Events in arrival order.
    pub events: Vec<TrackingEvent>,
    /// Publication time stamped on every envelope.
    pub now: DateTime<Utc>,
}

/// The result of [`apply_tracking_events`].
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ApplyTrackingResult {
    /// The shipment after all events.
    pub shipment: Shipment,
    /// What each event did, in arrival order.
    pub applications: Vec<TrackingApplication>,
    /// The envelopes to publish, in arrival order (none for duplicates).
    pub envelopes: Vec<RealtimeEnvelope>,
}

/// Runs an [`ApplyTrackingRequest`].
pub fn apply_tracking_events(req: ApplyTrackingRequest) -> Result<ApplyTrackingResult> {
    let mut shipment = req.shipment;
    let mut applications = Vec::with_capacity(req.events.len());
    let mut envelopes = Vec::new();
    for (i, e) in req.events.iter().enumerate() {
        let out = apply_tracking(&shipment, e, req.now).map_err(|mut err| {
            for d in &mut err.details {
                d.field = format!("events[{i}].{}", d.field);
            }
            err
        })?;
        shipment = out.shipment;
        applications.push(out.application);
        envelopes.extend(out.envelope);
    }
    Ok(ApplyTrackingResult {
        shipment,
        applications,
        envelopes,
    })
}

/// Receive goods against a purchase order.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveOp {
    /// The order before.
    pub purchase_order: PurchaseOrder,
    /// The receipt.
    pub request: ReceiveRequest,
}

/// Runs a [`ReceiveOp`].
pub fn receive_goods(req: ReceiveOp) -> Result<ReceiveOutcome> {
    receive(&req.purchase_order, &req.request)
}

/// Move a purchase order to another status.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TransitionOp {
    /// The order before.
    pub purchase_order: PurchaseOrder,
    /// Target status.
    pub to: PurchaseOrderStatus,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Runs a [`TransitionOp`]; returns the order after the move.
pub fn transition(req: TransitionOp) -> Result<PurchaseOrder> {
    let mut po = req.purchase_order;
    po.transition(req.to, &req.actor, req.at, req.reason)?;
    Ok(po)
}

/// An order's lines and its shipments.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentOp {
    /// Ordered units per SKU.
    pub ordered: Vec<OrderedQuantity>,
    /// The order's shipments.
    pub shipments: Vec<Shipment>,
}

/// Runs a [`FulfillmentOp`].
pub fn progress(req: FulfillmentOp) -> Result<FulfillmentProgress> {
    fulfillment_progress(&req.ordered, &req.shipments)
}
