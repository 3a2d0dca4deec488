//! The supply-chain act in pure form, as the engine will drive it: sales deplete stock, the
//! reorder run drafts purchase orders, the supplier acknowledges, goods are received into
//! stock with audit entries, an order ships and tracking events arrive out of order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Duration, Utc};
use kassa::forecast::{fit, SmoothingSettings, Trend};
use kassa::inventory::adjustment::{apply_adjustment, StockLevel};
use kassa::inventory::alerts::crossed_below;
use kassa::inventory::reorder::{
    reorder_point, reorder_run, ReorderItem, ReorderPolicy, ReorderRunInput,
};
use kassa::supply::{
    apply_tracking, create_shipment, fulfillment_progress, receive, OrderedQuantity, PurchaseOrder,
    PurchaseOrderStatus, ReceiveLine, ReceiveRequest, ShipmentLine, ShipmentProgress,
    ShipmentStatus, Supplier, TrackingApplication, TrackingEvent,
};
use kassa::{Currency, Money};
use rust_decimal_macros::dec;

#[test]
fn sales_reorder_receive_ship_track() {
    let t0 = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
    // Daily demand history → forecast → reorder level with 95 % service over a 7-day lead time.
    let history: Vec<f64> = (0..90)
        .map(|d| 20.0 + 0.05 * d as f64 + ((d * 37) % 7) as f64 - 3.0)
        .collect();
    let model = fit(
        &history,
        &SmoothingSettings {
            trend: Trend::Add,
            ..Default::default()
        },
    )
    .unwrap();
    let rop = reorder_point(&model.reorder_point_input(7, dec!(0.95)).unwrap()).unwrap();
    assert!(
        rop.reorder_level > 140 && rop.reorder_level < 260,
        "{rop:?}"
    );

    // Sales deplete stock; one low-stock crossing.
    let mut level = StockLevel {
        sku: "MUG".into(),
        location_id: "W1".into(),
        on_hand: 300,
        reserved: 0,
    };
    let before = level.available() as i64;
    level.on_hand -= 180;
    assert!(crossed_below(
        before,
        level.available() as i64,
        rop.reorder_level
    ));

    // Reorder run drafts a purchase order.
    let supplier = Supplier {
        id: "acme".into(),
        name: "Acme".into(),
        lead_time_days: 7,
        minimum_order_quantity: 100,
        currency: Currency::EUR,
    };
    let run = reorder_run(&ReorderRunInput {
        suppliers: vec![supplier],
        items: vec![ReorderItem {
            sku: "MUG".into(),
            location: "W1".into(),
            on_hand: level.on_hand as i64,
            reserved: level.reserved as i64,
            on_order: 0,
            policy: ReorderPolicy::ReorderPoint {
                reorder_level: rop.reorder_level,
                order_quantity: 150,
            },
            order_multiple: 25,
            supplier_id: "acme".into(),
            unit_cost: Money::new(dec!(3.20), Currency::EUR),
        }],
    })
    .unwrap();
    assert_eq!(run.alerts.len(), 1);
    let draft = &run.purchase_orders[0];
    let mut po = PurchaseOrder::from_draft("po-1", draft).unwrap();
    assert_eq!(po.total().unwrap(), draft.total);
    po.transition(PurchaseOrderStatus::Sent, "buyer", t0, None)
        .unwrap();
    po.transition(
        PurchaseOrderStatus::Acknowledged,
        "acme",
        t0,
        Some("confirmed".into()),
    )
    .unwrap();

    // Two deliveries; each yields adjustments applied to stock with audit entries.
    let ordered = po.lines[0].quantity;
    for (n, qty) in [(1, ordered - 20), (2, 20)] {
        let out = receive(
            &po,
            &ReceiveRequest {
                receipt_id: format!("rc-{n}"),
                lines: vec![ReceiveLine {
                    sku: "MUG".into(),
                    quantity: qty,
                }],
                allow_over_receipt: false,
                actor: "dock".into(),
                at: t0,
            },
        )
        .unwrap();
        for adj in &out.adjustments {
            let (next, audit) = apply_adjustment(&level, adj, &format!("audit-{n}"), t0).unwrap();
            assert_eq!(audit.delta, qty);
            level = next;
        }
        po = out.purchase_order;
    }
    assert_eq!(po.status, PurchaseOrderStatus::Received);
    assert_eq!(level.on_hand as i64, 120 + ordered);

    // A customer order ships in two parcels; tracking events arrive out of order.
    let ordered_lines = vec![OrderedQuantity {
        sku: "MUG".into(),
        quantity: 3,
    }];
    let mut a = create_shipment(
        "sh-a",
        "ord-1",
        "DHL",
        "1",
        vec![ShipmentLine {
            sku: "MUG".into(),
            quantity: 2,
        }],
        t0,
    )
    .unwrap();
    let b = create_shipment(
        "sh-b",
        "ord-1",
        "DHL",
        "2",
        vec![ShipmentLine {
            sku: "MUG".into(),
            quantity: 1,
        }],
        t0,
    )
    .unwrap();
    let ev = |id: &str, status, h| TrackingEvent {
        event_id: id.into(),
        status,
        occurred_at: t0 + Duration::hours(h),
        location: None,
        description: None,
    };
    for e in [
        ev("a3", ShipmentStatus::Delivered, 30),
        ev("a1", ShipmentStatus::InTransit, 5),
        ev("a3", ShipmentStatus::Delivered, 30),
    ] {
        let out = apply_tracking(&a, &e, t0 + Duration::hours(31)).unwrap();
        if let Some(env) = &out.envelope {
            assert_eq!(env.channel, "shipments:sh-a");
        } else {
            assert_eq!(out.application, TrackingApplication::Duplicate);
        }
        a = out.shipment;
    }
    assert_eq!(a.status, ShipmentStatus::Delivered);
    let p = fulfillment_progress(&ordered_lines, &[a.clone(), b.clone()]).unwrap();
    assert_eq!(p.status, ShipmentProgress::PartiallyDelivered);
    let b = apply_tracking(&b, &ev("b1", ShipmentStatus::Delivered, 40), t0)
        .unwrap()
        .shipment;
    assert_eq!(
        fulfillment_progress(&ordered_lines, &[a, b])
            .unwrap()
            .status,
        ShipmentProgress::Delivered
    );
}
