//! The conformance cases. Each takes a fresh [`Subject`] and panics (assert) on a deviation.

use crate::Subject;
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::future::join_all;
use kassa::billing::{Subscription, SubscriptionStatus};
use kassa::catalog::Product;
use kassa::engine::{CheckoutRequest, Engine, EngineConfig, Principal};
use kassa::identity::{
    FamilyStatus, OneTimeToken, OneTimeTokenRecord, PurgedTokens, RedeemOutcome, RefreshFamily,
    RevokeReason, RotationOutcome, TokenPurpose,
};
use kassa::inventory::reorder::ReorderRule;
use kassa::inventory::reservation::{ReservationStatus, ReserveRequest};
use kassa::inventory::stock::Demand;
use kassa::memory::{SeededRandom, TOKEN_APPROVE};
use kassa::money::Currency;
use kassa::order::{LineQuantity, NewOrder, NewOrderLine, Order, OrderStatus, OrderTotals};
use kassa::page::PageRequest;
use kassa::ports::{
    CouponLimits, HealthStatus, IdempotencyBegin, IdempotencyResponse, OrderFilter, OutboxEvent,
    PlaceOrder, PricingRules, SettleOrder, Settled, StoredCart, StoredPurchaseOrder,
    StoredShipment, TokenRecord, UserRecord,
};
use kassa::supply::{create_shipment, PurchaseOrderStatus, ShipmentLine, ShipmentStatus, Supplier};
use kassa::{ErrorCode, Money};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn usd(s: &str) -> Money {
    Money::parse(s, "USD").unwrap()
}

/// A product with one variant `sku` at `price` USD.
pub fn product(id: &str, sku: &str, price: &str) -> Product {
    serde_json::from_value(json!({
        "id": id,
        "name": format!("Product {id}"),
        "slug": format!("product-{id}"),
        "createdAt": "2026-01-01T00:00:00Z",
        "variants": [{"sku": sku, "prices": [{"amount": {"amount": price, "currency": "USD"}}]}]
    }))
    .unwrap()
}

/// A one-line order `id` / `number` for `customer`, created at `at`.
pub fn order(id: &str, number: &str, customer: &str, at: DateTime<Utc>) -> Order {
    Order::create(
        NewOrder {
            id: id.into(),
            number: number.into(),
            customer_id: customer.into(),
            cart_id: None,
            lines: vec![NewOrderLine {
                line_id: "l1".into(),
                sku: "SKU-A".into(),
                product_id: "p-a".into(),
                name: "A".into(),
                variant: String::new(),
                quantity: 2,
                unit_price: usd("10.00"),
                discount: usd("0.00"),
                tax: usd("0.00"),
                total: usd("20.00"),
            }],
            totals: OrderTotals {
                subtotal: usd("20.00"),
                discount: usd("0.00"),
                tax: usd("0.00"),
                shipping: usd("0.00"),
                total: usd("20.00"),
            },
            coupon_codes: vec![],
            reservation_id: None,
        },
        at,
    )
    .unwrap()
}

fn event(id: &str, aggregate: &str) -> OutboxEvent {
    OutboxEvent {
        id: id.into(),
        event_type: "order_status_changed".into(),
        schema_version: 1,
        aggregate_id: aggregate.into(),
        occurred_at: t0(),
        payload: json!({"orderId": aggregate}).to_string(),
    }
}

fn reserve_req(id: &str, items: &[(&str, u64)], expires: DateTime<Utc>) -> ReserveRequest {
    ReserveRequest {
        reservation_id: id.into(),
        reference: format!("order-of-{id}"),
        items: items
            .iter()
            .map(|(sku, q)| Demand {
                sku: (*sku).into(),
                quantity: *q,
            })
            .collect(),
        expires_at: expires,
    }
}

/// Carts: new at version 0, compare-and-set on every save, delete.
pub async fn carts_compare_and_set(s: &Subject) {
    let carts = &s.ports.carts;
    let cart = StoredCart {
        id: "cart-1".into(),
        owner_id: "c1".into(),
        cart: serde_json::from_value(json!({"currency": "USD", "lines": []})).unwrap(),
        version: 0,
        updated_at: t0(),
    };
    assert!(carts.get("cart-1").await.unwrap().is_none());
    let v1 = carts.save(cart.clone()).await.unwrap();
    assert_eq!(v1.version, 1);
    let again = carts.save(cart.clone()).await.unwrap_err();
    assert_eq!(
        again.code,
        ErrorCode::Conflict,
        "a second new cart with the same id"
    );
    let v2 = carts.save(v1.clone()).await.unwrap();
    assert_eq!(v2.version, 2);
    let stale = carts.save(v1).await.unwrap_err();
    assert_eq!(stale.code, ErrorCode::Conflict);
    let got = carts.get("cart-1").await.unwrap().unwrap();
    assert_eq!(got, v2);
    let empty_id = carts
        .save(StoredCart {
            id: " ".into(),
            ..cart
        })
        .await
        .unwrap_err();
    assert_eq!(empty_id.code, ErrorCode::ValidationError);
    assert!(carts.delete("cart-1").await.unwrap());
    assert!(!carts.delete("cart-1").await.unwrap());
    assert!(carts.get("cart-1").await.unwrap().is_none());
}

/// Catalog: products are validated, unique, replaced by id; rules round-trip.
pub async fn catalog_products_and_rules(s: &Subject) {
    let c = &s.ports.catalog;
    let before = c.catalog().await.unwrap().products().len();
    c.create_product(product("p-a", "SKU-A", "10.00"))
        .await
        .unwrap();
    let dup = c
        .create_product(product("p-a", "SKU-Z", "1.00"))
        .await
        .unwrap_err();
    assert_eq!(dup.code, ErrorCode::Conflict);
    let taken_sku = c
        .create_product(product("p-b", "SKU-A", "1.00"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            taken_sku.code,
            ErrorCode::Conflict | ErrorCode::ValidationError
        ),
        "{taken_sku:?}"
    );
    let unknown = c
        .update_product(product("p-x", "SKU-X", "1.00"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::NotFound);
    let mut changed = product("p-a", "SKU-A", "12.50");
    changed.name = "Renamed".into();
    c.update_product(changed).await.unwrap();
    let cat = c.catalog().await.unwrap();
    assert_eq!(cat.products().len(), before + 1);
    assert!(cat.products().iter().any(|p| p.name == "Renamed"));
    let rules: PricingRules = serde_json::from_value(json!({
        "promotions": [{
            "id": "promo-save10",
            "conditions": {"couponRequired": true},
            "target": {"type": "order"},
            "action": {"type": "percent_off", "percent": "10"}
        }],
        "coupons": [{"code": "SAVE10", "promotionId": "promo-save10", "usageLimit": 3}]
    }))
    .unwrap();
    c.set_pricing_rules(rules.clone()).await.unwrap();
    assert_eq!(c.pricing_rules().await.unwrap(), rules);
}

/// Orders: insert at version 0 only, unique id and number, lookups, filtered newest-first
/// pages.
pub async fn orders_insert_get_and_list(s: &Subject) {
    let o = &s.ports.orders;
    let mut bad = order("o-0", "N-0", "c1", t0());
    bad.version = 3;
    assert_eq!(
        o.insert(bad).await.unwrap_err().code,
        ErrorCode::ValidationError
    );
    for i in 1..=5 {
        let customer = if i % 2 == 0 { "c2" } else { "c1" };
        let stored = o
            .insert(order(
                &format!("o-{i}"),
                &format!("N-{i}"),
                customer,
                t0() + Duration::minutes(i),
            ))
            .await
            .unwrap();
        assert_eq!(stored.version, 1);
    }
    let dup_id = o
        .insert(order("o-1", "N-99", "c1", t0()))
        .await
        .unwrap_err();
    assert_eq!(dup_id.code, ErrorCode::Conflict);
    let dup_number = o
        .insert(order("o-99", "N-1", "c1", t0()))
        .await
        .unwrap_err();
    assert_eq!(dup_number.code, ErrorCode::Conflict);
    assert!(
        o.get("o-99").await.unwrap().is_none(),
        "nothing half-stored"
    );
    let got = o.get("o-3").await.unwrap().unwrap();
    assert_eq!(got.number, "N-3");
    assert_eq!(got.version, 1);
    assert_eq!(o.get_by_number("N-4").await.unwrap().unwrap().id, "o-4");
    assert!(o.get_by_number("N-404").await.unwrap().is_none());
    let all = o
        .list(
            &OrderFilter::default(),
            PageRequest {
                page: 1,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(all.pagination.total, 5);
    let ids: Vec<_> = all.items.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["o-5", "o-4"], "newest first");
    let page3 = o
        .list(
            &OrderFilter::default(),
            PageRequest {
                page: 3,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(page3.items.len(), 1);
    assert_eq!(page3.items[0].id, "o-1");
    let c1 = OrderFilter {
        customer_id: Some("c1".into()),
        status: Some(OrderStatus::Pending),
        from: Some(t0() + Duration::minutes(2)),
        ..OrderFilter::default()
    };
    let page = o
        .list(
            &c1,
            PageRequest {
                page: 1,
                page_size: 10,
            },
        )
        .await
        .unwrap();
    let ids: Vec<_> = page.items.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["o-5", "o-3"]);
    let none = OrderFilter {
        status: Some(OrderStatus::Confirmed),
        ..OrderFilter::default()
    };
    assert_eq!(
        o.list(
            &none,
            PageRequest {
                page: 1,
                page_size: 10
            }
        )
        .await
        .unwrap()
        .pagination
        .total,
        0
    );
    let too_big = o
        .list(
            &OrderFilter::default(),
            PageRequest {
                page: 1,
                page_size: 100_000,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(too_big.code, ErrorCode::ValidationError);
}

/// Orders: compare-and-set bumps the version; a stale write is `CONFLICT` naming the stored
/// version; the number never changes; unknown orders are `NOT_FOUND`.
pub async fn orders_compare_and_set(s: &Subject) {
    let o = &s.ports.orders;
    let v1 = o.insert(order("o-1", "N-1", "c1", t0())).await.unwrap();
    let mut change = v1.clone();
    change.customer_id = "c9".into();
    let v2 = o.compare_and_set(change).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(o.get("o-1").await.unwrap().unwrap(), v2);
    let stale = o.compare_and_set(v1.clone()).await.unwrap_err();
    assert_eq!(stale.code, ErrorCode::Conflict);
    assert_eq!(stale.meta.get("storedVersion"), Some(&json!(2)));
    let mut renumbered = v2.clone();
    renumbered.number = "N-2".into();
    assert_eq!(
        o.compare_and_set(renumbered).await.unwrap_err().code,
        ErrorCode::ValidationError
    );
    let mut ghost = v2.clone();
    ghost.id = "o-404".into();
    assert_eq!(
        o.compare_and_set(ghost).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    // Concurrent writers from the same version: exactly one wins.
    let writes = (0..8).map(|i| {
        let mut c = v2.clone();
        c.customer_id = format!("w{i}");
        o.compare_and_set(c)
    });
    let results = join_all(writes).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(o.get("o-1").await.unwrap().unwrap().version, 3);
}

/// The order write and its outbox events are one atomic step: a stale write stores no
/// event, a successful one stores every event once.
pub async fn orders_events_are_atomic_with_the_write(s: &Subject) {
    let o = &s.ports.orders;
    let sink = s.ports.events.as_ref();
    let v1 = o.insert(order("o-1", "N-1", "c1", t0())).await.unwrap();
    let v2 = o
        .compare_and_set_with_events(
            v1.clone(),
            vec![event("o-1:a", "o-1"), event("o-1:b", "o-1")],
            sink,
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let stale = o
        .compare_and_set_with_events(v1.clone(), vec![event("o-1:c", "o-1")], sink)
        .await
        .unwrap_err();
    assert_eq!(stale.code, ErrorCode::Conflict);
    assert!(stale.meta.contains_key("storedVersion"));
    // A duplicate event id (a retried write) is stored once.
    o.compare_and_set_with_events(v2, vec![event("o-1:b", "o-1")], sink)
        .await
        .unwrap();
    let ids: Vec<String> = s
        .outbox
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.aggregate_id == "o-1")
        .map(|e| e.id)
        .collect();
    assert_eq!(
        ids,
        ["o-1:a", "o-1:b"],
        "in order, once, nothing from the stale write"
    );
    let stored = o.get("o-1").await.unwrap().unwrap();
    assert_eq!(stored.version, 3);
}

/// Order numbers: strictly fresh values, even when drawn concurrently.
pub async fn order_numbers_never_repeat(s: &Subject) {
    let o = &s.ports.orders;
    let first = o.next_number().await.unwrap();
    assert!(first >= 1);
    let many = join_all((0..20).map(|_| o.next_number())).await;
    let mut seen: Vec<u64> = many.into_iter().map(|r| r.unwrap()).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 20);
    assert!(seen.iter().all(|n| *n > first));
}

/// Stock levels: set, adjust, validation, listing order.
pub async fn inventory_levels(s: &Subject) {
    let inv = &s.ports.inventory;
    assert!(inv.stock("SKU-A").await.unwrap().is_empty());
    inv.set_on_hand("SKU-A", "w2", 4).await.unwrap();
    let l = inv.set_on_hand("SKU-A", "w1", 5).await.unwrap();
    assert_eq!((l.on_hand, l.reserved), (5, 0));
    inv.set_on_hand("SKU-B", "w1", 1).await.unwrap();
    let l = inv.adjust("SKU-A", "w1", -2).await.unwrap();
    assert_eq!(l.on_hand, 3);
    let l = inv.adjust("SKU-C", "w1", 7).await.unwrap();
    assert_eq!(l.on_hand, 7, "adjusting a new level starts from 0");
    assert_eq!(
        inv.adjust("SKU-A", "w1", -4).await.unwrap_err().code,
        ErrorCode::ValidationError
    );
    assert_eq!(
        inv.set_on_hand("", "w1", 1).await.unwrap_err().code,
        ErrorCode::ValidationError
    );
    let a: Vec<_> = inv
        .stock("SKU-A")
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.location_id, l.on_hand))
        .collect();
    assert_eq!(a, [("w1".to_string(), 3), ("w2".to_string(), 4)]);
    assert_eq!(inv.all_stock().await.unwrap().len(), 4);
}

/// Audited adjustments: a batch applies all or nothing, once per batch id (a replay gives
/// the same audit entries and changes nothing), another batch under a used id is
/// `CONFLICT`, and the audit log keeps every entry in order.
pub async fn inventory_adjustment_batches(s: &Subject) {
    use kassa::inventory::adjustment::Adjustment;
    use kassa::inventory::reservation::AdjustmentBatch;
    let inv = &s.ports.inventory;
    inv.set_on_hand("SKU-A", "w1", 10).await.unwrap();
    let adj = |sku: &str, change: serde_json::Value| -> Adjustment {
        serde_json::from_value(serde_json::json!({
            "sku": sku, "location": "w1", "change": change,
            "reason": "count_correction", "actor": "admin-1"
        }))
        .unwrap()
    };
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .to_utc();
    let batch = AdjustmentBatch {
        id: "b1".into(),
        adjustments: vec![
            adj(
                "SKU-A",
                serde_json::json!({"mode": "delta", "quantity": -3}),
            ),
            adj("SKU-B", serde_json::json!({"mode": "set", "quantity": 4})),
        ],
        at,
    };
    let first = inv.apply_adjustments(batch.clone()).await.unwrap();
    assert!(!first.replayed);
    assert_eq!(first.audit.len(), 2);
    assert_eq!(inv.stock("SKU-A").await.unwrap()[0].on_hand, 7);
    assert_eq!(inv.stock("SKU-B").await.unwrap()[0].on_hand, 4);
    let again = inv.apply_adjustments(batch.clone()).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.audit, first.audit);
    assert_eq!(
        inv.stock("SKU-A").await.unwrap()[0].on_hand,
        7,
        "a replay changes nothing"
    );
    let mut other = batch.clone();
    other.adjustments.truncate(1);
    assert_eq!(
        inv.apply_adjustments(other).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    // All or nothing: the second adjustment fails, the first is not applied either.
    let bad = AdjustmentBatch {
        id: "b2".into(),
        adjustments: vec![
            adj("SKU-A", serde_json::json!({"mode": "delta", "quantity": 1})),
            adj(
                "SKU-B",
                serde_json::json!({"mode": "delta", "quantity": -9}),
            ),
        ],
        at,
    };
    let e = inv.apply_adjustments(bad).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationError, "{e:?}");
    assert_eq!(inv.stock("SKU-A").await.unwrap()[0].on_hand, 7);
    let log = inv.audit_log(None).await.unwrap();
    assert_eq!(log, first.audit);
    assert_eq!(inv.audit_log(Some("SKU-B")).await.unwrap().len(), 1);
}

/// Reservations: taken in location order, commit / release / restock idempotent, wrong
/// transitions `CONFLICT`, duplicate ids `CONFLICT`, on hand not below reserved.
pub async fn inventory_reservation_lifecycle(s: &Subject) {
    let inv = &s.ports.inventory;
    let later = t0() + Duration::minutes(15);
    inv.set_on_hand("SKU-A", "w1", 2).await.unwrap();
    inv.set_on_hand("SKU-A", "w2", 5).await.unwrap();
    let r = inv
        .reserve(reserve_req("r1", &[("SKU-A", 4)], later), t0())
        .await
        .unwrap();
    assert_eq!(r.status, ReservationStatus::Active);
    let alloc: Vec<_> = r
        .allocations
        .iter()
        .map(|a| (a.location_id.as_str(), a.quantity))
        .collect();
    assert_eq!(alloc, [("w1", 2), ("w2", 2)]);
    assert_eq!(inv.reservation("r1").await.unwrap().unwrap(), r);
    let dup = inv
        .reserve(reserve_req("r1", &[("SKU-A", 1)], later), t0())
        .await
        .unwrap_err();
    assert_eq!(dup.code, ErrorCode::Conflict);
    let below = inv.set_on_hand("SKU-A", "w2", 1).await.unwrap_err();
    assert_eq!(below.code, ErrorCode::ValidationError);
    let c = inv.commit("r1", t0()).await.unwrap();
    assert_eq!(c.status, ReservationStatus::Committed);
    assert_eq!(
        inv.commit("r1", t0()).await.unwrap().status,
        ReservationStatus::Committed
    );
    assert_eq!(
        inv.release("r1").await.unwrap_err().code,
        ErrorCode::Conflict
    );
    let levels = inv.stock("SKU-A").await.unwrap();
    let on_hand: u64 = levels.iter().map(|l| l.on_hand).sum();
    let reserved: u64 = levels.iter().map(|l| l.reserved).sum();
    assert_eq!((on_hand, reserved), (3, 0));
    assert_eq!(
        inv.restock("r1").await.unwrap().status,
        ReservationStatus::Restocked
    );
    assert_eq!(
        inv.restock("r1").await.unwrap().status,
        ReservationStatus::Restocked
    );
    let on_hand: u64 = inv
        .stock("SKU-A")
        .await
        .unwrap()
        .iter()
        .map(|l| l.on_hand)
        .sum();
    assert_eq!(on_hand, 7);
    inv.reserve(reserve_req("r2", &[("SKU-A", 3)], later), t0())
        .await
        .unwrap();
    assert_eq!(
        inv.release("r2").await.unwrap().status,
        ReservationStatus::Released
    );
    assert_eq!(
        inv.release("r2").await.unwrap().status,
        ReservationStatus::Released
    );
    assert_eq!(
        inv.commit("r2", t0()).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    let reserved: u64 = inv
        .stock("SKU-A")
        .await
        .unwrap()
        .iter()
        .map(|l| l.reserved)
        .sum();
    assert_eq!(reserved, 0);
    assert_eq!(
        inv.commit("r404", t0()).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    let past = inv
        .reserve(reserve_req("r3", &[("SKU-A", 1)], t0()), t0())
        .await
        .unwrap_err();
    assert_eq!(past.code, ErrorCode::ValidationError);
}

/// A cart's reservation takes every SKU or none; a shortage is `OUT_OF_STOCK` naming it.
pub async fn inventory_reserve_is_all_or_nothing(s: &Subject) {
    let inv = &s.ports.inventory;
    let later = t0() + Duration::minutes(15);
    inv.set_on_hand("SKU-A", "w1", 5).await.unwrap();
    inv.set_on_hand("SKU-B", "w1", 1).await.unwrap();
    let short = inv
        .reserve(
            reserve_req("r1", &[("SKU-A", 2), ("SKU-B", 2)], later),
            t0(),
        )
        .await
        .unwrap_err();
    assert_eq!(short.code, ErrorCode::OutOfStock);
    assert_eq!(short.meta.get("sku"), Some(&json!("SKU-B")));
    assert_eq!(short.meta.get("available"), Some(&json!(1)));
    for l in inv.all_stock().await.unwrap() {
        assert_eq!(l.reserved, 0, "nothing reserved after a failed cart: {l:?}");
    }
    assert!(inv.reservation("r1").await.unwrap().is_none());
    let unknown = inv
        .reserve(reserve_req("r2", &[("SKU-NONE", 1)], later), t0())
        .await
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::OutOfStock);
    inv.reserve(
        reserve_req("r3", &[("SKU-A", 5), ("SKU-B", 1)], later),
        t0(),
    )
    .await
    .unwrap();
    for l in inv.all_stock().await.unwrap() {
        assert_eq!(l.reserved, l.on_hand);
    }
}

/// Many concurrent reservations for S units: exactly S succeed, the rest are
/// `OUT_OF_STOCK`, and reserved never passes on hand.
pub async fn inventory_concurrent_reserves_never_oversell(s: &Subject) {
    let inv = &s.ports.inventory;
    let later = t0() + Duration::minutes(15);
    inv.set_on_hand("SKU-A", "w1", 6).await.unwrap();
    inv.set_on_hand("SKU-A", "w2", 4).await.unwrap();
    let tries =
        (0..30).map(|i| inv.reserve(reserve_req(&format!("r{i}"), &[("SKU-A", 1)], later), t0()));
    let results = join_all(tries).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 10);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.code, ErrorCode::OutOfStock, "{r:?}");
    }
    let reserved: u64 = inv
        .stock("SKU-A")
        .await
        .unwrap()
        .iter()
        .map(|l| l.reserved)
        .sum();
    assert_eq!(reserved, 10);
}

/// Expired reservations: commit after expiry is `CONFLICT` and gives the units back; a sweep
/// expires each active one exactly once.
pub async fn inventory_expiry_and_sweep(s: &Subject) {
    let inv = &s.ports.inventory;
    inv.set_on_hand("SKU-A", "w1", 10).await.unwrap();
    let soon = t0() + Duration::minutes(1);
    let later = t0() + Duration::hours(2);
    inv.reserve(reserve_req("r1", &[("SKU-A", 2)], soon), t0())
        .await
        .unwrap();
    inv.reserve(reserve_req("r2", &[("SKU-A", 3)], soon), t0())
        .await
        .unwrap();
    inv.reserve(reserve_req("r3", &[("SKU-A", 1)], later), t0())
        .await
        .unwrap();
    let late = inv
        .commit("r1", t0() + Duration::minutes(5))
        .await
        .unwrap_err();
    assert_eq!(late.code, ErrorCode::Conflict);
    assert_eq!(
        inv.reservation("r1").await.unwrap().unwrap().status,
        ReservationStatus::Expired
    );
    let swept = inv
        .sweep_expired(t0() + Duration::minutes(5))
        .await
        .unwrap();
    let ids: Vec<_> = swept.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r2"]);
    assert!(inv
        .sweep_expired(t0() + Duration::minutes(5))
        .await
        .unwrap()
        .is_empty());
    let l = &inv.stock("SKU-A").await.unwrap()[0];
    assert_eq!((l.on_hand, l.reserved), (10, 1));
    assert_eq!(
        inv.release("r2").await.unwrap().status,
        ReservationStatus::Expired
    );
}

/// Coupons: overall and per-customer limits, idempotent per reference, undo, usage order.
pub async fn coupons_limits_and_undo(s: &Subject) {
    let c = &s.ports.coupons;
    assert!(c.usage("save10").await.unwrap().is_none());
    let limits = CouponLimits {
        overall: Some(3),
        per_customer: Some(2),
    };
    c.redeem(" save10 ", "o-1", "c1", limits).await.unwrap();
    let u = c.redeem("SAVE10", "o-1", "c1", limits).await.unwrap();
    assert_eq!(u.times_used(), 1, "same reference twice is one redemption");
    c.redeem("SAVE10", "o-2", "c1", limits).await.unwrap();
    let per = c.redeem("SAVE10", "o-3", "c1", limits).await.unwrap_err();
    assert_eq!(per.code, ErrorCode::Conflict);
    assert_eq!(per.meta.get("limit"), Some(&json!(2)));
    c.redeem("SAVE10", "o-4", "c2", limits).await.unwrap();
    let overall = c.redeem("SAVE10", "o-5", "c3", limits).await.unwrap_err();
    assert_eq!(overall.code, ErrorCode::Conflict);
    assert_eq!(overall.meta.get("code"), Some(&json!("SAVE10")));
    let u = c.usage("save10").await.unwrap().unwrap();
    assert_eq!(u.code, "SAVE10");
    let refs: Vec<_> = u.redemptions.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(refs, ["o-1", "o-2", "o-4"]);
    assert_eq!(u.times_used_by("c1"), 2);
    assert!(c.undo("SAVE10", "o-2").await.unwrap());
    assert!(!c.undo("SAVE10", "o-2").await.unwrap());
    assert!(!c.undo("OTHER", "o-2").await.unwrap());
    c.redeem("SAVE10", "o-5", "c3", limits).await.unwrap();
    assert_eq!(c.usage("SAVE10").await.unwrap().unwrap().times_used(), 3);
    assert_eq!(
        c.redeem("  ", "o-9", "c1", limits).await.unwrap_err().code,
        ErrorCode::ValidationError
    );
}

/// Concurrent redemptions of a coupon with limit L: exactly L succeed.
pub async fn coupons_concurrent_redemptions_respect_the_limit(s: &Subject) {
    let c = &s.ports.coupons;
    let limits = CouponLimits {
        overall: Some(5),
        per_customer: None,
    };
    let names: Vec<(String, String)> = (0..20)
        .map(|i| (format!("o-{i}"), format!("c{i}")))
        .collect();
    let tries = names
        .iter()
        .map(|(reference, customer)| c.redeem("RUSH", reference, customer, limits));
    let results = join_all(tries).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
    assert_eq!(c.usage("RUSH").await.unwrap().unwrap().times_used(), 5);
}

fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: email.into(),
        name: format!("User {id}"),
        roles: vec!["customer".into()],
        password_hash: None,
        email_verified: false,
        created_at: t0(),
        version: 0,
    }
}

/// Users: unique id and (case-insensitive) email, compare-and-set updates.
pub async fn users_unique_email_and_versions(s: &Subject) {
    let u = &s.ports.users;
    let v1 = u.insert_user(user("u1", " Ada@Example.com")).await.unwrap();
    assert_eq!((v1.version, v1.email.as_str()), (1, "ada@example.com"));
    assert_eq!(
        u.insert_user(user("u1", "x@example.com"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    let taken = u
        .insert_user(user("u2", "ADA@example.com"))
        .await
        .unwrap_err();
    assert_eq!(taken.code, ErrorCode::Conflict);
    assert!(u.get_user("u2").await.unwrap().is_none());
    assert_eq!(
        u.find_by_email("ada@EXAMPLE.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        "u1"
    );
    u.insert_user(user("u2", "bob@example.com")).await.unwrap();
    let mut change = v1.clone();
    change.name = "Ada L.".into();
    change.email_verified = true;
    let v2 = u.update_user(change).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(u.get_user("u1").await.unwrap().unwrap(), v2);
    assert_eq!(
        u.update_user(v1.clone()).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    let mut steal = v2.clone();
    steal.email = "Bob@example.com".into();
    assert_eq!(
        u.update_user(steal).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    let mut moved = v2.clone();
    moved.email = "ada@new.example".into();
    u.update_user(moved).await.unwrap();
    assert!(u.find_by_email("ada@example.com").await.unwrap().is_none());
    assert_eq!(
        u.find_by_email("ada@new.example")
            .await
            .unwrap()
            .unwrap()
            .id,
        "u1"
    );
    let mut ghost = user("u404", "g@example.com");
    ghost.version = 1;
    assert_eq!(
        u.update_user(ghost).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

fn token(hash: &str, purpose: &str, family: Option<&str>, expires: DateTime<Utc>) -> TokenRecord {
    TokenRecord {
        token_hash: hash.into(),
        user_id: "u1".into(),
        purpose: purpose.into(),
        family: family.map(Into::into),
        expires_at: expires,
        consumed_at: None,
    }
}

/// Tokens: consumed at most once (even concurrently), never with the wrong purpose or after
/// expiry; revocation by family or all.
pub async fn tokens_consume_once_and_revoke(s: &Subject) {
    let u = &s.ports.users;
    let exp = t0() + Duration::hours(1);
    u.store_token(token("h1", "verify_email", None, exp))
        .await
        .unwrap();
    assert!(u
        .consume_token("h1", "refresh", t0())
        .await
        .unwrap()
        .is_none());
    assert!(u
        .consume_token("h1", "verify_email", exp + Duration::seconds(1))
        .await
        .unwrap()
        .is_none());
    let tries = (0..6).map(|_| u.consume_token("h1", "verify_email", t0()));
    let results = join_all(tries).await;
    let won: Vec<_> = results.into_iter().filter_map(|r| r.unwrap()).collect();
    assert_eq!(won.len(), 1, "consumed exactly once");
    assert_eq!(won[0].consumed_at, None, "returned as it was");
    let stored = u.get_token("h1").await.unwrap().unwrap();
    assert_eq!(stored.consumed_at, Some(t0()));
    assert!(u.get_token("h404").await.unwrap().is_none());
    u.store_token(token("r1", "refresh", Some("f1"), exp))
        .await
        .unwrap();
    u.store_token(token("r2", "refresh", Some("f1"), exp))
        .await
        .unwrap();
    u.store_token(token("r3", "refresh", Some("f2"), exp))
        .await
        .unwrap();
    assert_eq!(u.revoke_tokens("u1", Some("f1"), t0()).await.unwrap(), 2);
    assert_eq!(u.revoke_tokens("u1", Some("f1"), t0()).await.unwrap(), 0);
    assert_eq!(u.revoke_tokens("u1", None, t0()).await.unwrap(), 1);
    assert!(u
        .consume_token("r3", "refresh", t0())
        .await
        .unwrap()
        .is_none());
}

/// Idempotency: claim, in progress, key reuse, completion, abandon, stale takeover.
pub async fn idempotency_claims(s: &Subject) {
    let i = &s.ports.idempotency;
    assert_eq!(
        i.begin("c1", "", "h", t0()).await.unwrap_err().code,
        ErrorCode::ValidationError
    );
    assert_eq!(
        i.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::Started
    );
    assert_eq!(
        i.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::InProgress
    );
    assert_eq!(
        i.begin("c1", "k1", "h2", t0()).await.unwrap(),
        IdempotencyBegin::KeyReused
    );
    assert_eq!(
        i.begin("c2", "k1", "h2", t0()).await.unwrap(),
        IdempotencyBegin::Started,
        "keys are scoped"
    );
    i.complete("c1", "k1", json!({"orderId": "o-1"}))
        .await
        .unwrap();
    assert_eq!(
        i.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::Completed {
            response: json!({"orderId": "o-1"})
        }
    );
    i.abandon("c1", "k1").await.unwrap();
    assert!(
        matches!(
            i.begin("c1", "k1", "h1", t0()).await.unwrap(),
            IdempotencyBegin::Completed { .. }
        ),
        "a completed key is never abandoned"
    );
    i.abandon("c2", "k1").await.unwrap();
    assert_eq!(
        i.begin("c2", "k1", "h3", t0()).await.unwrap(),
        IdempotencyBegin::Started,
        "an abandoned key is free again"
    );
    assert_eq!(
        i.begin("c2", "k1", "h3", t0() + Duration::seconds(10))
            .await
            .unwrap(),
        IdempotencyBegin::InProgress
    );
    assert_eq!(
        i.begin("c2", "k1", "h3", t0() + Duration::minutes(5))
            .await
            .unwrap(),
        IdempotencyBegin::Started,
        "a stale claim is taken over"
    );
    assert_eq!(
        i.complete("c9", "k9", json!(1)).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

/// Many concurrent claims of one key: exactly one starts.
pub async fn idempotency_concurrent_begin_has_one_winner(s: &Subject) {
    let i = &s.ports.idempotency;
    let tries = (0..10).map(|_| i.begin("c1", "same", "h", t0()));
    let results = join_all(tries).await;
    let started = results
        .iter()
        .filter(|r| matches!(r, Ok(IdempotencyBegin::Started)))
        .count();
    assert_eq!(started, 1);
    assert!(results.iter().all(|r| matches!(
        r,
        Ok(IdempotencyBegin::Started | IdempotencyBegin::InProgress)
    )));
}

/// The sink stores an event id once.
pub async fn events_publish_is_idempotent(s: &Subject) {
    s.ports.events.publish(event("e-1", "agg-1")).await.unwrap();
    s.ports.events.publish(event("e-1", "agg-1")).await.unwrap();
    s.ports.events.publish(event("e-2", "agg-1")).await.unwrap();
    let ids: Vec<_> = s
        .outbox
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.aggregate_id == "agg-1")
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["e-1", "e-2"]);
}

/// Every storage port is up.
pub async fn every_port_reports_health(s: &Subject) {
    let p = &s.ports;
    for h in [
        p.catalog.health().await,
        p.carts.health().await,
        p.orders.health().await,
        p.inventory.health().await,
        p.coupons.health().await,
        p.users.health().await,
        p.idempotency.health().await,
        p.events.health().await,
        p.supply.health().await,
        p.checkout.health().await,
        s.billing.subscriptions.health().await,
    ] {
        assert_eq!(
            h.status,
            HealthStatus::Up,
            "{} on {}: {h:?}",
            h.port,
            s.name
        );
    }
}

/// The engine over these ports: a checkout with a coupon confirms the order, commits the
/// stock, redeems the coupon, and its `order_placed` event is in the outbox; an idempotent
/// retry gives the same order.
pub async fn engine_checkout_end_to_end(s: &Subject) {
    let p = &s.ports;
    p.catalog
        .create_product(product("p-a", "SKU-A", "10.00"))
        .await
        .unwrap();
    p.catalog
        .set_pricing_rules(
            serde_json::from_value(json!({
                "promotions": [{
                    "id": "promo-save10",
                    "conditions": {"couponRequired": true},
                    "target": {"type": "order"},
                    "action": {"type": "percent_off", "percent": "10"}
                }],
                "coupons": [{"code": "SAVE10", "promotionId": "promo-save10", "usageLimit": 5}]
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    p.inventory.set_on_hand("SKU-A", "main", 5).await.unwrap();
    let engine = Engine::new(p.clone(), EngineConfig::default()).unwrap();
    let alice = Principal::customer("alice");
    let cart_id = engine
        .create_cart(&alice, Currency::from_code("USD").unwrap())
        .await
        .unwrap()
        .id;
    engine
        .add_to_cart(&alice, &cart_id, "SKU-A", 2)
        .await
        .unwrap();
    let req = CheckoutRequest {
        cart_id: cart_id.clone(),
        payment_token: TOKEN_APPROVE.into(),
        coupon_codes: vec!["save10".into()],
        expected_total: None,
        region: None,
        channel: None,
        shipping_method: None,
    };
    let order = engine
        .checkout(&alice, Some("key-1"), req.clone())
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.totals.total, usd("18.00"));
    let again = engine.checkout(&alice, Some("key-1"), req).await.unwrap();
    assert_eq!(again.id, order.id, "idempotent retry");
    let stock = p.inventory.stock("SKU-A").await.unwrap();
    assert_eq!((stock[0].on_hand, stock[0].reserved), (3, 0));
    assert_eq!(
        p.coupons
            .usage("SAVE10")
            .await
            .unwrap()
            .unwrap()
            .times_used(),
        1
    );
    let placed: Vec<_> = s
        .outbox
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == "order_placed")
        .collect();
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0].aggregate_id, order.id);
    let cart = p.carts.get(&cart_id).await.unwrap().unwrap();
    assert!(cart.cart.is_empty(), "the cart is cleared");
}

fn supplier(id: &str, name: &str) -> Supplier {
    serde_json::from_value(json!({
        "id": id,
        "name": name,
        "leadTimeDays": 7,
        "minimumOrderQuantity": 10,
        "currency": "USD"
    }))
    .unwrap()
}

fn reorder_rule(sku: &str, location: &str, min: i64, max: i64) -> ReorderRule {
    serde_json::from_value(json!({
        "sku": sku,
        "location": location,
        "policy": {"kind": "min_max", "min": min, "max": max},
        "orderMultiple": 1,
        "supplierId": "sup-a",
        "unitCost": {"amount": "2.50", "currency": "USD"}
    }))
    .unwrap()
}

/// A new (version 0) purchase order `id` in `status` for 10 units of SKU-A.
fn purchase_order(id: &str, status: PurchaseOrderStatus) -> StoredPurchaseOrder {
    serde_json::from_value(json!({
        "purchaseOrder": {
            "id": id,
            "supplierId": "sup-a",
            "location": "wh-1",
            "currency": "USD",
            "status": status,
            "lines": [{
                "sku": "SKU-A",
                "quantity": 10,
                "received": 0,
                "unitCost": {"amount": "2.50", "currency": "USD"}
            }]
        },
        "createdAt": t0(),
        "version": 0
    }))
    .unwrap()
}

/// A new (version 0) shipment `id` of `order_id` carrying one unit of SKU-A (line `l1`).
fn shipment(id: &str, order_id: &str) -> StoredShipment {
    StoredShipment {
        shipment: create_shipment(
            id,
            order_id,
            "ups",
            &format!("1Z-{id}"),
            vec![ShipmentLine {
                sku: "SKU-A".into(),
                quantity: 1,
            }],
            t0(),
        )
        .unwrap(),
        order_lines: vec![LineQuantity {
            line_id: "l1".into(),
            quantity: 1,
        }],
        version: 0,
    }
}

/// Suppliers and reorder rules: validated, replaced by key, listed by key in byte order.
pub async fn supply_suppliers_and_reorder_rules(s: &Subject) {
    let supply = &s.ports.supply;
    assert!(supply.suppliers().await.unwrap().is_empty());
    for id in ["sup-b", "sup-a", "sup-B"] {
        let saved = supply.put_supplier(supplier(id, "first")).await.unwrap();
        assert_eq!(saved, supplier(id, "first"));
    }
    supply
        .put_supplier(supplier("sup-a", "renamed"))
        .await
        .unwrap();
    let all = supply.suppliers().await.unwrap();
    assert_eq!(
        all,
        vec![
            supplier("sup-B", "first"),
            supplier("sup-a", "renamed"),
            supplier("sup-b", "first"),
        ],
        "by id (byte order), replaced in place on {}",
        s.name
    );
    let blank = supply.put_supplier(supplier(" ", "x")).await.unwrap_err();
    assert_eq!(blank.code, ErrorCode::ValidationError);
    let mut negative = supplier("sup-c", "x");
    negative.minimum_order_quantity = -1;
    let negative = supply.put_supplier(negative).await.unwrap_err();
    assert_eq!(negative.code, ErrorCode::ValidationError);
    assert_eq!(
        supply.suppliers().await.unwrap().len(),
        3,
        "nothing invalid stored"
    );

    assert!(supply.reorder_rules().await.unwrap().is_empty());
    for (sku, location) in [("SKU-B", "wh-1"), ("SKU-A", "wh-2"), ("SKU-A", "wh-1")] {
        let rule = reorder_rule(sku, location, 1, 10);
        assert_eq!(supply.put_reorder_rule(rule.clone()).await.unwrap(), rule);
    }
    supply
        .put_reorder_rule(reorder_rule("SKU-A", "wh-1", 5, 50))
        .await
        .unwrap();
    assert_eq!(
        supply.reorder_rules().await.unwrap(),
        vec![
            reorder_rule("SKU-A", "wh-1", 5, 50),
            reorder_rule("SKU-A", "wh-2", 1, 10),
            reorder_rule("SKU-B", "wh-1", 1, 10),
        ],
        "by (SKU, location), replaced in place on {}",
        s.name
    );
    let no_sku = supply
        .put_reorder_rule(reorder_rule("", "wh-1", 1, 10))
        .await
        .unwrap_err();
    assert_eq!(no_sku.code, ErrorCode::ValidationError);
    let no_location = supply
        .put_reorder_rule(reorder_rule("SKU-C", " ", 1, 10))
        .await
        .unwrap_err();
    assert_eq!(no_location.code, ErrorCode::ValidationError);
    assert_eq!(supply.reorder_rules().await.unwrap().len(), 3);
}

/// Purchase orders: version 0 in, 1 out; a taken id is `CONFLICT`; compare-and-set bumps the
/// version and keeps the receipts; a stale version is `CONFLICT` with `storedVersion`; an
/// unknown id is `NOT_FOUND`.
pub async fn supply_purchase_orders_compare_and_set(s: &Subject) {
    let supply = &s.ports.supply;
    assert!(supply.purchase_order("po-1").await.unwrap().is_none());
    let v1 = supply
        .insert_purchase_order(purchase_order("po-1", PurchaseOrderStatus::Draft))
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(
        supply.purchase_order("po-1").await.unwrap(),
        Some(v1.clone())
    );
    let taken = supply
        .insert_purchase_order(purchase_order("po-1", PurchaseOrderStatus::Sent))
        .await
        .unwrap_err();
    assert_eq!(taken.code, ErrorCode::Conflict, "a taken id on {}", s.name);
    let mut versioned = purchase_order("po-2", PurchaseOrderStatus::Draft);
    versioned.version = 3;
    let versioned = supply.insert_purchase_order(versioned).await.unwrap_err();
    assert_eq!(versioned.code, ErrorCode::ValidationError);
    assert!(supply.purchase_order("po-2").await.unwrap().is_none());

    let mut sent = v1.clone();
    sent.purchase_order.status = PurchaseOrderStatus::Sent;
    let v2 = supply.compare_and_set_purchase_order(sent).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.purchase_order.status, PurchaseOrderStatus::Sent);
    assert_eq!(
        supply.purchase_order("po-1").await.unwrap(),
        Some(v2.clone())
    );

    let mut stale = v1.clone();
    stale.purchase_order.status = PurchaseOrderStatus::Cancelled;
    let stale = supply
        .compare_and_set_purchase_order(stale)
        .await
        .unwrap_err();
    assert_eq!(
        stale.code,
        ErrorCode::Conflict,
        "stale version on {}",
        s.name
    );
    assert_eq!(stale.meta.get("storedVersion"), Some(&json!(2)));
    assert_eq!(
        supply.purchase_order("po-1").await.unwrap(),
        Some(v2.clone())
    );

    let mut received = v2.clone();
    received.purchase_order.status = PurchaseOrderStatus::PartiallyReceived;
    received.purchase_order.lines[0].received = 4;
    received.receipts.push(
        serde_json::from_value(json!({
            "id": "rcpt-1",
            "purchaseOrderId": "po-1",
            "location": "wh-1",
            "lines": [{"sku": "SKU-A", "quantity": 4}],
            "value": {"amount": "10.00", "currency": "USD"},
            "actor": "clerk",
            "at": t0() + Duration::hours(1)
        }))
        .unwrap(),
    );
    let v3 = supply
        .compare_and_set_purchase_order(received)
        .await
        .unwrap();
    assert_eq!(v3.version, 3);
    let got = supply.purchase_order("po-1").await.unwrap().unwrap();
    assert_eq!(got, v3, "the receipts round-trip on {}", s.name);
    assert_eq!(got.receipts.len(), 1);

    let mut unknown = purchase_order("po-x", PurchaseOrderStatus::Sent);
    unknown.version = 1;
    let unknown = supply
        .compare_and_set_purchase_order(unknown)
        .await
        .unwrap_err();
    assert_eq!(
        unknown.code,
        ErrorCode::NotFound,
        "unknown id on {}",
        s.name
    );
    assert!(supply.purchase_order("po-x").await.unwrap().is_none());
}

/// Purchase orders are listed by id; `open_only` keeps those with goods still expected
/// (sent, acknowledged, partially received), following status changes.
pub async fn supply_purchase_orders_open_only(s: &Subject) {
    let supply = &s.ports.supply;
    assert!(supply.purchase_orders(false).await.unwrap().is_empty());
    for (id, status) in [
        ("po-5", PurchaseOrderStatus::Received),
        ("po-3", PurchaseOrderStatus::Acknowledged),
        ("po-1", PurchaseOrderStatus::Draft),
        ("po-4", PurchaseOrderStatus::PartiallyReceived),
        ("po-2", PurchaseOrderStatus::Sent),
        ("po-6", PurchaseOrderStatus::Cancelled),
    ] {
        supply
            .insert_purchase_order(purchase_order(id, status))
            .await
            .unwrap();
    }
    let ids = |list: Vec<StoredPurchaseOrder>| -> Vec<String> {
        list.into_iter().map(|p| p.purchase_order.id).collect()
    };
    assert_eq!(
        ids(supply.purchase_orders(false).await.unwrap()),
        ["po-1", "po-2", "po-3", "po-4", "po-5", "po-6"]
    );
    assert_eq!(
        ids(supply.purchase_orders(true).await.unwrap()),
        ["po-2", "po-3", "po-4"],
        "open ones on {}",
        s.name
    );
    // po-1 is sent (now open), po-4 fully received (now closed).
    let mut po1 = supply.purchase_order("po-1").await.unwrap().unwrap();
    po1.purchase_order.status = PurchaseOrderStatus::Sent;
    supply.compare_and_set_purchase_order(po1).await.unwrap();
    let mut po4 = supply.purchase_order("po-4").await.unwrap().unwrap();
    po4.purchase_order.status = PurchaseOrderStatus::Received;
    supply.compare_and_set_purchase_order(po4).await.unwrap();
    assert_eq!(
        ids(supply.purchase_orders(true).await.unwrap()),
        ["po-1", "po-2", "po-3"],
        "open ones after status changes on {}",
        s.name
    );
    let open = supply.purchase_orders(true).await.unwrap();
    assert!(open.iter().all(|p| p.purchase_order.status.is_open()));
    assert_eq!(open[0].version, 2);
    assert_eq!(open[1].version, 1);
}

/// Shipments: version 0 in, 1 out; a taken id is `CONFLICT`; compare-and-set with stale
/// versions and unknown ids refused; an order's shipments listed by id.
pub async fn supply_shipments_compare_and_set_and_by_order(s: &Subject) {
    let supply = &s.ports.supply;
    assert!(supply.shipment("sh-1").await.unwrap().is_none());
    assert!(supply.shipments_of_order("o-1").await.unwrap().is_empty());
    let v1 = supply
        .insert_shipment(shipment("sh-2", "o-1"))
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(supply.shipment("sh-2").await.unwrap(), Some(v1.clone()));
    supply
        .insert_shipment(shipment("sh-3", "o-2"))
        .await
        .unwrap();
    supply
        .insert_shipment(shipment("sh-1", "o-1"))
        .await
        .unwrap();
    let taken = supply
        .insert_shipment(shipment("sh-1", "o-2"))
        .await
        .unwrap_err();
    assert_eq!(taken.code, ErrorCode::Conflict, "a taken id on {}", s.name);
    let mut versioned = shipment("sh-9", "o-1");
    versioned.version = 2;
    let versioned = supply.insert_shipment(versioned).await.unwrap_err();
    assert_eq!(versioned.code, ErrorCode::ValidationError);

    let mut moved = v1.clone();
    moved.shipment.status = ShipmentStatus::InTransit;
    moved.shipment.tracking_number = "1Z-moved".into();
    let v2 = supply.compare_and_set_shipment(moved).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(supply.shipment("sh-2").await.unwrap(), Some(v2.clone()));
    let stale = supply.compare_and_set_shipment(v1).await.unwrap_err();
    assert_eq!(
        stale.code,
        ErrorCode::Conflict,
        "stale version on {}",
        s.name
    );
    assert_eq!(stale.meta.get("storedVersion"), Some(&json!(2)));
    let mut unknown = shipment("sh-x", "o-1");
    unknown.version = 1;
    let unknown = supply.compare_and_set_shipment(unknown).await.unwrap_err();
    assert_eq!(
        unknown.code,
        ErrorCode::NotFound,
        "unknown id on {}",
        s.name
    );

    let of_o1 = supply.shipments_of_order("o-1").await.unwrap();
    let ids: Vec<&str> = of_o1.iter().map(|x| x.shipment.id.as_str()).collect();
    assert_eq!(ids, ["sh-1", "sh-2"], "by id on {}", s.name);
    assert_eq!(of_o1[1], v2);
    let of_o2 = supply.shipments_of_order("o-2").await.unwrap();
    assert_eq!(of_o2.len(), 1);
    assert_eq!(of_o2[0].shipment.id, "sh-3");
    assert!(supply.shipments_of_order("o-3").await.unwrap().is_empty());
}

/// Many writers with the same version of one purchase order and one shipment: exactly one
/// wins each, the others get `CONFLICT`, and the stored version moved by one.
pub async fn supply_concurrent_compare_and_set_has_one_winner(s: &Subject) {
    let supply = &s.ports.supply;
    let po = supply
        .insert_purchase_order(purchase_order("po-1", PurchaseOrderStatus::Sent))
        .await
        .unwrap();
    let sh = supply
        .insert_shipment(shipment("sh-1", "o-1"))
        .await
        .unwrap();
    let po_writes = (0..8).map(|i| {
        let mut p = po.clone();
        p.purchase_order.lines[0].received = i;
        let supply = supply.clone();
        async move { supply.compare_and_set_purchase_order(p).await }
    });
    let sh_writes = (0..8).map(|i| {
        let mut x = sh.clone();
        x.shipment.tracking_number = format!("1Z-{i}");
        let supply = supply.clone();
        async move { supply.compare_and_set_shipment(x).await }
    });
    let (po_results, sh_results) = futures::join!(join_all(po_writes), join_all(sh_writes));
    let po_won: Vec<_> = po_results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(
        po_won.len(),
        1,
        "one purchase order write wins on {}",
        s.name
    );
    assert!(po_results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| e.code == ErrorCode::Conflict));
    assert_eq!(
        supply.purchase_order("po-1").await.unwrap().as_ref(),
        Some(po_won[0])
    );
    let sh_won: Vec<_> = sh_results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(sh_won.len(), 1, "one shipment write wins on {}", s.name);
    assert!(sh_results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| e.code == ErrorCode::Conflict));
    let stored = supply.shipment("sh-1").await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(&stored, sh_won[0]);
}

/// A new (version 0) monthly subscription of `customer` created at `created`, in `status`
/// with its next action at `next` (trial end, period end or dunning retry; ignored when
/// paused or ended).
fn subscription(
    id: &str,
    customer: &str,
    created: DateTime<Utc>,
    status: SubscriptionStatus,
    next: DateTime<Utc>,
) -> Subscription {
    let mut sub: Subscription = serde_json::from_value(json!({
        "id": id,
        "customerId": customer,
        "plan": {
            "id": "basic",
            "name": "Basic",
            "price": {"amount": "10.00", "currency": "USD"},
            "interval": "month"
        },
        "quantity": 1,
        "status": "active",
        "schedule": {"anchor": created, "interval": "month"},
        "currentPeriod": {"index": 0, "start": created, "end": next},
        "creditBalance": {"amount": "0.00", "currency": "USD"},
        "createdAt": created
    }))
    .unwrap();
    sub.status = status;
    match status {
        SubscriptionStatus::Trialing => sub.trial_end = Some(next),
        SubscriptionStatus::PastDue => {
            sub.dunning = Some(
                serde_json::from_value(json!({
                    "invoiceId": format!("{id}-inv-1"),
                    "failedAt": created,
                    "attemptsMade": 1,
                    "nextAttemptAt": next
                }))
                .unwrap(),
            );
        }
        _ => {}
    }
    sub
}

/// Subscriptions: version 0 in, 1 out; a taken id is `CONFLICT`; compare-and-set bumps the
/// version; a stale version is `CONFLICT` with `expectedVersion` / `storedVersion`; an
/// unknown id is `NOT_FOUND`.
pub async fn subscriptions_insert_get_and_compare_and_set(s: &Subject) {
    let subs = &s.billing.subscriptions;
    let start = t0();
    assert!(subs.get("sub-1").await.unwrap().is_none());
    let new = subscription(
        "sub-1",
        "c1",
        start,
        SubscriptionStatus::Trialing,
        start + Duration::days(14),
    );
    let v1 = subs.insert(new.clone()).await.unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(subs.get("sub-1").await.unwrap(), Some(v1.clone()));
    let taken = subs.insert(new.clone()).await.unwrap_err();
    assert_eq!(taken.code, ErrorCode::Conflict, "a taken id on {}", s.name);
    let mut versioned = subscription(
        "sub-2",
        "c1",
        start,
        SubscriptionStatus::Active,
        start + Duration::days(30),
    );
    versioned.version = 4;
    let versioned = subs.insert(versioned).await.unwrap_err();
    assert_eq!(versioned.code, ErrorCode::ValidationError);
    assert!(subs.get("sub-2").await.unwrap().is_none());

    let mut active = v1.clone();
    active.status = SubscriptionStatus::Active;
    active.trial_end = None;
    active.periods_billed = 1;
    active.applied_event_ids.push("evt-1".into());
    let v2 = subs.compare_and_set(active).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(subs.get("sub-1").await.unwrap(), Some(v2.clone()));

    let stale = subs.compare_and_set(v1.clone()).await.unwrap_err();
    assert_eq!(
        stale.code,
        ErrorCode::Conflict,
        "stale version on {}",
        s.name
    );
    assert_eq!(stale.meta.get("storedVersion"), Some(&json!(2)));
    assert_eq!(stale.meta.get("expectedVersion"), Some(&json!(1)));
    assert_eq!(subs.get("sub-1").await.unwrap(), Some(v2));

    let mut unknown = subscription(
        "sub-x",
        "c1",
        start,
        SubscriptionStatus::Active,
        start + Duration::days(30),
    );
    unknown.version = 1;
    let unknown = subs.compare_and_set(unknown).await.unwrap_err();
    assert_eq!(
        unknown.code,
        ErrorCode::NotFound,
        "unknown id on {}",
        s.name
    );
    assert!(subs.get("sub-x").await.unwrap().is_none());
}

/// `due(at, limit)`: ids whose next action (trial end, period end, dunning retry) is at or
/// before `at`, oldest first (ties by id), at most `limit`; paused and cancelled ones never;
/// a compare-and-set moves a subscription in or out of the list.
pub async fn subscriptions_due_ordering_and_limit(s: &Subject) {
    let subs = &s.billing.subscriptions;
    let start = t0();
    let at = |h: i64| start + Duration::hours(h);
    for (id, status, next) in [
        ("sub-e", SubscriptionStatus::Active, at(30)),
        ("sub-d", SubscriptionStatus::PastDue, at(5)),
        ("sub-c", SubscriptionStatus::Trialing, at(10)),
        ("sub-b", SubscriptionStatus::Active, at(10)),
        ("sub-a", SubscriptionStatus::Active, at(20)),
        ("sub-p", SubscriptionStatus::Paused, at(1)),
        ("sub-x", SubscriptionStatus::Cancelled, at(1)),
    ] {
        subs.insert(subscription(id, "c1", start, status, next))
            .await
            .unwrap();
    }
    assert!(subs.due(at(4), 10).await.unwrap().is_empty());
    assert_eq!(
        subs.due(at(5), 10).await.unwrap(),
        ["sub-d"],
        "at is inclusive"
    );
    assert_eq!(
        subs.due(at(20), 10).await.unwrap(),
        ["sub-d", "sub-b", "sub-c", "sub-a"],
        "by time, then id, on {}",
        s.name
    );
    assert_eq!(
        subs.due(at(100), 3).await.unwrap(),
        ["sub-d", "sub-b", "sub-c"],
        "limit on {}",
        s.name
    );
    assert!(subs.due(at(100), 0).await.unwrap().is_empty());
    assert_eq!(subs.due(at(100), 10).await.unwrap().len(), 5);

    // sub-d pays (next action moves to its period end, later); sub-e is paused.
    let mut d = subs.get("sub-d").await.unwrap().unwrap();
    d.status = SubscriptionStatus::Active;
    d.dunning = None;
    d.current_period.end = at(40);
    subs.compare_and_set(d).await.unwrap();
    let mut e = subs.get("sub-e").await.unwrap().unwrap();
    e.status = SubscriptionStatus::Paused;
    subs.compare_and_set(e).await.unwrap();
    assert_eq!(
        subs.due(at(100), 10).await.unwrap(),
        ["sub-b", "sub-c", "sub-a", "sub-d"],
        "after compare-and-set on {}",
        s.name
    );
}

/// `for_customer`: only that customer's subscriptions, oldest first (ties by id).
pub async fn subscriptions_for_customer(s: &Subject) {
    let subs = &s.billing.subscriptions;
    let start = t0();
    for (id, customer, created_h) in [
        ("sub-3", "c1", 2),
        ("sub-1", "c1", 5),
        ("sub-2", "c2", 1),
        ("sub-5", "c1", 2),
        ("sub-4", "c1", 0),
    ] {
        let created = start + Duration::hours(created_h);
        subs.insert(subscription(
            id,
            customer,
            created,
            SubscriptionStatus::Active,
            created + Duration::days(30),
        ))
        .await
        .unwrap();
    }
    let c1 = subs.for_customer("c1").await.unwrap();
    let ids: Vec<&str> = c1.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["sub-4", "sub-3", "sub-5", "sub-1"], "on {}", s.name);
    assert!(c1.iter().all(|x| x.version == 1 && x.customer_id == "c1"));
    let c2 = subs.for_customer("c2").await.unwrap();
    assert_eq!(c2.len(), 1);
    assert_eq!(c2[0].id, "sub-2");
    assert!(subs.for_customer("c3").await.unwrap().is_empty());
}

/// Many writers with the same version of one subscription: exactly one wins, the others get
/// `CONFLICT` with `storedVersion`.
pub async fn subscriptions_concurrent_compare_and_set_has_one_winner(s: &Subject) {
    let subs = &s.billing.subscriptions;
    let v1 = subs
        .insert(subscription(
            "sub-1",
            "c1",
            t0(),
            SubscriptionStatus::Active,
            t0() + Duration::days(30),
        ))
        .await
        .unwrap();
    let writes = (0..8u64).map(|i| {
        let mut x = v1.clone();
        x.usage_quantity = i + 1;
        let subs = subs.clone();
        async move { subs.compare_and_set(x).await }
    });
    let results = join_all(writes).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "one write wins on {}", s.name);
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.meta.contains_key("storedVersion"));
    }
    let stored = subs.get("sub-1").await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(&stored, won[0]);
}

/// A family of `user` started at [`t0`] expecting `jti`, valid for an hour.
fn family(id: &str, user: &str, jti: &str) -> RefreshFamily {
    RefreshFamily::start(id, user, jti, t0(), Duration::hours(1))
}

/// A one-time token issued at [`t0`] for an hour: the record to store and the token as the
/// user presents it. `seed` picks its selector and secret.
fn one_time(seed: u64, purpose: TokenPurpose, user: &str) -> (OneTimeTokenRecord, OneTimeToken) {
    let (token, record) = OneTimeToken::issue(
        purpose,
        user,
        &SeededRandom::new(seed),
        t0(),
        Duration::hours(1),
    )
    .unwrap();
    (record, OneTimeToken::parse(&token).unwrap())
}

/// Refresh families: create and read back, a taken id is `CONFLICT`; rotation on the current
/// id moves the family on; an old id revokes it (reuse) and a revoked family refuses every
/// id; another user's family is unknown (and left alone); an expired one is `Expired`.
pub async fn identity_families_create_rotate_and_reuse(s: &Subject) {
    let t = &s.tokens;
    let ttl = Duration::hours(1);
    let f1 = family("f1", "u1", "j1");
    t.create_family(f1.clone()).await.unwrap();
    assert_eq!(t.get_family("f1").await.unwrap(), Some(f1.clone()));
    assert!(t.get_family("f404").await.unwrap().is_none());
    let err = t
        .create_family(family("f1", "u2", "other"))
        .await
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "duplicate family on {}",
        s.name
    );
    assert_eq!(t.get_family("f1").await.unwrap(), Some(f1.clone()));

    let later = t0() + Duration::minutes(1);
    assert_eq!(
        t.rotate_refresh("f1", "u2", "j1", "x", later, ttl)
            .await
            .unwrap(),
        RotationOutcome::UnknownFamily
    );
    assert_eq!(
        t.rotate_refresh("f1", "u2", "stolen", "x", later, ttl)
            .await
            .unwrap(),
        RotationOutcome::UnknownFamily,
        "another user's family is not revoked on {}",
        s.name
    );
    assert_eq!(t.get_family("f1").await.unwrap(), Some(f1.clone()));
    assert_eq!(
        t.rotate_refresh("f404", "u1", "j1", "x", later, ttl)
            .await
            .unwrap(),
        RotationOutcome::UnknownFamily
    );

    assert_eq!(
        t.rotate_refresh("f1", "u1", "j1", "j2", later, ttl)
            .await
            .unwrap(),
        RotationOutcome::Rotated
    );
    let rotated = t.get_family("f1").await.unwrap().unwrap();
    assert_eq!(rotated.current_jti, "j2");
    assert_eq!(rotated.rotations, 1);
    assert_eq!(rotated.expires_at, later + ttl);
    assert_eq!(rotated.updated_at, later);
    assert_eq!(rotated.status, FamilyStatus::Active);

    let reuse_at = later + Duration::minutes(1);
    assert_eq!(
        t.rotate_refresh("f1", "u1", "j1", "j3", reuse_at, ttl)
            .await
            .unwrap(),
        RotationOutcome::ReuseDetected
    );
    let revoked = t.get_family("f1").await.unwrap().unwrap();
    assert_eq!(revoked.status, FamilyStatus::Revoked(RevokeReason::Reuse));
    assert_eq!(revoked.current_jti, "j2");
    assert_eq!(revoked.updated_at, reuse_at);
    assert_eq!(
        t.rotate_refresh("f1", "u1", "j2", "j3", reuse_at, ttl)
            .await
            .unwrap(),
        RotationOutcome::Revoked,
        "a revoked family refuses even its current id"
    );
    assert_eq!(t.get_family("f1").await.unwrap(), Some(revoked));

    let f2 = family("f2", "u1", "k1");
    t.create_family(f2.clone()).await.unwrap();
    assert_eq!(
        t.rotate_refresh("f2", "u1", "k1", "k2", t0() + ttl, ttl)
            .await
            .unwrap(),
        RotationOutcome::Expired
    );
    assert_eq!(
        t.get_family("f2").await.unwrap(),
        Some(f2),
        "expiry changes nothing"
    );
}

/// Revocation: `revoke_family` answers whether the family was active (the first reason
/// stays); `revoke_user` revokes only that user's active families and counts them.
pub async fn identity_families_revoke(s: &Subject) {
    let t = &s.tokens;
    let at = t0() + Duration::minutes(5);
    t.create_family(family("f1", "u1", "j1")).await.unwrap();
    assert!(t
        .revoke_family("f1", RevokeReason::Logout, at)
        .await
        .unwrap());
    assert!(!t
        .revoke_family("f1", RevokeReason::Admin, at + Duration::minutes(1))
        .await
        .unwrap());
    let f1 = t.get_family("f1").await.unwrap().unwrap();
    assert_eq!(f1.status, FamilyStatus::Revoked(RevokeReason::Logout));
    assert_eq!(f1.updated_at, at);
    assert!(!t
        .revoke_family("f404", RevokeReason::Logout, at)
        .await
        .unwrap());

    for (id, user) in [("fa", "u2"), ("fb", "u2"), ("fc", "u2"), ("fd", "u3")] {
        t.create_family(family(id, user, "j1")).await.unwrap();
    }
    assert!(t
        .revoke_family("fc", RevokeReason::Logout, at)
        .await
        .unwrap());
    assert_eq!(
        t.revoke_user("u2", RevokeReason::PasswordReset, at)
            .await
            .unwrap(),
        2,
        "the two active families of u2 on {}",
        s.name
    );
    assert_eq!(
        t.revoke_user("u2", RevokeReason::Admin, at).await.unwrap(),
        0
    );
    assert_eq!(
        t.revoke_user("u404", RevokeReason::Admin, at)
            .await
            .unwrap(),
        0
    );
    for (id, status) in [
        ("fa", FamilyStatus::Revoked(RevokeReason::PasswordReset)),
        ("fb", FamilyStatus::Revoked(RevokeReason::PasswordReset)),
        ("fc", FamilyStatus::Revoked(RevokeReason::Logout)),
        ("fd", FamilyStatus::Active),
    ] {
        assert_eq!(
            t.get_family(id).await.unwrap().unwrap().status,
            status,
            "family {id} on {}",
            s.name
        );
    }
    assert_eq!(
        t.rotate_refresh("fa", "u2", "j1", "j2", at, Duration::hours(1))
            .await
            .unwrap(),
        RotationOutcome::Revoked
    );
    assert_eq!(
        t.rotate_refresh("fd", "u3", "j1", "j2", at, Duration::hours(1))
            .await
            .unwrap(),
        RotationOutcome::Rotated
    );
}

/// Purging: families and one-time tokens that expire strictly before the cut-off go (revoked,
/// redeemed or not), the rest stay usable; a family's expiry moves with its rotations; a
/// purged family is unknown and a purged one-time token invalid; purging again deletes
/// nothing.
pub async fn identity_purge_expired(s: &Subject) {
    let t = &s.tokens;
    let h = Duration::hours;
    // f1 expires at t0+1h, then rotates at t0+30m for 2 h: t0+2h30m
    t.create_family(family("f1", "u1", "j1")).await.unwrap();
    let rotated = t
        .rotate_refresh("f1", "u1", "j1", "j2", t0() + Duration::minutes(30), h(2))
        .await
        .unwrap();
    assert_eq!(rotated, RotationOutcome::Rotated, "on {}", s.name);
    // g expires at t0+1h and is revoked
    t.create_family(family("g", "u1", "k1")).await.unwrap();
    assert!(t
        .revoke_family("g", RevokeReason::Logout, t0())
        .await
        .unwrap());
    // f2 starts at t0+3h for an hour
    t.create_family(RefreshFamily::start("f2", "u2", "m1", t0() + h(3), h(1)))
        .await
        .unwrap();
    // o1: t0 for an hour, redeemed; o2: t0+3h for an hour
    let verify = TokenPurpose::EmailVerification;
    let (o1, o1_presented) = one_time(1, verify, "u1");
    t.save_one_time(o1).await.unwrap();
    assert!(matches!(
        t.redeem_one_time(&o1_presented, verify, t0() + Duration::minutes(5))
            .await
            .unwrap(),
        RedeemOutcome::Redeemed { .. }
    ));
    let (o2_token, o2) =
        OneTimeToken::issue(verify, "u2", &SeededRandom::new(2), t0() + h(3), h(1)).unwrap();
    let o2_presented = OneTimeToken::parse(&o2_token).unwrap();
    t.save_one_time(o2).await.unwrap();

    let none = PurgedTokens::default();
    // g and o1 expire exactly at t0+1h: not before it
    assert_eq!(
        t.purge_expired(t0() + h(1)).await.unwrap(),
        none,
        "on {}",
        s.name
    );
    assert_eq!(
        t.purge_expired(t0() + h(2)).await.unwrap(),
        PurgedTokens {
            families: 1,
            one_time: 1
        },
        "g and o1 on {}",
        s.name
    );
    assert!(t.get_family("g").await.unwrap().is_none());
    assert!(
        t.get_family("f1").await.unwrap().is_some(),
        "rotation moved f1's expiry"
    );
    assert_eq!(
        t.purge_expired(t0() + h(3)).await.unwrap(),
        PurgedTokens {
            families: 1,
            one_time: 0
        },
        "f1 on {}",
        s.name
    );
    assert_eq!(
        t.purge_expired(t0() + h(3)).await.unwrap(),
        none,
        "again on {}",
        s.name
    );
    assert!(t.get_family("f1").await.unwrap().is_none());
    assert_eq!(
        t.rotate_refresh("f1", "u1", "j2", "j3", t0() + h(3), h(1))
            .await
            .unwrap(),
        RotationOutcome::UnknownFamily
    );
    assert_eq!(
        t.check_one_time(&o1_presented, verify, t0() + h(3))
            .await
            .unwrap(),
        RedeemOutcome::Invalid
    );
    // what was not due stays usable
    assert_eq!(
        t.rotate_refresh(
            "f2",
            "u2",
            "m1",
            "m2",
            t0() + h(3) + Duration::minutes(1),
            h(1)
        )
        .await
        .unwrap(),
        RotationOutcome::Rotated,
        "on {}",
        s.name
    );
    assert_eq!(
        t.redeem_one_time(&o2_presented, verify, t0() + h(3) + Duration::minutes(1))
            .await
            .unwrap(),
        RedeemOutcome::Redeemed {
            user_id: "u2".into()
        }
    );
}

/// One-time tokens: a taken selector is `CONFLICT`; `check` answers without using the token
/// up; the wrong purpose, a wrong secret or an unknown selector are `Invalid` (and use
/// nothing up); redemption works once, then `AlreadyUsed`; past the expiry `Expired`.
pub async fn identity_one_time_tokens(s: &Subject) {
    let t = &s.tokens;
    let verify = TokenPurpose::EmailVerification;
    let reset = TokenPurpose::PasswordReset;
    let (record, presented) = one_time(1, verify, "u1");
    let redeemed = RedeemOutcome::Redeemed {
        user_id: "u1".into(),
    };
    t.save_one_time(record.clone()).await.unwrap();
    let (other, _) = one_time(2, reset, "u2");
    let err = t
        .save_one_time(OneTimeTokenRecord {
            selector: record.selector.clone(),
            ..other
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "duplicate selector on {}",
        s.name
    );

    let at = t0() + Duration::minutes(10);
    assert_eq!(
        t.check_one_time(&presented, verify, at).await.unwrap(),
        redeemed
    );
    assert_eq!(
        t.check_one_time(&presented, verify, at).await.unwrap(),
        redeemed,
        "check uses nothing up"
    );
    assert_eq!(
        t.check_one_time(&presented, reset, at).await.unwrap(),
        RedeemOutcome::Invalid
    );
    assert_eq!(
        t.check_one_time(&presented, verify, record.expires_at)
            .await
            .unwrap(),
        RedeemOutcome::Expired
    );
    let (_, wrong_secret) = one_time(3, verify, "u1");
    let wrong_secret = OneTimeToken {
        selector: presented.selector.clone(),
        ..wrong_secret
    };
    let (_, unknown) = one_time(4, verify, "u1");
    for (token, what) in [
        (&wrong_secret, "wrong secret"),
        (&unknown, "unknown selector"),
    ] {
        assert_eq!(
            t.check_one_time(token, verify, at).await.unwrap(),
            RedeemOutcome::Invalid,
            "check, {what} on {}",
            s.name
        );
        assert_eq!(
            t.redeem_one_time(token, verify, at).await.unwrap(),
            RedeemOutcome::Invalid,
            "redeem, {what} on {}",
            s.name
        );
    }
    assert_eq!(
        t.redeem_one_time(&presented, reset, at).await.unwrap(),
        RedeemOutcome::Invalid
    );
    assert_eq!(
        t.redeem_one_time(&presented, verify, record.expires_at)
            .await
            .unwrap(),
        RedeemOutcome::Expired
    );
    assert_eq!(
        t.redeem_one_time(&presented, verify, at).await.unwrap(),
        redeemed,
        "failed attempts used nothing up on {}",
        s.name
    );
    assert_eq!(
        t.redeem_one_time(&presented, verify, at).await.unwrap(),
        RedeemOutcome::AlreadyUsed
    );
    assert_eq!(
        t.check_one_time(&presented, verify, at).await.unwrap(),
        RedeemOutcome::AlreadyUsed
    );
}

/// Eight concurrent presentations of the same refresh token: one rotation, one reuse
/// detection (which revokes the family), the rest find it revoked, as if they had come one
/// after the other. Eight concurrent redemptions of one one-time token: one succeeds.
pub async fn identity_concurrent_rotation_and_redemption(s: &Subject) {
    let t = &s.tokens;
    let ttl = Duration::hours(1);
    let at = t0() + Duration::minutes(1);
    t.create_family(family("f1", "u1", "j1")).await.unwrap();
    let next: Vec<String> = (0..8).map(|i| format!("j-next-{i}")).collect();
    let rotations = next
        .iter()
        .map(|n| t.rotate_refresh("f1", "u1", "j1", n, at, ttl));
    let outcomes: Vec<RotationOutcome> = join_all(rotations)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let count = |o: RotationOutcome| outcomes.iter().filter(|x| **x == o).count();
    assert_eq!(
        count(RotationOutcome::Rotated),
        1,
        "one rotation on {}: {outcomes:?}",
        s.name
    );
    assert_eq!(
        count(RotationOutcome::ReuseDetected),
        1,
        "one reuse detection on {}: {outcomes:?}",
        s.name
    );
    assert_eq!(count(RotationOutcome::Revoked), 6, "{outcomes:?}");
    let f1 = t.get_family("f1").await.unwrap().unwrap();
    assert_eq!(f1.status, FamilyStatus::Revoked(RevokeReason::Reuse));
    assert_eq!(f1.rotations, 1);
    assert!(next.contains(&f1.current_jti));

    let (record, presented) = one_time(1, TokenPurpose::PasswordReset, "u1");
    t.save_one_time(record).await.unwrap();
    let redemptions =
        (0..8).map(|_| t.redeem_one_time(&presented, TokenPurpose::PasswordReset, at));
    let outcomes: Vec<RedeemOutcome> = join_all(redemptions)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let won = outcomes
        .iter()
        .filter(|o| matches!(o, RedeemOutcome::Redeemed { .. }))
        .count();
    assert_eq!(won, 1, "redeemed once on {}: {outcomes:?}", s.name);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == RedeemOutcome::AlreadyUsed)
            .count(),
        7
    );
}

// ---- the checkout unit of work (CheckoutStore) ----

/// A cart `id` of `owner` holding `lines` (sku, quantity), not stored yet.
fn cart_with(id: &str, owner: &str, lines: &[(&str, u32)]) -> StoredCart {
    let lines: Vec<_> = lines
        .iter()
        .map(|(sku, q)| json!({"lineId": sku, "sku": sku, "quantity": q}))
        .collect();
    StoredCart {
        id: id.into(),
        owner_id: owner.into(),
        cart: serde_json::from_value(json!({"currency": "USD", "lines": lines})).unwrap(),
        version: 0,
        updated_at: t0(),
    }
}

/// A `place` request for order `id` of `customer`: reserve `items` for 15 minutes, redeem
/// `coupons`, checkpoint key `key` when given.
fn place_req(
    id: &str,
    customer: &str,
    items: &[(&str, u64)],
    coupons: &[(&str, CouponLimits)],
    key: Option<&str>,
) -> PlaceOrder {
    let mut new = order(id, "", customer, t0());
    new.reservation_id = Some(format!("res-{id}"));
    new.coupon_codes = coupons.iter().map(|(c, _)| (*c).to_owned()).collect();
    PlaceOrder {
        reservation: ReserveRequest {
            reservation_id: format!("res-{id}"),
            reference: id.into(),
            items: items
                .iter()
                .map(|(sku, q)| Demand {
                    sku: (*sku).into(),
                    quantity: *q,
                })
                .collect(),
            expires_at: t0() + Duration::minutes(15),
        },
        now: t0(),
        coupons: coupons.iter().map(|(c, l)| ((*c).to_owned(), *l)).collect(),
        order: new,
        number_prefix: "KS".into(),
        idempotency: key.map(|k| IdempotencyResponse {
            scope: customer.into(),
            key: k.into(),
            response: json!({"orderId": id, "inFlightSince": t0()}),
        }),
        claim: None,
    }
}

/// `place` claiming the key ([`PlaceOrder::claim`]): the key is created holding the
/// checkpoint; an existing key is `CONFLICT` `meta.idempotency = "taken"` with nothing stored;
/// a failed place leaves no key; of concurrent places claiming one key exactly one wins. A
/// store that claims keys in place reports the key's existence from `load_keyed`.
pub async fn checkout_place_claims_the_key(s: &Subject) {
    let p = &s.ports;
    let uow = p.checkout.as_ref();
    p.inventory.set_on_hand("SKU-A", "w1", 5).await.unwrap();
    p.carts
        .save(cart_with("cart-1", "c1", &[("SKU-A", 1)]))
        .await
        .unwrap();
    let in_place = uow.claims_keys_in_place();
    if in_place {
        let (inputs, exists) = uow
            .load_keyed(p.checkout_ports(), "cart-1", "c1", "k1")
            .await
            .unwrap();
        assert!(!exists, "no record of k1 yet");
        assert_eq!(inputs.cart.map(|c| c.id), Some("cart-1".to_owned()));
    }
    let claiming = |id: &str, key: &str, items: &[(&str, u64)]| {
        let mut r = place_req(id, "c1", items, &[], Some(key));
        r.claim = Some(format!("hash-{key}"));
        r
    };
    let placed = uow
        .place(p.checkout_ports(), claiming("o-1", "k1", &[("SKU-A", 1)]))
        .await
        .unwrap();
    assert_eq!(placed.order.version, 1);
    assert_eq!(
        p.idempotency
            .begin("c1", "k1", "hash-k1", t0())
            .await
            .unwrap(),
        IdempotencyBegin::Completed {
            response: json!({"orderId": "o-1", "inFlightSince": t0()})
        },
        "the key was created holding the checkpoint"
    );
    assert_eq!(
        p.idempotency
            .begin("c1", "k1", "other", t0())
            .await
            .unwrap(),
        IdempotencyBegin::KeyReused,
        "with the request hash"
    );
    if in_place {
        let (_, exists) = uow
            .load_keyed(p.checkout_ports(), "cart-1", "c1", "k1")
            .await
            .unwrap();
        assert!(exists);
        let (_, other_scope) = uow
            .load_keyed(p.checkout_ports(), "cart-1", "c2", "k1")
            .await
            .unwrap();
        assert!(!other_scope, "keys are scoped");
    }
    // The key exists: nothing is stored.
    let taken = uow
        .place(p.checkout_ports(), claiming("o-2", "k1", &[("SKU-A", 1)]))
        .await
        .unwrap_err();
    assert!(kassa::ports::is_key_taken(&taken), "{taken:?}");
    assert!(p.orders.get("o-2").await.unwrap().is_none());
    assert!(p
        .inventory
        .reservation("res-o-2")
        .await
        .unwrap()
        .is_none_or(|r| r.status == ReservationStatus::Released));
    let level = &p.inventory.stock("SKU-A").await.unwrap()[0];
    assert_eq!(level.reserved, 1, "only o-1's unit");
    // A failed place leaves no key behind.
    let short = uow
        .place(p.checkout_ports(), claiming("o-3", "k3", &[("SKU-A", 9)]))
        .await
        .unwrap_err();
    assert_eq!(short.code, ErrorCode::OutOfStock);
    assert_eq!(
        p.idempotency
            .begin("c1", "k3", "hash-k3", t0())
            .await
            .unwrap(),
        IdempotencyBegin::Started,
        "k3 was not kept"
    );
    // Concurrent claims of one key: one winner, the others find it taken.
    let racers = (0..4).map(|i| {
        let uow = p.checkout.clone();
        let ports = p.clone();
        let req = claiming(&format!("o-r{i}"), "k4", &[("SKU-A", 1)]);
        async move { uow.place(ports.checkout_ports(), req).await }
    });
    let results = join_all(racers).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(kassa::ports::is_key_taken(r), "{r:?}");
    }
    let level = &p.inventory.stock("SKU-A").await.unwrap()[0];
    assert_eq!(level.reserved, 2, "o-1 and the one winner");
}

/// Keyed checkouts through the engine: a retry gives the same order, another request with
/// the key is `key_reused`, a failed checkout leaves the key free, and of concurrent
/// duplicates exactly one creates (and charges) an order.
pub async fn engine_keyed_checkouts(s: &Subject) {
    let p = &s.ports;
    p.catalog
        .create_product(product("p-a", "SKU-A", "10.00"))
        .await
        .unwrap();
    p.inventory.set_on_hand("SKU-A", "main", 5).await.unwrap();
    let engine = Engine::new(p.clone(), EngineConfig::default()).unwrap();
    let alice = Principal::customer("alice");
    let usd = Currency::from_code("USD").unwrap();
    let cart_id = engine.create_cart(&alice, usd).await.unwrap().id;
    engine
        .add_to_cart(&alice, &cart_id, "SKU-A", 2)
        .await
        .unwrap();
    p.inventory.set_on_hand("SKU-A", "main", 1).await.unwrap();
    let req = |cart: &str| CheckoutRequest {
        cart_id: cart.into(),
        payment_token: TOKEN_APPROVE.into(),
        coupon_codes: vec![],
        expected_total: None,
        region: None,
        channel: None,
        shipping_method: None,
    };
    // Out of stock: an error before any order; the key stays free for the same request.
    let short = engine
        .checkout(&alice, Some("k1"), req(&cart_id))
        .await
        .unwrap_err();
    assert_eq!(short.code, ErrorCode::OutOfStock);
    p.inventory.set_on_hand("SKU-A", "main", 10).await.unwrap();
    let order = engine
        .checkout(&alice, Some("k1"), req(&cart_id))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    let again = engine
        .checkout(&alice, Some("k1"), req(&cart_id))
        .await
        .unwrap();
    assert_eq!(again.id, order.id, "a retry replays");
    let mut other = req(&cart_id);
    other.coupon_codes = vec!["NOPE".into()];
    let reused = engine
        .checkout(&alice, Some("k1"), other)
        .await
        .unwrap_err();
    assert_eq!(reused.meta.get("idempotency"), Some(&json!("key_reused")));
    // Concurrent duplicates of one new request.
    let cart2 = engine.create_cart(&alice, usd).await.unwrap().id;
    engine
        .add_to_cart(&alice, &cart2, "SKU-A", 1)
        .await
        .unwrap();
    let engine = std::sync::Arc::new(engine);
    let dupes = (0..4).map(|_| {
        let engine = engine.clone();
        let (who, r) = (alice.clone(), req(&cart2));
        async move { engine.checkout(&who, Some("k2"), r).await }
    });
    let results = join_all(dupes).await;
    let mut ids: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|o| o.id.clone()))
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one order: {results:?}");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(
            e.meta.get("idempotency"),
            Some(&json!("in_progress")),
            "{e:?}"
        );
    }
    let stock = p.inventory.stock("SKU-A").await.unwrap();
    assert_eq!(stock[0].on_hand, 10 - 2 - 1, "charged and committed once");
    let placed = s
        .outbox
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == "order_placed")
        .count();
    assert_eq!(placed, 2, "one event per order");
}

/// `place`: an out-of-stock second SKU leaves the first SKU's stock, the coupon's count, the
/// order table and the key as they were; a coupon at its limit does too; a successful place
/// reserves, redeems, numbers and stores the order and checkpoints the key.
pub async fn checkout_place_is_all_or_nothing(s: &Subject) {
    let p = &s.ports;
    let uow = p.checkout.as_ref();
    p.inventory.set_on_hand("SKU-A", "w1", 5).await.unwrap();
    p.inventory.set_on_hand("SKU-B", "w1", 1).await.unwrap();
    let limits = CouponLimits {
        overall: Some(1),
        per_customer: None,
    };
    assert_eq!(
        p.idempotency.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::Started
    );
    let short = uow
        .place(
            p.checkout_ports(),
            place_req(
                "o-1",
                "c1",
                &[("SKU-A", 2), ("SKU-B", 2)],
                &[("SAVE", limits)],
                Some("k1"),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(short.code, ErrorCode::OutOfStock);
    assert_eq!(short.meta.get("sku"), Some(&json!("SKU-B")));
    assert_eq!(short.meta.get("requested"), Some(&json!(2)));
    assert_eq!(short.meta.get("available"), Some(&json!(1)));
    for l in p.inventory.all_stock().await.unwrap() {
        assert_eq!(
            l.reserved, 0,
            "nothing reserved after a failed place: {l:?}"
        );
    }
    assert!(p.inventory.reservation("res-o-1").await.unwrap().is_none());
    assert_eq!(
        p.coupons
            .usage("SAVE")
            .await
            .unwrap()
            .map_or(0, |u| u.times_used()),
        0
    );
    assert!(p.orders.get("o-1").await.unwrap().is_none());
    let all = p
        .orders
        .list(
            &OrderFilter::default(),
            PageRequest {
                page: 1,
                page_size: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(all.pagination.total, 0, "no order stored");
    assert_eq!(
        p.idempotency.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::InProgress,
        "the key is not checkpointed"
    );

    // The coupon at its limit: used once by another order.
    p.coupons.redeem("SAVE", "o-0", "c9", limits).await.unwrap();
    let limited = uow
        .place(
            p.checkout_ports(),
            place_req(
                "o-2",
                "c1",
                &[("SKU-A", 2)],
                &[("FREE", CouponLimits::default()), ("SAVE", limits)],
                Some("k1"),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(limited.code, ErrorCode::Conflict);
    assert_eq!(limited.meta.get("code"), Some(&json!("SAVE")));
    assert_eq!(limited.meta.get("limit"), Some(&json!(1)));
    for l in p.inventory.all_stock().await.unwrap() {
        assert_eq!(
            l.reserved, 0,
            "nothing reserved after a refused coupon: {l:?}"
        );
    }
    // An atomic store never wrote it; the composed one released what it had reserved.
    assert!(p
        .inventory
        .reservation("res-o-2")
        .await
        .unwrap()
        .is_none_or(|r| r.status == ReservationStatus::Released));
    assert_eq!(
        p.coupons.usage("SAVE").await.unwrap().unwrap().times_used(),
        1
    );
    assert_eq!(
        p.coupons
            .usage("FREE")
            .await
            .unwrap()
            .map_or(0, |u| u.times_used()),
        0,
        "the first coupon's redemption is rolled back too"
    );
    assert!(p.orders.get("o-2").await.unwrap().is_none());

    // Success: everything at once.
    let placed = uow
        .place(
            p.checkout_ports(),
            place_req(
                "o-3",
                "c1",
                &[("SKU-B", 1), ("SKU-A", 2)],
                &[("FREE", CouponLimits::default())],
                Some("k1"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(placed.order.version, 1);
    let n: u64 = placed
        .order
        .number
        .strip_prefix("KS-")
        .expect("numbered with the prefix")
        .parse()
        .unwrap();
    assert!(n >= 1);
    assert_eq!(placed.order.number, format!("KS-{n:06}"));
    let stored = p.orders.get("o-3").await.unwrap().unwrap();
    assert_eq!(stored.number, placed.order.number);
    assert_eq!(stored.version, 1);
    assert_eq!(stored.customer_id, "c1");
    assert_eq!(
        p.orders
            .get_by_number(&placed.order.number)
            .await
            .unwrap()
            .unwrap()
            .id,
        "o-3"
    );
    let r = p.inventory.reservation("res-o-3").await.unwrap().unwrap();
    assert_eq!(r.status, ReservationStatus::Active);
    assert_eq!(r.reference, "o-3");
    assert_eq!(placed.reservation.allocations.len(), 2);
    let mut allocated: Vec<(String, u64)> = r
        .allocations
        .iter()
        .map(|a| (a.sku.clone(), a.quantity))
        .collect();
    allocated.sort();
    assert_eq!(
        allocated,
        [("SKU-A".to_owned(), 2), ("SKU-B".to_owned(), 1)]
    );
    let levels = p.inventory.all_stock().await.unwrap();
    assert!(levels
        .iter()
        .all(|l| l.on_hand == l.reserved + if l.sku == "SKU-A" { 3 } else { 0 }));
    let free = p.coupons.usage("FREE").await.unwrap().unwrap();
    assert_eq!(free.redemptions.len(), 1);
    assert_eq!(free.redemptions[0].reference, "o-3");
    assert_eq!(free.redemptions[0].customer_id, "c1");
    assert_eq!(
        p.idempotency.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::Completed {
            response: json!({"orderId": "o-3", "inFlightSince": t0()})
        },
        "the key holds the checkpoint"
    );
    // The next order gets a fresh number.
    let next = uow
        .place(
            p.checkout_ports(),
            place_req("o-4", "c2", &[("SKU-A", 1)], &[], None),
        )
        .await
        .unwrap();
    assert_ne!(next.order.number, placed.order.number);
    // A SKU stocked at two locations: taken in location order, all or nothing.
    p.inventory.set_on_hand("SKU-C", "w1", 1).await.unwrap();
    p.inventory.set_on_hand("SKU-C", "w2", 2).await.unwrap();
    let too_many = uow
        .place(
            p.checkout_ports(),
            place_req("o-5", "c2", &[("SKU-C", 4)], &[], None),
        )
        .await
        .unwrap_err();
    assert_eq!(too_many.code, ErrorCode::OutOfStock);
    assert_eq!(too_many.meta.get("available"), Some(&json!(3)));
    let spread = uow
        .place(
            p.checkout_ports(),
            place_req("o-6", "c2", &[("SKU-C", 3)], &[], None),
        )
        .await
        .unwrap();
    let taken: Vec<(String, u64)> = spread
        .reservation
        .allocations
        .iter()
        .map(|a| (a.location_id.clone(), a.quantity))
        .collect();
    assert_eq!(taken, [("w1".to_owned(), 1), ("w2".to_owned(), 2)]);
    let stored = p.inventory.reservation("res-o-6").await.unwrap().unwrap();
    assert_eq!(stored.allocations, spread.reservation.allocations);
    for l in p.inventory.stock("SKU-C").await.unwrap() {
        assert_eq!(l.reserved, l.on_hand, "{l:?}");
    }
}

/// `settle`: commits the stock, writes the order with its events exactly once, clears the
/// cart only at the version checkout read, completes the key; an expired reservation or a
/// changed order stops it before anything else is written.
pub async fn checkout_settle_is_one_step(s: &Subject) {
    let p = &s.ports;
    let uow = p.checkout.as_ref();
    p.inventory.set_on_hand("SKU-A", "w1", 10).await.unwrap();
    let cart = p
        .carts
        .save(cart_with("cart-1", "c1", &[("SKU-A", 2)]))
        .await
        .unwrap();
    let loaded = uow.load(p.checkout_ports(), "cart-1").await.unwrap();
    assert_eq!(loaded.cart.as_ref(), Some(&cart));
    assert!(uow
        .load(p.checkout_ports(), "cart-none")
        .await
        .unwrap()
        .cart
        .is_none());
    p.idempotency.begin("c1", "k1", "h1", t0()).await.unwrap();
    let placed = uow
        .place(
            p.checkout_ports(),
            place_req("o-1", "c1", &[("SKU-A", 2)], &[], Some("k1")),
        )
        .await
        .unwrap();
    let mut confirmed = placed.order.clone();
    confirmed.status = OrderStatus::Confirmed;
    let mut cleared = cart.clone();
    cleared.cart.clear();
    cleared.updated_at = t0() + Duration::seconds(1);
    let settle = |order: Order, cleared: StoredCart, now: DateTime<Utc>| SettleOrder {
        reservation_id: "res-o-1".into(),
        now,
        order,
        events: vec![event("o-1:placed", "o-1"), event("o-1:other", "o-1")],
        cleared_cart: Some(cleared),
        idempotency: Some(IdempotencyResponse {
            scope: "c1".into(),
            key: "k1".into(),
            response: json!({"orderId": "o-1"}),
        }),
    };
    // A stale order version: nothing of the order, its events or the key is written.
    let mut stale = confirmed.clone();
    stale.version = 7;
    let changed = uow
        .settle(p.checkout_ports(), settle(stale, cleared.clone(), t0()))
        .await
        .unwrap();
    assert!(matches!(changed, Settled::OrderChanged), "{changed:?}");
    assert_eq!(p.orders.get("o-1").await.unwrap().unwrap().version, 1);
    assert!(s
        .outbox
        .events()
        .await
        .unwrap()
        .iter()
        .all(|e| e.aggregate_id != "o-1"));
    assert_eq!(p.carts.get("cart-1").await.unwrap().unwrap(), cart);
    assert!(matches!(
        p.idempotency.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::Completed { response } if response.get("inFlightSince").is_some()
    ));

    let done = uow
        .settle(
            p.checkout_ports(),
            settle(confirmed.clone(), cleared.clone(), t0()),
        )
        .await
        .unwrap();
    let Settled::Done(saved) = done else {
        panic!("settled: {done:?}")
    };
    assert_eq!(saved.version, 2);
    assert_eq!(saved.status, OrderStatus::Confirmed);
    let stored = p.orders.get("o-1").await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.status, OrderStatus::Confirmed);
    assert_eq!(
        p.inventory
            .reservation("res-o-1")
            .await
            .unwrap()
            .unwrap()
            .status,
        ReservationStatus::Committed
    );
    let level = p.inventory.stock("SKU-A").await.unwrap().remove(0);
    assert_eq!((level.on_hand, level.reserved), (8, 0), "committed once");
    let ids: Vec<String> = s
        .outbox
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.aggregate_id == "o-1")
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["o-1:placed", "o-1:other"], "each event once");
    let after = p.carts.get("cart-1").await.unwrap().unwrap();
    assert!(after.cart.is_empty(), "the cart is cleared");
    assert_eq!(after.version, cart.version + 1);
    assert_eq!(after.updated_at, cleared.updated_at);
    assert_eq!(
        p.idempotency.begin("c1", "k1", "h1", t0()).await.unwrap(),
        IdempotencyBegin::Completed {
            response: json!({"orderId": "o-1"})
        }
    );

    // A cart changed after checkout read it is left alone.
    let cart2 = p
        .carts
        .save(cart_with("cart-2", "c2", &[("SKU-A", 1)]))
        .await
        .unwrap();
    let placed2 = uow
        .place(
            p.checkout_ports(),
            place_req("o-2", "c2", &[("SKU-A", 1)], &[], None),
        )
        .await
        .unwrap();
    let mut cleared2 = cart2.clone();
    cleared2.cart.clear();
    let moved = p.carts.save(cart2.clone()).await.unwrap();
    let done2 = uow
        .settle(
            p.checkout_ports(),
            SettleOrder {
                reservation_id: "res-o-2".into(),
                now: t0(),
                order: placed2.order,
                events: vec![],
                cleared_cart: Some(cleared2),
                idempotency: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(done2, Settled::Done(_)), "{done2:?}");
    let kept = p.carts.get("cart-2").await.unwrap().unwrap();
    assert_eq!(kept, moved, "a changed cart is not cleared");
    assert!(!kept.cart.is_empty());

    // An expired reservation: released and marked, and nothing else happens.
    p.idempotency.begin("c3", "k3", "h3", t0()).await.unwrap();
    let placed3 = uow
        .place(
            p.checkout_ports(),
            place_req("o-3", "c3", &[("SKU-A", 3)], &[], Some("k3")),
        )
        .await
        .unwrap();
    let cart3 = p
        .carts
        .save(cart_with("cart-3", "c3", &[("SKU-A", 3)]))
        .await
        .unwrap();
    let mut cleared3 = cart3.clone();
    cleared3.cart.clear();
    let late = t0() + Duration::minutes(16);
    let mut confirmed3 = placed3.order.clone();
    confirmed3.status = OrderStatus::Confirmed;
    let expired = uow
        .settle(
            p.checkout_ports(),
            SettleOrder {
                reservation_id: "res-o-3".into(),
                now: late,
                order: confirmed3,
                events: vec![event("o-3:placed", "o-3")],
                cleared_cart: Some(cleared3),
                idempotency: Some(IdempotencyResponse {
                    scope: "c3".into(),
                    key: "k3".into(),
                    response: json!({"orderId": "o-3"}),
                }),
            },
        )
        .await
        .unwrap();
    let Settled::StockNotCommitted(e) = expired else {
        panic!("expired: {expired:?}")
    };
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(
        p.inventory
            .reservation("res-o-3")
            .await
            .unwrap()
            .unwrap()
            .status,
        ReservationStatus::Expired
    );
    let level = p.inventory.stock("SKU-A").await.unwrap().remove(0);
    assert_eq!(
        (level.on_hand, level.reserved),
        (7, 0),
        "o-2's unit committed, o-3's units released"
    );
    assert_eq!(p.orders.get("o-3").await.unwrap().unwrap().version, 1);
    assert!(s
        .outbox
        .events()
        .await
        .unwrap()
        .iter()
        .all(|e| e.aggregate_id != "o-3"));
    assert_eq!(p.carts.get("cart-3").await.unwrap().unwrap(), cart3);
    assert!(matches!(
        p.idempotency.begin("c3", "k3", "h3", t0()).await.unwrap(),
        IdempotencyBegin::Completed { response } if response.get("inFlightSince").is_some()
    ));
}
