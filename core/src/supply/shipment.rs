//! Shipments for order fulfillment and carrier tracking events.
//!
//! A shipment's status is *derived from its events*: it is the status of the recorded event
//! with the latest `(occurredAt, eventId)` (the label creation counts as the first event).
//! Carriers report facts, so there is no guard table for their moves (a delivered parcel can
//! still be returned; an exception can resolve back into transit); what the rule guarantees:
//! - **idempotent**: an event id already recorded is a no-op ([`TrackingApplication::Duplicate`]);
//! - **order-independent**: a late, older event is recorded in the history but does not move
//!   the status backwards ([`TrackingApplication::Recorded`]); any arrival order of the same
//!   set of events yields the same status and the same history.

use crate::error::{KassaError, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Carrier status of a shipment.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    /// A label exists; the carrier has not picked the parcel up.
    LabelCreated,
    /// With the carrier.
    InTransit,
    /// On the delivery vehicle.
    OutForDelivery,
    /// Delivered to the customer.
    Delivered,
    /// A problem (address, damage, customs); may resolve.
    Exception,
    /// Sent back to the merchant.
    Returned,
}

impl ShipmentStatus {
    /// The stable string form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::LabelCreated => "label_created",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::OutForDelivery => "out_for_delivery",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Exception => "exception",
            ShipmentStatus::Returned => "returned",
        }
    }

    /// True once the parcel left the merchant (any status but label_created and returned).
    pub const fn is_shipped(self) -> bool {
        matches!(
            self,
            ShipmentStatus::InTransit
                | ShipmentStatus::OutForDelivery
                | ShipmentStatus::Delivered
                | ShipmentStatus::Exception
        )
    }
}

/// Units of one SKU in a shipment (a shipment may carry part of an order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentLine {
    /// SKU.
    pub sku: String,
    /// Units (> 0).
    pub quantity: i64,
}

/// One carrier tracking event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TrackingEvent {
    /// The carrier's event id (the idempotency key).
    pub event_id: String,
    /// The status the event reports.
    pub status: ShipmentStatus,
    /// When it happened (carrier time), the ordering key.
    pub occurred_at: DateTime<Utc>,
    /// Where (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Carrier description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    /// Id.
    pub id: String,
    /// The order it fulfills.
    pub order_id: String,
    /// Carrier name.
    pub carrier: String,
    /// Carrier tracking number.
    pub tracking_number: String,
    /// What it carries.
    pub lines: Vec<ShipmentLine>,
    /// Current status (derived: status of the latest event).
    pub status: ShipmentStatus,
    /// Every recorded event, sorted by `(occurredAt, eventId)`; the first is the label
    /// creation (event id `label:<shipment id>`).
    pub events: Vec<TrackingEvent>,
}

/// Creates a shipment in `label_created` at `at`.
pub fn create_shipment(
    id: &str,
    order_id: &str,
    carrier: &str,
    tracking_number: &str,
    lines: Vec<ShipmentLine>,
    at: DateTime<Utc>,
) -> Result<Shipment> {
    if id.trim().is_empty() {
        return Err(KassaError::validation("id", "must not be empty"));
    }
    if lines.is_empty() {
        return Err(KassaError::validation("lines", "at least one line"));
    }
    for (i, l) in lines.iter().enumerate() {
        if l.quantity <= 0 {
            return Err(KassaError::validation(
                format!("lines[{i}].quantity"),
                "must be positive",
            ));
        }
    }
    Ok(Shipment {
        id: id.to_string(),
        order_id: order_id.to_string(),
        carrier: carrier.to_string(),
        tracking_number: tracking_number.to_string(),
        lines,
        status: ShipmentStatus::LabelCreated,
        events: vec![TrackingEvent {
            event_id: format!("label:{id}"),
            status: ShipmentStatus::LabelCreated,
            occurred_at: at,
            location: None,
            description: Some("label created".to_string()),
        }],
    })
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum TrackingApplication {
    /// New and the latest: the status follows it.
    Applied,
    /// New but older than the latest recorded event: history only.
    Recorded,
    /// Already recorded (same event id): nothing changed.
    Duplicate,
}

/// The seed's real-time envelope `{type, channel, event, data, timestamp}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct RealtimeEnvelope {
    /// Message type: `"shipment.tracking"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `"shipments:<shipment id>"`.
    pub channel: String,
    /// The event's status, e.g. `"in_transit"`.
    pub event: String,
    /// Event details (camelCase keys): shipmentId, orderId, eventId, status, shipmentStatus,
    /// statusChanged, occurredAt, location, description.
    pub data: serde_json::Value,
    /// When it was published (RFC 3339, UTC, milliseconds).
    pub timestamp: String,
}

/// The result of [`apply_tracking`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TrackingOutcome {
    /// The shipment after the event.
    pub shipment: Shipment,
    /// What happened.
    pub application: TrackingApplication,
    /// The message to publish (none for a duplicate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<RealtimeEnvelope>,
}

fn key(e: &TrackingEvent) -> (DateTime<Utc>, &str) {
    (e.occurred_at, e.event_id.as_str())
}

/// Applies one carrier event (idempotent by event id, safe out of order by event time);
/// `now` stamps the envelope.
pub fn apply_tracking(
    shipment: &Shipment,
    event: &TrackingEvent,
    now: DateTime<Utc>,
) -> Result<TrackingOutcome> {
    if event.event_id.trim().is_empty() {
        return Err(KassaError::validation("eventId", "must not be empty"));
    }
    if shipment.events.iter().any(|e| e.event_id == event.event_id) {
        return Ok(TrackingOutcome {
            shipment: shipment.clone(),
            application: TrackingApplication::Duplicate,
            envelope: None,
        });
    }
    let mut next = shipment.clone();
    let pos = next.events.partition_point(|e| key(e) < key(event));
    next.events.insert(pos, event.clone());
    let latest = next.events.last().map_or(next.status, |e| e.status);
    let is_latest = pos + 1 == next.events.len();
    let status_changed = latest != shipment.status;
    next.status = latest;
    let application = if is_latest {
        TrackingApplication::Applied
    } else {
        TrackingApplication::Recorded
    };
    let data = serde_json::json!({
        "shipmentId": next.id,
        "orderId": next.order_id,
        "eventId": event.event_id,
        "status": event.status.as_str(),
        "shipmentStatus": next.status.as_str(),
        "statusChanged": status_changed,
        "occurredAt": event.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "location": event.location,
        "description": event.description,
    });
    let envelope = RealtimeEnvelope {
        kind: "shipment.tracking".to_string(),
        channel: format!("shipments:{}", next.id),
        event: event.status.as_str().to_string(),
        data,
        timestamp: now.to_rfc3339_opts(SecondsFormat::Millis, true),
    };
    Ok(TrackingOutcome {
        shipment: next,
        application,
        envelope: Some(envelope),
    })
}

/// An order's shipment progress (its fulfillment-status contribution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentProgress {
    /// Nothing has left the merchant (labels may exist).
    Unfulfilled,
    /// Some ordered units are shipped, none delivered.
    PartiallyShipped,
    /// Every ordered unit is shipped, none delivered yet.
    Shipped,
    /// Some but not all ordered units are delivered.
    PartiallyDelivered,
    /// Every ordered unit is delivered.
    Delivered,
    /// Shipments exist, all were returned and nothing is on its way.
    Returned,
}

/// Ordered units of one SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OrderedQuantity {
    /// SKU.
    pub sku: String,
    /// Units ordered.
    pub quantity: i64,
}

/// Units per state for the order, each capped at what was ordered per SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentProgress {
    /// The summary.
    pub status: ShipmentProgress,
    /// Units ordered.
    pub ordered: i64,
    /// Units shipped (in transit, out for delivery, delivered, exception).
    pub shipped: i64,
    /// Units delivered.
    pub delivered: i64,
    /// Units returned.
    pub returned: i64,
}

/// Derives an order's progress from its shipments (partial shipments allowed):
/// all delivered → `delivered`; some delivered → `partially_delivered`; all shipped →
/// `shipped`; some shipped → `partially_shipped`; only returned shipments → `returned`;
/// otherwise `unfulfilled`.
pub fn fulfillment_progress(
    ordered: &[OrderedQuantity],
    shipments: &[Shipment],
) -> Result<FulfillmentProgress> {
    let mut want: HashMap<&str, i64> = HashMap::new();
    for (i, o) in ordered.iter().enumerate() {
        if o.quantity <= 0 {
            return Err(KassaError::validation(
                format!("ordered[{i}].quantity"),
                "must be positive",
            ));
        }
        let w = want.entry(o.sku.as_str()).or_insert(0);
        *w = w.saturating_add(o.quantity);
    }
    let mut shipped: HashMap<&str, i64> = HashMap::new();
    let mut delivered: HashMap<&str, i64> = HashMap::new();
    let mut returned: HashMap<&str, i64> = HashMap::new();
    let mut any_shipment = false;
    for s in shipments {
        any_shipment = true;
        for l in &s.lines {
            if s.status.is_shipped() {
                let v = shipped.entry(l.sku.as_str()).or_insert(0);
                *v = v.saturating_add(l.quantity);
            }
            if s.status == ShipmentStatus::Delivered {
                let v = delivered.entry(l.sku.as_str()).or_insert(0);
                *v = v.saturating_add(l.quantity);
            }
            if s.status == ShipmentStatus::Returned {
                let v = returned.entry(l.sku.as_str()).or_insert(0);
                *v = v.saturating_add(l.quantity);
            }
        }
    }
    let capped = |m: &HashMap<&str, i64>| -> i64 {
        want.iter()
            .map(|(sku, q)| m.get(sku).copied().unwrap_or(0).clamp(0, *q))
            .fold(0i64, |a, v| a.saturating_add(v))
    };
    let total: i64 = want.values().fold(0i64, |a, v| a.saturating_add(*v));
    let (s, d, r) = (capped(&shipped), capped(&delivered), capped(&returned));
    let status = if total > 0 && d >= total {
        ShipmentProgress::Delivered
    } else if d > 0 {
        ShipmentProgress::PartiallyDelivered
    } else if total > 0 && s >= total {
        ShipmentProgress::Shipped
    } else if s > 0 {
        ShipmentProgress::PartiallyShipped
    } else if any_shipment
        && r > 0
        && shipments
            .iter()
            .all(|s| s.status == ShipmentStatus::Returned)
    {
        ShipmentProgress::Returned
    } else {
        ShipmentProgress::Unfulfilled
    };
    Ok(FulfillmentProgress {
        status,
        ordered: total,
        shipped: s,
        delivered: d,
        returned: r,
    })
}
