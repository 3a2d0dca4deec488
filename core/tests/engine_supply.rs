//! Inventory and supply flows of the engine over the in-memory ports: admin inventory
//! update with audit, barcode scan, low-stock events, the reorder run, purchase orders
//! (send, acknowledge, receive, crash-safe receipts) and shipments with tracking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine_common;

use chrono::{DateTime, Duration, Utc};
use engine_common::*;
use kassa::engine::{
    BarcodeScan, Engine, EngineConfig, InventoryUpdate, NewShipment, Principal, ReceiveGoods,
    EVENT_LOW_STOCK, EVENT_PURCHASE_ORDER, EVENT_SHIPMENT_TRACKING,
};
use kassa::inventory::adjustment::{AdjustmentChange, AdjustmentReason, AuditEntry};
use kassa::inventory::reorder::{ReorderPolicy, ReorderRule};
use kassa::inventory::reservation::{
    AdjustmentBatch, AdjustmentBatchResult, Reservation, ReserveRequest,
};
use kassa::inventory::stock::StockLevel;
use kassa::memory::{MemoryInventory, TOKEN_APPROVE};
use kassa::order::FulfillmentStatus;
use kassa::ports::{InventoryStore, PortHealth};
use kassa::supply::{
    PurchaseOrderStatus, ReceiveLine, ShipmentLine, ShipmentProgress, ShipmentStatus, Supplier,
    TrackingEvent,
};
use kassa::{Currency, ErrorCode, KassaError};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn events_of(w: &World, kind: &str) -> Vec<serde_json::Value> {
    w.mem
        .events
        .events()
        .into_iter()
        .filter(|e| e.event_type == kind)
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect()
}

fn delta(sku: &str, q: i64, reason: AdjustmentReason) -> InventoryUpdate {
    InventoryUpdate {
        sku: sku.into(),
        location: LOCATION.into(),
        change: AdjustmentChange::Delta { quantity: q },
        reason,
        note: None,
    }
}

fn supplier() -> Supplier {
    Supplier {
        id: "sup-1".into(),
        name: "Mugs Ltd".into(),
        lead_time_days: 7,
        minimum_order_quantity: 0,
        currency: Currency::from_code("USD").unwrap(),
    }
}

fn min_max_rule(sku: &str, min: i64, max: i64, multiple: i64) -> ReorderRule {
    ReorderRule {
        sku: sku.into(),
        location: LOCATION.into(),
        policy: ReorderPolicy::MinMax { min, max },
        order_multiple: multiple,
        supplier_id: "sup-1".into(),
        unit_cost: usd("2.50"),
    }
}

#[test]
fn inventory_update_is_audited_and_refusals_change_nothing() {
    let w = world(10, None);
    let a = admin();
    let r = run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", 5, AdjustmentReason::Received)))
    .unwrap();
    assert_eq!(r.level.on_hand, 15);
    assert_eq!(
        (
            r.audit.actor.as_str(),
            r.audit.on_hand_before,
            r.audit.on_hand_after
        ),
        ("admin-1", 10, 15)
    );
    let r = run(w.engine.update_inventory(
        &a,
        &InventoryUpdate {
            change: AdjustmentChange::Set { quantity: 7 },
            ..delta("SKU-A", 1, AdjustmentReason::CountCorrection)
        },
    ))
    .unwrap();
    assert_eq!((r.level.on_hand, r.audit.delta), (7, -8));

    let before = snapshot(&w);
    let err = run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", -8, AdjustmentReason::Damaged)))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationError);
    assert_eq!(err.details[0].field, "change.quantity");
    // reserve 5, then damage 3 of 7 would leave 4 < 5 reserved
    run(w.mem.inventory.reserve(
        ReserveRequest {
            reservation_id: "r1".into(),
            reference: "x".into(),
            items: vec![kassa::inventory::stock::Demand {
                sku: "SKU-A".into(),
                quantity: 5,
            }],
            expires_at: t0() + Duration::hours(1),
        },
        t0(),
    ))
    .unwrap();
    let err = run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", -3, AdjustmentReason::Damaged)))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = run(w.engine.update_inventory(
        &Principal::customer("alice"),
        &delta("SKU-A", 1, AdjustmentReason::Received),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let after = snapshot(&w);
    assert_eq!(before["events"], after["events"]);
    let log = run(w.engine.inventory_audit(&a, Some("SKU-A"))).unwrap();
    assert_eq!(log.len(), 2, "only the two applied changes are audited");
    assert_eq!(log[0].reason, AdjustmentReason::Received);
    assert_eq!(log[1].reason, AdjustmentReason::CountCorrection);
    assert!(run(w
        .engine
        .inventory_audit(&Principal::customer("alice"), None))
    .is_err());
}

#[test]
fn low_stock_is_published_once_per_crossing() {
    let w = world(10, None);
    let a = admin();
    run(w.engine.put_supplier(&a, supplier())).unwrap();
    run(w
        .engine
        .put_reorder_rule(&a, min_max_rule("SKU-A", 5, 20, 1)))
    .unwrap();
    let r = run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", -4, AdjustmentReason::Damaged)))
    .unwrap();
    assert!(r.low_stock.is_none(), "6 is not below 5");
    let r = run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", -2, AdjustmentReason::Damaged)))
    .unwrap();
    let alert = r.low_stock.unwrap();
    assert_eq!((alert.available, alert.reorder_level), (4, 5));
    run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", -1, AdjustmentReason::Damaged)))
    .unwrap();
    let events = events_of(&w, EVENT_LOW_STOCK);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["sku"], "SKU-A");
    assert_eq!(events[0]["available"], 4);
}

#[test]
fn barcode_scan_checks_the_gtin_and_counts() {
    let w = world(10, None);
    let a = admin();
    let product = serde_json::from_value(json!({
        "id": "p-gtin", "name": "Scanned", "slug": "scanned", "categoryIds": ["cat-all"],
        "createdAt": "2026-01-01T00:00:00Z",
        "variants": [{"sku": "SKU-G", "gtin": "036000291452",
                      "prices": [{"amount": {"amount": "1.00", "currency": "USD"}}]}]
    }))
    .unwrap();
    run(w.engine.create_product(&a, product)).unwrap();
    let scan = |code: &str, counted: Option<i64>| BarcodeScan {
        barcode: code.into(),
        location: LOCATION.into(),
        counted,
    };
    let err = run(w.engine.scan_barcode(&a, &scan("036000291453", None))).unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationError);
    assert_eq!(err.details[0].field, "barcode");
    let err = run(w.engine.scan_barcode(&a, &scan("4006381333931", None))).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    // the EAN-13 form (leading 0) of the UPC-A finds the same variant
    let found = run(w.engine.scan_barcode(&a, &scan("0036000291452", None))).unwrap();
    assert_eq!((found.sku.as_str(), found.level.on_hand), ("SKU-G", 0));
    let counted = run(w.engine.scan_barcode(&a, &scan("036000291452", Some(12)))).unwrap();
    assert_eq!(counted.level.on_hand, 12);
    let audit = counted.update.unwrap().audit;
    assert_eq!(audit.reason, AdjustmentReason::CountCorrection);
    assert_eq!(audit.actor, "admin-1");
    let err = run(w
        .engine
        .scan_barcode(&Principal::customer("alice"), &scan("036000291452", None)))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
}

#[test]
fn reorder_run_drafts_then_purchase_order_is_sent_acknowledged_and_received() {
    let w = world(10, None);
    let a = admin();
    run(w.engine.put_supplier(&a, supplier())).unwrap();
    run(w
        .engine
        .put_reorder_rule(&a, min_max_rule("SKU-A", 5, 30, 6)))
    .unwrap();
    run(w
        .engine
        .put_reorder_rule(&a, min_max_rule("SKU-B", 5, 30, 1)))
    .unwrap();
    run(w
        .engine
        .update_inventory(&a, &delta("SKU-A", -7, AdjustmentReason::Damaged)))
    .unwrap();
    // SKU-A: projected 3 ≤ 5 → 27 up to max, rounded up to the multiple 6 → 30
    let report = run(w.engine.reorder_run(&a, true)).unwrap();
    assert_eq!(report.result.suggestions.len(), 1);
    assert_eq!(report.result.suggestions[0].quantity, 30);
    assert_eq!(report.result.alerts.len(), 1);
    assert_eq!(report.purchase_orders.len(), 1);
    let po = &report.purchase_orders[0].purchase_order;
    assert_eq!(po.status, PurchaseOrderStatus::Draft);
    assert_eq!(po.total().unwrap(), usd("75.00"));
    let id = po.id.clone();
    // the draft counts as on order: a second run orders nothing more
    let again = run(w.engine.reorder_run(&a, true)).unwrap();
    assert!(again.result.suggestions.is_empty());
    assert!(again.purchase_orders.is_empty());

    // only a draft can be sent; receiving a draft is refused
    let goods = |id: Option<&str>, q: i64| ReceiveGoods {
        receipt_id: id.map(str::to_owned),
        lines: vec![ReceiveLine {
            sku: "SKU-A".into(),
            quantity: q,
        }],
        allow_over_receipt: false,
    };
    assert_eq!(
        run(w.engine.receive_purchase_order(&a, &id, &goods(None, 1)))
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    run(w.engine.send_purchase_order(&a, &id)).unwrap();
    assert_eq!(
        run(w.engine.send_purchase_order(&a, &id)).unwrap_err().code,
        ErrorCode::Conflict
    );
    run(w.engine.acknowledge_purchase_order(&a, &id)).unwrap();
    let r = run(w
        .engine
        .receive_purchase_order(&a, &id, &goods(Some("rc-1"), 12)))
    .unwrap();
    assert_eq!(
        r.purchase_order.purchase_order.status,
        PurchaseOrderStatus::PartiallyReceived
    );
    assert_eq!(on_hand(&w, "SKU-A").0, 15);
    // the same receipt again changes nothing
    let replay = run(w
        .engine
        .receive_purchase_order(&a, &id, &goods(Some("rc-1"), 12)))
    .unwrap();
    assert!(replay.stock.replayed);
    assert_eq!(on_hand(&w, "SKU-A").0, 15);
    // over-receipt refused, nothing changes
    let err = run(w
        .engine
        .receive_purchase_order(&a, &id, &goods(Some("rc-2"), 19)))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationError);
    assert_eq!(on_hand(&w, "SKU-A").0, 15);
    let r = run(w
        .engine
        .receive_purchase_order(&a, &id, &goods(Some("rc-3"), 18)))
    .unwrap();
    assert_eq!(
        r.purchase_order.purchase_order.status,
        PurchaseOrderStatus::Received
    );
    assert_eq!(on_hand(&w, "SKU-A").0, 33);
    let audit = run(w.engine.inventory_audit(&a, Some("SKU-A"))).unwrap();
    let received: Vec<&AuditEntry> = audit
        .iter()
        .filter(|e| e.reason == AdjustmentReason::Received)
        .collect();
    assert_eq!(received.len(), 2);
    assert!(received[0].note.as_deref().unwrap().contains("rc-1"));
    let po_events = events_of(&w, EVENT_PURCHASE_ORDER);
    let tos: Vec<&str> = po_events
        .iter()
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        tos,
        [
            "draft",
            "sent",
            "acknowledged",
            "partially_received",
            "received"
        ]
    );
    // received goods: the next run orders nothing for SKU-A
    assert!(run(w.engine.reorder_run(&a, false))
        .unwrap()
        .result
        .suggestions
        .is_empty());
    // a customer cannot run any of it
    let c = Principal::customer("alice");
    assert_eq!(
        run(w.engine.reorder_run(&c, false)).unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        run(w.engine.send_purchase_order(&c, &id)).unwrap_err().code,
        ErrorCode::Forbidden
    );
}

/// An inventory port whose batch call fails while `fail` is set (a crash between recording
/// the receipt and applying its stock).
struct FlakyInventory {
    inner: Arc<MemoryInventory>,
    fail: AtomicBool,
}

#[async_trait::async_trait]
impl InventoryStore for FlakyInventory {
    async fn stock(&self, sku: &str) -> kassa::Result<Vec<StockLevel>> {
        self.inner.stock(sku).await
    }
    async fn all_stock(&self) -> kassa::Result<Vec<StockLevel>> {
        self.inner.all_stock().await
    }
    async fn set_on_hand(&self, sku: &str, loc: &str, n: u64) -> kassa::Result<StockLevel> {
        self.inner.set_on_hand(sku, loc, n).await
    }
    async fn adjust(&self, sku: &str, loc: &str, d: i64) -> kassa::Result<StockLevel> {
        self.inner.adjust(sku, loc, d).await
    }
    async fn reserve(&self, r: ReserveRequest, now: DateTime<Utc>) -> kassa::Result<Reservation> {
        self.inner.reserve(r, now).await
    }
    async fn commit(&self, id: &str, now: DateTime<Utc>) -> kassa::Result<Reservation> {
        self.inner.commit(id, now).await
    }
    async fn release(&self, id: &str) -> kassa::Result<Reservation> {
        self.inner.release(id).await
    }
    async fn restock(&self, id: &str) -> kassa::Result<Reservation> {
        self.inner.restock(id).await
    }
    async fn reservation(&self, id: &str) -> kassa::Result<Option<Reservation>> {
        self.inner.reservation(id).await
    }
    async fn sweep_expired(&self, now: DateTime<Utc>) -> kassa::Result<Vec<Reservation>> {
        self.inner.sweep_expired(now).await
    }
    async fn apply_adjustments(&self, b: AdjustmentBatch) -> kassa::Result<AdjustmentBatchResult> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(KassaError::unavailable("inventory database down", 1));
        }
        self.inner.apply_adjustments(b).await
    }
    async fn audit_log(&self, sku: Option<&str>) -> kassa::Result<Vec<AuditEntry>> {
        self.inner.audit_log(sku).await
    }
    async fn health(&self) -> PortHealth {
        self.inner.health().await
    }
}

#[test]
fn a_receipt_interrupted_before_its_stock_is_completed_exactly_once() {
    let w = world(10, None);
    let flaky = Arc::new(FlakyInventory {
        inner: w.mem.inventory.clone(),
        fail: AtomicBool::new(false),
    });
    let mut ports = w.mem.ports();
    ports.inventory = flaky.clone();
    let engine = Engine::new(ports, EngineConfig::default()).unwrap();
    let a = admin();
    run(engine.put_supplier(&a, supplier())).unwrap();
    run(engine.put_reorder_rule(&a, min_max_rule("SKU-C", 50, 60, 1))).unwrap();
    let po = run(engine.reorder_run(&a, true)).unwrap().purchase_orders[0]
        .purchase_order
        .clone();
    run(engine.send_purchase_order(&a, &po.id)).unwrap();
    let goods = ReceiveGoods {
        receipt_id: Some("rc-9".into()),
        lines: vec![ReceiveLine {
            sku: "SKU-C".into(),
            quantity: 20,
        }],
        allow_over_receipt: false,
    };
    flaky.fail.store(true, Ordering::SeqCst);
    let err = run(engine.receive_purchase_order(&a, &po.id, &goods)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert_eq!(on_hand(&w, "SKU-C").0, 10, "stock not applied yet");
    flaky.fail.store(false, Ordering::SeqCst);
    // the sweep completes it once; a retry of the same receipt then changes nothing
    assert_eq!(run(engine.settle_receipts(&a)).unwrap(), 1);
    assert_eq!(on_hand(&w, "SKU-C").0, 30);
    assert_eq!(run(engine.settle_receipts(&a)).unwrap(), 0);
    let r = run(engine.receive_purchase_order(&a, &po.id, &goods)).unwrap();
    assert!(r.stock.replayed);
    assert_eq!(on_hand(&w, "SKU-C").0, 30);
    assert_eq!(r.purchase_order.receipts.len(), 1);
}

fn confirmed_order(w: &World, customer: &str, cart: &str, items: &[(&str, u32)]) -> String {
    put_cart(w, cart, customer, items);
    run(w.engine.checkout(
        &Principal::customer(customer),
        None,
        request(cart, TOKEN_APPROVE),
    ))
    .unwrap()
    .id
}

fn tracking(id: &str, status: ShipmentStatus, minutes: i64) -> TrackingEvent {
    TrackingEvent {
        event_id: id.into(),
        status,
        occurred_at: t0() + Duration::minutes(minutes),
        location: None,
        description: None,
    }
}

#[test]
fn shipments_move_the_order_and_publish_envelopes() {
    let w = world(10, None);
    let a = admin();
    let order_id = confirmed_order(&w, "alice", "cart-1", &[("SKU-A", 3), ("SKU-B", 1)]);
    let new = |lines: Vec<(&str, i64)>| NewShipment {
        order_id: order_id.clone(),
        carrier: "DHL".into(),
        tracking_number: "JD0001".into(),
        lines: lines
            .into_iter()
            .map(|(sku, quantity)| ShipmentLine {
                sku: sku.into(),
                quantity,
            })
            .collect(),
    };
    let s1 = run(w.engine.create_shipment(&a, &new(vec![("SKU-A", 2)]))).unwrap();
    // more SKU-A than the order still has unassigned
    let err = run(w.engine.create_shipment(&a, &new(vec![("SKU-A", 2)]))).unwrap_err();
    assert_eq!(err.details[0].field, "lines[0].quantity");
    let err = run(w.engine.create_shipment(&a, &new(vec![("SKU-E", 1)]))).unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationError);
    let id = s1.shipment.id.clone();
    // delivered arrives before in transit; a duplicate is ignored
    let r = run(w.engine.track_shipment(
        &a,
        &id,
        &[
            tracking("e2", ShipmentStatus::Delivered, 120),
            tracking("e1", ShipmentStatus::InTransit, 60),
            tracking("e2", ShipmentStatus::Delivered, 120),
        ],
    ))
    .unwrap();
    assert_eq!(r.shipment.shipment.status, ShipmentStatus::Delivered);
    assert_eq!(r.envelopes.len(), 2);
    assert_eq!(r.envelopes[0].channel, format!("shipments:{id}"));
    // the order ships 2 of 4 units; their delivery waits until everything has shipped
    // (the order's fulfillment machine has no partial delivery before full shipment)
    let order = r.order.unwrap();
    assert_eq!(
        order.fulfillment_status,
        FulfillmentStatus::PartiallyFulfilled
    );
    let line_a = order.lines.iter().find(|l| l.sku == "SKU-A").unwrap();
    assert_eq!((line_a.shipped, line_a.delivered), (2, 0));
    // replaying the same events moves nothing twice
    let again =
        run(w
            .engine
            .track_shipment(&a, &id, &[tracking("e1", ShipmentStatus::InTransit, 60)]))
        .unwrap();
    assert!(again.order.is_none());
    assert!(again.envelopes.is_empty());
    // label + 2 tracking envelopes
    let env = events_of(&w, EVENT_SHIPMENT_TRACKING);
    assert_eq!(env.len(), 3);
    assert_eq!(env[0]["event"], "label_created");
    assert_eq!(env[2]["type"], "shipment.tracking");

    // the rest ships in a second shipment
    let s2 = run(w
        .engine
        .create_shipment(&a, &new(vec![("SKU-A", 1), ("SKU-B", 1)])))
    .unwrap();
    let r = run(w.engine.track_shipment(
        &a,
        &s2.shipment.id,
        &[tracking("f1", ShipmentStatus::InTransit, 200)],
    ))
    .unwrap();
    // everything shipped now, and the deferred delivery of the first shipment applies
    let order = r.order.unwrap();
    assert_eq!(
        order.fulfillment_status,
        FulfillmentStatus::PartiallyDelivered
    );
    let line_a = order.lines.iter().find(|l| l.sku == "SKU-A").unwrap();
    assert_eq!((line_a.shipped, line_a.delivered), (3, 2));
    // delivering the second shipment completes the order's delivery
    let r = run(w.engine.track_shipment(
        &a,
        &s2.shipment.id,
        &[tracking("f2", ShipmentStatus::Delivered, 300)],
    ))
    .unwrap();
    assert_eq!(
        r.order.unwrap().fulfillment_status,
        FulfillmentStatus::Delivered
    );
    let (shipments, progress) = run(w
        .engine
        .order_shipments(&Principal::customer("alice"), &order_id))
    .unwrap();
    assert_eq!(shipments.len(), 2);
    assert_eq!(progress.status, ShipmentProgress::Delivered);
    assert_eq!((progress.shipped, progress.delivered), (4, 4));
    // another customer sees nothing; a customer cannot create or track shipments
    let bob = Principal::customer("bob");
    assert_eq!(
        run(w.engine.order_shipments(&bob, &order_id))
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        run(w.engine.track_shipment(&bob, &id, &[]))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}
