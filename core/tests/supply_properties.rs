//! Properties of purchase-order receiving, tracking events, reorder decisions and adjustments.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Duration, Utc};
use kassa::inventory::adjustment::{
    apply_adjustment, Adjustment, AdjustmentChange, AdjustmentReason, StockLevel,
};
use kassa::inventory::reorder::{min_max, s_s, MinMaxInput, SsInput};
use kassa::supply::{
    apply_tracking, create_shipment, receive, PurchaseOrder, PurchaseOrderLine,
    PurchaseOrderStatus, ReceiveLine, ReceiveRequest, ShipmentLine, ShipmentStatus,
    TrackingApplication, TrackingEvent,
};
use kassa::{Currency, Money};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
}

fn po(quantities: &[i64]) -> PurchaseOrder {
    PurchaseOrder {
        id: "po".into(),
        supplier_id: "s".into(),
        location: "W1".into(),
        currency: Currency::USD,
        status: PurchaseOrderStatus::Acknowledged,
        lines: quantities
            .iter()
            .enumerate()
            .map(|(i, q)| PurchaseOrderLine {
                sku: format!("SKU-{i}"),
                quantity: *q,
                received: 0,
                unit_cost: Money::from_minor(199, Currency::USD),
            })
            .collect(),
        history: Vec::new(),
    }
}

const STATUSES: [ShipmentStatus; 5] = [
    ShipmentStatus::InTransit,
    ShipmentStatus::OutForDelivery,
    ShipmentStatus::Delivered,
    ShipmentStatus::Exception,
    ShipmentStatus::Returned,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Without allowOverReceipt no line ever holds more than was ordered, refused receipts
    /// change nothing, and the order is `received` exactly when every line is complete.
    #[test]
    fn receiving_never_exceeds_ordered_unless_allowed(
        quantities in prop::collection::vec(1i64..50, 1..5),
        receipts in prop::collection::vec((0usize..5, 1i64..30, any::<bool>()), 1..20),
    ) {
        let mut order = po(&quantities);
        let mut over_allowed_extra = 0i64;
        for (n, (line, qty, allow)) in receipts.into_iter().enumerate() {
            if order.status == PurchaseOrderStatus::Received {
                break;
            }
            let line = line % quantities.len();
            let req = ReceiveRequest {
                receipt_id: format!("r{n}"),
                lines: vec![ReceiveLine { sku: format!("SKU-{line}"), quantity: qty }],
                allow_over_receipt: allow,
                actor: "dock".into(),
                at: t0(),
            };
            let before = order.lines[line].received;
            match receive(&order, &req) {
                Ok(out) => {
                    let after = out.purchase_order.lines[line].received;
                    prop_assert_eq!(after, before + qty);
                    if after > quantities[line] {
                        prop_assert!(allow, "over-receipt accepted without permission");
                        over_allowed_extra += after - quantities[line].max(before);
                    }
                    prop_assert_eq!(out.adjustments.len(), 1);
                    let complete = out.purchase_order.lines.iter().all(|l| l.received >= l.quantity);
                    prop_assert_eq!(out.purchase_order.status == PurchaseOrderStatus::Received, complete);
                    order = out.purchase_order;
                }
                Err(e) => {
                    prop_assert!(!allow && before + qty > quantities[line], "unexpected refusal {e}");
                }
            }
        }
        for (l, q) in order.lines.iter().zip(&quantities) {
            prop_assert!(l.received <= *q || over_allowed_extra > 0);
        }
    }

    /// The final status and history depend only on the set of events, not on the arrival
    /// order or on duplicates; re-applying any event is a no-op.
    #[test]
    fn tracking_is_order_independent_and_idempotent(
        events in prop::collection::vec((0usize..5, 1i64..10_000), 1..12),
        order_seed in prop::collection::vec(any::<u32>(), 12),
        dup_mask in prop::collection::vec(any::<bool>(), 12),
    ) {
        let shipment = create_shipment("sh", "o", "DHL", "T", vec![ShipmentLine { sku: "A".into(), quantity: 1 }], t0()).unwrap();
        let evs: Vec<TrackingEvent> = events.iter().enumerate().map(|(i, (s, mins))| TrackingEvent {
            event_id: format!("e{i}"),
            status: STATUSES[*s],
            occurred_at: t0() + Duration::minutes(*mins),
            location: None,
            description: None,
        }).collect();
        let apply_all = |seq: &[TrackingEvent]| {
            let mut s = shipment.clone();
            for e in seq {
                s = apply_tracking(&s, e, t0()).unwrap().shipment;
            }
            s
        };
        let in_order = apply_all(&evs);
        // A shuffled arrival with some duplicates.
        let mut idx: Vec<usize> = (0..evs.len()).collect();
        idx.sort_by_key(|i| order_seed[*i]);
        let mut shuffled: Vec<TrackingEvent> = idx.iter().map(|i| evs[*i].clone()).collect();
        for (i, dup) in dup_mask.iter().enumerate().take(evs.len()) {
            if *dup {
                shuffled.push(evs[i].clone());
            }
        }
        let other = apply_all(&shuffled);
        prop_assert_eq!(&in_order, &other);
        // The status is that of the latest (time, id) event.
        let latest = evs.iter().max_by_key(|e| (e.occurred_at, e.event_id.clone())).unwrap();
        let expect = if latest.occurred_at >= t0() { latest.status } else { ShipmentStatus::LabelCreated };
        prop_assert_eq!(other.status, expect);
        // Idempotent.
        for e in &evs {
            let out = apply_tracking(&other, e, t0()).unwrap();
            prop_assert_eq!(out.application, TrackingApplication::Duplicate);
            prop_assert_eq!(&out.shipment, &other);
            prop_assert!(out.envelope.is_none());
        }
    }

    /// Min/max orders reach max, respect the multiple and the MOQ, and overshoot by less than
    /// one multiple (or the MOQ).
    #[test]
    fn min_max_quantities_are_sound(
        projected in -50i64..200, min in 0i64..100, spread in 0i64..100,
        multiple in 1i64..25, moq in 0i64..60,
    ) {
        let max = min + spread;
        let d = min_max(&MinMaxInput { projected, min, max, order_multiple: multiple, minimum_order_quantity: moq }).unwrap();
        if projected > min {
            prop_assert_eq!(d.quantity, 0);
        } else if max > projected {
            prop_assert!(projected + d.quantity >= max);
            prop_assert_eq!(d.quantity % multiple, 0);
            prop_assert!(d.quantity >= moq);
            prop_assert!(d.quantity < (max - projected).max(moq) + multiple);
        }
    }

    /// (s, S) is valid exactly when S > s (any s, negative included) and then orders up to S.
    #[test]
    fn s_s_validity_and_order_up_to(position in -100i64..100, s in -50i64..50, big_s in -50i64..60, multiple in 1i64..10) {
        let r = s_s(&SsInput { position, s, big_s, order_multiple: multiple, minimum_order_quantity: 0 });
        if big_s <= s {
            prop_assert!(r.is_err());
        } else {
            let d = r.unwrap();
            if position <= s {
                prop_assert!(position + d.quantity >= big_s);
                prop_assert!(d.quantity < big_s - position + multiple);
            } else {
                prop_assert_eq!(d.quantity, 0);
            }
        }
    }

    /// Adjustments never leave on hand negative or below reserved, and the audit entry's
    /// delta is the change.
    #[test]
    fn adjustments_keep_available_non_negative(
        on_hand in 0i64..100, reserved_frac in 0i64..=100, ops in prop::collection::vec((0u8..5, -60i64..60), 1..30),
    ) {
        let reserved = on_hand * reserved_frac / 100;
        let mut level = StockLevel { sku: "A".into(), location_id: "W".into(), on_hand: on_hand as u64, reserved: reserved as u64 };
        for (n, (kind, q)) in ops.into_iter().enumerate() {
            let (change, reason) = match kind {
                0 => (AdjustmentChange::Delta { quantity: q.abs().max(1) }, AdjustmentReason::Received),
                1 => (AdjustmentChange::Delta { quantity: -q.abs().max(1) }, AdjustmentReason::Damaged),
                2 => (AdjustmentChange::Delta { quantity: q }, AdjustmentReason::CountCorrection),
                3 => (AdjustmentChange::Set { quantity: q }, AdjustmentReason::CountCorrection),
                _ => (AdjustmentChange::Delta { quantity: q.abs().max(1) }, AdjustmentReason::Return),
            };
            let adj = Adjustment { sku: "A".into(), location: "W".into(), change, reason, actor: "u".into(), note: None };
            if let Ok((next, audit)) = apply_adjustment(&level, &adj, &format!("a{n}"), t0()) {
                prop_assert_eq!(audit.delta, next.on_hand as i64 - level.on_hand as i64);
                prop_assert_eq!(next.reserved, level.reserved);
                level = next;
            }
            prop_assert!(level.on_hand >= level.reserved);
        }
    }
}

#[test]
fn purchase_order_transition_table() {
    use PurchaseOrderStatus::*;
    let mut o = po(&[5]);
    o.status = Draft;
    let at = t0();
    o.transition(Sent, "buyer", at, None).unwrap();
    o.transition(Acknowledged, "supplier", at, Some("ok".into()))
        .unwrap();
    let err = o.transition(Draft, "buyer", at, None).unwrap_err();
    assert_eq!(err.code, kassa::ErrorCode::Conflict);
    assert_eq!(err.meta["from"], "acknowledged");
    assert_eq!(err.meta["to"], "draft");
    assert_eq!(o.history.len(), 2);
    assert_eq!(o.total().unwrap(), Money::from_minor(995, Currency::USD));
    o.transition(Cancelled, "buyer", at, None).unwrap();
    assert!(o.transition(Sent, "buyer", at, None).is_err());
    // Receiving a cancelled order is a conflict too.
    let req = ReceiveRequest {
        receipt_id: "r".into(),
        lines: vec![ReceiveLine {
            sku: "SKU-0".into(),
            quantity: 1,
        }],
        allow_over_receipt: false,
        actor: "d".into(),
        at,
    };
    assert_eq!(
        receive(&o, &req).unwrap_err().code,
        kassa::ErrorCode::Conflict
    );
}
