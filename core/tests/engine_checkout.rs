//! Checkout and the order flows on the in-memory ports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine_common;

use engine_common::*;
use kassa::engine::{DashboardRequest, Principal, StatusUpdate};
use kassa::memory::{
    TOKEN_APPROVE, TOKEN_DECLINE, TOKEN_INSUFFICIENT_FUNDS, TOKEN_PROCESSING_ERROR, TOKEN_TIMEOUT,
};
use kassa::notify::OrderEvent;
use kassa::order::{
    FulfillmentStatus, LineQuantity, OrderStatus, PaymentStatus, RefundLine, RefundRequest,
};
use kassa::payment::EventEffect;
use kassa::ports::{CouponStore, HealthStatus, OrderFilter};
use kassa::{Currency, ErrorCode, PageRequest};

#[test]
fn approved_checkout_confirms_commits_clears_and_emits_once() {
    let w = world(10, None);
    let alice = Principal::customer("alice");
    put_cart(
        &w,
        "cart-1",
        "alice",
        &[("SKU-A", 2), ("SKU-B", 1), ("SKU-A", 1)],
    );
    let mut req = request("cart-1", TOKEN_APPROVE);
    req.expected_total = Some(usd("50.00"));
    let order = run(w.engine.checkout(&alice, None, req)).unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.payment.status, PaymentStatus::Captured);
    assert_eq!(order.payment.captured, usd("50.00"));
    assert_eq!(order.number, "KS-000001");
    assert_eq!(
        on_hand(&w, "SKU-A"),
        (7, 0),
        "3 units of SKU-A summed over two lines and committed"
    );
    assert_eq!(on_hand(&w, "SKU-B"), (9, 0));
    assert!(run(w.engine.get_cart(&alice, "cart-1"))
        .unwrap()
        .cart
        .is_empty());
    assert_eq!(w.mem.events.count("order_placed"), 1);
    assert_eq!(w.mem.gateway.charges_for(&order.id).len(), 1);
    let history: Vec<_> = order
        .history
        .iter()
        .map(|h| (h.from.to_string(), h.to.to_string()))
        .collect();
    assert_eq!(
        history,
        vec![
            ("pending".into(), "captured".into()),
            ("pending".into(), "confirmed".into())
        ]
    );
}

#[test]
fn declined_checkout_releases_everything_and_keeps_cart_then_retry_succeeds() {
    for token in [
        TOKEN_DECLINE,
        TOKEN_INSUFFICIENT_FUNDS,
        TOKEN_PROCESSING_ERROR,
    ] {
        let w = world(5, Some(10));
        let bob = Principal::customer("bob");
        put_cart(&w, "cart-b", "bob", &[("SKU-C", 2)]);
        let cart_before = run(w.engine.get_cart(&bob, "cart-b")).unwrap().cart;
        let mut req = request("cart-b", token);
        req.coupon_codes = vec!["save10".into()];
        let err = run(w.engine.checkout(&bob, Some("k1"), req.clone())).unwrap_err();
        assert_eq!(err.code, ErrorCode::PaymentDeclined, "{token}");
        let order_id = err.meta["orderId"].as_str().unwrap().to_owned();
        let order = run(w.engine.get_order(&bob, &order_id)).unwrap();
        assert_eq!(order.payment.status, PaymentStatus::Failed);
        assert_eq!(order.status, OrderStatus::Cancelled);
        assert_eq!(on_hand(&w, "SKU-C"), (5, 0), "reservation released");
        assert_eq!(
            run(w.mem.coupons.usage(COUPON))
                .unwrap()
                .unwrap()
                .times_used(),
            0,
            "coupon given back"
        );
        assert_eq!(
            run(w.engine.get_cart(&bob, "cart-b")).unwrap().cart,
            cart_before,
            "cart kept"
        );
        assert_eq!(w.mem.events.count("payment_failed"), 1);
        // Replaying the declined key gives the same error without a new charge attempt.
        let calls = w.mem.gateway.calls();
        let again = run(w.engine.checkout(&bob, Some("k1"), req.clone())).unwrap_err();
        assert_eq!(again.meta["orderId"], err.meta["orderId"]);
        assert_eq!(w.mem.gateway.calls(), calls);
        // Retry with another card and a new key.
        req.payment_token = TOKEN_APPROVE.into();
        let ok = run(w.engine.checkout(&bob, Some("k2"), req)).unwrap();
        assert_eq!(ok.status, OrderStatus::Confirmed);
        assert_eq!(ok.totals.total, usd("9.90"));
        assert_eq!(
            run(w.mem.coupons.usage(COUPON))
                .unwrap()
                .unwrap()
                .times_used(),
            1
        );
        assert_eq!(on_hand(&w, "SKU-C"), (3, 0));
    }
}

#[test]
fn unknown_outcome_waits_for_gateway_event_applied_once() {
    let w = world(5, None);
    let carol = Principal::customer("carol");
    put_cart(&w, "cart-c", "carol", &[("SKU-D", 2)]);
    let order = run(w
        .engine
        .checkout(&carol, None, request("cart-c", TOKEN_TIMEOUT)))
    .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.payment.status, PaymentStatus::Pending);
    assert_eq!(on_hand(&w, "SKU-D"), (5, 2), "stock held while pending");
    assert!(!run(w.engine.get_cart(&carol, "cart-c"))
        .unwrap()
        .cart
        .is_empty());
    let err = run(w.engine.cancel_order(&carol, &order.id, "changed my mind")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let events = w.mem.gateway.settle(&order.id, true, t0()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        run(w.engine.apply_gateway_event(&system(), events[0].clone())).unwrap(),
        EventEffect::Applied
    );
    assert_eq!(
        run(w.engine.apply_gateway_event(&system(), events[0].clone())).unwrap(),
        EventEffect::Duplicate
    );
    let order = run(w.engine.get_order(&carol, &order.id)).unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.payment.status, PaymentStatus::Captured);
    assert_eq!(on_hand(&w, "SKU-D"), (3, 0));
    assert!(run(w.engine.get_cart(&carol, "cart-c"))
        .unwrap()
        .cart
        .is_empty());
    assert_eq!(w.mem.events.count("order_placed"), 1);
    // A customer cannot post gateway events.
    assert_eq!(
        run(w.engine.apply_gateway_event(&carol, events[0].clone()))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

#[test]
fn unknown_outcome_settled_as_failure_releases() {
    let w = world(5, Some(3));
    let dan = Principal::customer("dan");
    put_cart(&w, "cart-d", "dan", &[("SKU-E", 1)]);
    let mut req = request("cart-d", TOKEN_TIMEOUT);
    req.coupon_codes = vec![COUPON.into()];
    let order = run(w.engine.checkout(&dan, None, req)).unwrap();
    assert_eq!(
        run(w.mem.coupons.usage(COUPON))
            .unwrap()
            .unwrap()
            .times_used(),
        1
    );
    let events = w.mem.gateway.settle(&order.id, false, t0()).unwrap();
    run(w.engine.apply_gateway_event(&system(), events[0].clone())).unwrap();
    let order = run(w.engine.get_order(&dan, &order.id)).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.payment.status, PaymentStatus::Failed);
    assert_eq!(on_hand(&w, "SKU-E"), (5, 0));
    assert_eq!(
        run(w.mem.coupons.usage(COUPON))
            .unwrap()
            .unwrap()
            .times_used(),
        0
    );
    assert_eq!(w.mem.events.count("payment_failed"), 1);
}

#[test]
fn changed_total_is_a_conflict_with_new_totals() {
    let w = world(5, None);
    let eve = Principal::customer("eve");
    put_cart(&w, "cart-e", "eve", &[("SKU-A", 1)]);
    let mut req = request("cart-e", TOKEN_APPROVE);
    req.expected_total = Some(usd("9.00"));
    let before = snapshot(&w);
    let err = run(w.engine.checkout(&eve, Some("key"), req.clone())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.meta["totals"]["grandTotal"]["amount"], "10.00");
    assert_eq!(snapshot(&w), before);
    // The key was freed: the corrected request goes through.
    req.expected_total = Some(usd("10.00"));
    assert!(run(w.engine.checkout(&eve, Some("key2"), req)).is_ok());
}

#[test]
fn cancel_refunds_and_restocks_partial_refund_by_line() {
    let w = world(10, Some(5));
    let fay = Principal::customer("fay");
    put_cart(&w, "c", "fay", &[("SKU-A", 2), ("SKU-B", 1)]);
    let mut req = request("c", TOKEN_APPROVE);
    req.coupon_codes = vec![COUPON.into()];
    let order = run(w.engine.checkout(&fay, None, req)).unwrap();
    assert_eq!(order.totals.total, usd("36.00"));
    // Partial refund of 5.00 against line l0.
    let line = order.lines[0].line_id.clone();
    let refund = RefundRequest {
        amount: usd("5.00"),
        lines: vec![RefundLine {
            line_id: line.clone(),
            amount: usd("5.00"),
        }],
        reason: "scratched".into(),
    };
    let order = run(w.engine.refund_order(&admin(), &order.id, refund)).unwrap();
    assert_eq!(order.payment.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(order.lines[0].refunded, usd("5.00"));
    assert_eq!(order.payment.net_paid().unwrap(), usd("31.00"));
    // Customers cannot refund.
    let nope = RefundRequest {
        amount: usd("1.00"),
        lines: vec![],
        reason: String::new(),
    };
    assert_eq!(
        run(w.engine.refund_order(&fay, &order.id, nope))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // Cancel: refunds the rest, restocks, gives the coupon back.
    let order = run(w.engine.cancel_order(&fay, &order.id, "changed my mind")).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.payment.status, PaymentStatus::Refunded);
    assert_eq!(order.payment.refunded, usd("36.00"));
    assert_eq!(on_hand(&w, "SKU-A"), (10, 0));
    assert_eq!(
        run(w.mem.coupons.usage(COUPON))
            .unwrap()
            .unwrap()
            .times_used(),
        0
    );
    assert_eq!(w.mem.events.count("order_cancelled"), 1);
    assert_eq!(w.mem.events.count("refund_issued"), 2);
    let charge = &w.mem.gateway.charges_for(&order.id)[0];
    assert_eq!(charge.refunded, usd("36.00"));
}

#[test]
fn status_updates_emit_rendered_notifications_and_history() {
    let w = world(10, None);
    let gus = Principal::customer("gus");
    put_cart(&w, "c", "gus", &[("SKU-A", 2), ("SKU-B", 1)]);
    let order = run(w.engine.checkout(&gus, None, request("c", TOKEN_APPROVE))).unwrap();
    let line = order.lines[0].line_id.clone();
    let ship_one = StatusUpdate::Ship {
        lines: Some(vec![LineQuantity {
            line_id: line,
            quantity: 1,
        }]),
    };
    assert_eq!(
        run(w
            .engine
            .update_order_status(&gus, &order.id, ship_one.clone(), "x"))
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
    let o = run(w
        .engine
        .update_order_status(&admin(), &order.id, ship_one, "first parcel"))
    .unwrap();
    assert_eq!(o.fulfillment_status, FulfillmentStatus::PartiallyFulfilled);
    let err = run(w.engine.cancel_order(&gus, &order.id, "too late")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.meta["guard"], "nothing shipped");
    run(w.engine.update_order_status(
        &admin(),
        &order.id,
        StatusUpdate::Ship { lines: None },
        "rest",
    ))
    .unwrap();
    run(w.engine.update_order_status(
        &admin(),
        &order.id,
        StatusUpdate::Deliver { lines: None },
        "delivered",
    ))
    .unwrap();
    let o = run(w
        .engine
        .update_order_status(&admin(), &order.id, StatusUpdate::Complete, "done"))
    .unwrap();
    assert_eq!(o.status, OrderStatus::Completed);
    let err =
        run(w
            .engine
            .update_order_status(&admin(), &order.id, StatusUpdate::Complete, "again"))
        .unwrap_err();
    assert_eq!(err.meta["current"], "completed");
    let changes: Vec<_> = w
        .mem
        .events
        .events()
        .into_iter()
        .filter(|e| e.event_type == "order_status_changed")
        .collect();
    assert_eq!(changes.len(), 4);
    let first: OrderEvent = serde_json::from_str(&changes[0].payload).unwrap();
    let msg = w.engine.notifier().render(&first).unwrap().unwrap();
    assert_eq!(
        msg.subject,
        format!("Order {}: fulfillment is now partially fulfilled", o.number)
    );
    assert!(msg.text.contains("first parcel"));
    assert!(o
        .history
        .iter()
        .any(|h| h.actor == "admin-1" && h.reason == "done"));
}

#[test]
fn own_orders_history_filters_dashboard_and_health() {
    let w = world(100, None);
    let (ann, ben) = (Principal::customer("ann"), Principal::customer("ben"));
    for i in 0..5 {
        put_cart(&w, &format!("a{i}"), "ann", &[("SKU-A", 1), ("SKU-C", 2)]);
        run(w
            .engine
            .checkout(&ann, None, request(&format!("a{i}"), TOKEN_APPROVE)))
        .unwrap();
        w.mem.clock.advance(chrono::Duration::hours(12));
    }
    put_cart(&w, "b0", "ben", &[("SKU-E", 1)]);
    let bens = run(w.engine.checkout(&ben, None, request("b0", TOKEN_APPROVE))).unwrap();
    put_cart(&w, "b1", "ben", &[("SKU-E", 1)]);
    run(w.engine.checkout(&ben, None, request("b1", TOKEN_DECLINE))).unwrap_err();
    let page = run(w.engine.my_orders(
        &ann,
        PageRequest {
            page: 1,
            page_size: 2,
        },
    ))
    .unwrap();
    assert_eq!(page.pagination.total, 5);
    assert_eq!(page.pagination.total_pages, 3);
    assert!(page.items[0].created_at >= page.items[1].created_at);
    assert_eq!(
        run(w.engine.get_order(&ann, &bens.id)).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        run(w
            .engine
            .order_history(&ann, &OrderFilter::default(), PageRequest::default()))
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
    let cancelled = OrderFilter {
        status: Some(OrderStatus::Cancelled),
        ..OrderFilter::default()
    };
    assert_eq!(
        run(w
            .engine
            .order_history(&admin(), &cancelled, PageRequest::default()))
        .unwrap()
        .pagination
        .total,
        1
    );
    let by_ben = OrderFilter {
        customer_id: Some("ben".into()),
        ..OrderFilter::default()
    };
    assert_eq!(
        run(w
            .engine
            .order_history(&admin(), &by_ben, PageRequest::default()))
        .unwrap()
        .pagination
        .total,
        2
    );
    let early = OrderFilter {
        to: Some(t0() + chrono::Duration::hours(13)),
        ..OrderFilter::default()
    };
    assert_eq!(
        run(w
            .engine
            .order_history(&admin(), &early, PageRequest::default()))
        .unwrap()
        .pagination
        .total,
        2
    );
    let bad = OrderFilter {
        from: Some(t0() + chrono::Duration::days(2)),
        to: Some(t0()),
        ..OrderFilter::default()
    };
    assert_eq!(
        run(w
            .engine
            .order_history(&admin(), &bad, PageRequest::default()))
        .unwrap_err()
        .details[0]
            .field,
        "from"
    );
    let stats = run(w.engine.dashboard(
        &admin(),
        &DashboardRequest {
            from: t0(),
            to: t0() + chrono::Duration::days(7),
            currency: Currency::from_code("USD").unwrap(),
            top: 2,
        },
    ))
    .unwrap();
    assert_eq!(stats.revenue, usd("205.00"));
    assert_eq!(stats.orders_by_status["confirmed"], 6);
    assert_eq!(stats.orders_by_status["cancelled"], 1);
    assert_eq!(stats.average_order_value, Some(usd("34.17")));
    assert_eq!(stats.top_products[0].product_id, "p-2");
    assert_eq!(stats.top_products[0].units, 10);
    assert_eq!(stats.revenue_per_day.len(), 3);
    assert_eq!(stats.low_stock_count, 0);
    let health = run(w.engine.health());
    assert_eq!(health.status, HealthStatus::Up);
    assert_eq!(health.ports.len(), 11);
    assert!(health.ports.iter().any(|h| h.port == "checkout"));
    w.mem.gateway.set_down(true);
    assert_eq!(run(w.engine.health()).status, HealthStatus::Down);
}

#[test]
fn gateway_down_means_unknown_outcome_not_failure() {
    let w = world(5, None);
    let hal = Principal::customer("hal");
    put_cart(&w, "c", "hal", &[("SKU-A", 1)]);
    w.mem.gateway.set_down(true);
    let order = run(w.engine.checkout(&hal, None, request("c", TOKEN_APPROVE))).unwrap();
    assert_eq!(order.payment.status, PaymentStatus::Pending);
    assert_eq!(on_hand(&w, "SKU-A"), (5, 1));
}

#[test]
fn admin_products_and_browse() {
    let w = world(5, None);
    let mut p: kassa::catalog::Product = serde_json::from_value(serde_json::json!({
        "id": "p-new", "name": "Enamel Mug", "slug": "enamel-mug", "createdAt": "2026-02-01T00:00:00Z",
        "variants": [{"sku": "MUG-1", "prices": [{"amount": {"amount": "12.00", "currency": "USD"}}]}]
    }))
    .unwrap();
    let cust = Principal::customer("ivy");
    assert_eq!(
        run(w.engine.create_product(&cust, p.clone()))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    run(w.engine.create_product(&admin(), p.clone())).unwrap();
    assert_eq!(
        run(w.engine.create_product(&admin(), p.clone()))
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    p.name = "Enamel Camp Mug".into();
    run(w.engine.update_product(&admin(), p.clone())).unwrap();
    let q: kassa::catalog::ProductQuery = serde_json::from_value(
        serde_json::json!({"text": "camp mug", "context": {"currency": "USD"}}),
    )
    .unwrap();
    let page = run(w.engine.browse(&cust, &q)).unwrap();
    assert_eq!(page.items.len(), 1);
    let mut bad = p.clone();
    bad.slug = "Not A Slug".into();
    assert_eq!(
        run(w.engine.update_product(&admin(), bad))
            .unwrap_err()
            .code,
        ErrorCode::ValidationError
    );
    // Cart flows check the catalog and live stock.
    run(w.engine.set_stock(&admin(), "MUG-1", LOCATION, 2)).unwrap();
    let cart = run(w
        .engine
        .create_cart(&cust, Currency::from_code("USD").unwrap()))
    .unwrap();
    run(w.engine.add_to_cart(&cust, &cart.id, "MUG-1", 2)).unwrap();
    assert_eq!(
        run(w.engine.add_to_cart(&cust, &cart.id, "MUG-1", 1))
            .unwrap_err()
            .code,
        ErrorCode::OutOfStock
    );
    assert_eq!(
        run(w.engine.get_cart(&Principal::customer("other"), &cart.id))
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let order = run(w
        .engine
        .checkout(&cust, None, request(&cart.id, TOKEN_APPROVE)))
    .unwrap();
    assert_eq!(order.lines[0].name, "Enamel Camp Mug");
}

#[test]
fn late_settlement_after_reservation_expiry_is_compensated() {
    let w = world(5, Some(3));
    let kim = Principal::customer("kim");
    put_cart(&w, "c", "kim", &[("SKU-B", 2)]);
    let mut req = request("c", TOKEN_TIMEOUT);
    req.coupon_codes = vec![COUPON.into()];
    let order = run(w.engine.checkout(&kim, None, req)).unwrap();
    w.mem.clock.advance(chrono::Duration::hours(1));
    let expired = run(w.engine.sweep_reservations(&system())).unwrap();
    assert_eq!(expired.len(), 1);
    assert!(
        run(w.engine.sweep_reservations(&system()))
            .unwrap()
            .is_empty(),
        "expired exactly once"
    );
    assert_eq!(on_hand(&w, "SKU-B"), (5, 0));
    let events = w.mem.gateway.settle(&order.id, true, t0()).unwrap();
    let effect = run(w.engine.apply_gateway_event(&system(), events[0].clone())).unwrap();
    assert_eq!(effect, EventEffect::Applied);
    let again = run(w.engine.apply_gateway_event(&system(), events[0].clone())).unwrap();
    assert_eq!(
        again,
        EventEffect::Stale,
        "redelivery finds the payment voided and cancelled"
    );
    let order = run(w.engine.get_order(&kim, &order.id)).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    let charge = &w.mem.gateway.charges_for(&order.id)[0];
    assert_eq!(
        charge.refunded, charge.captured,
        "the late capture was refunded"
    );
    assert_eq!(on_hand(&w, "SKU-B"), (5, 0), "no stock was sold");
    assert_eq!(
        run(w.mem.coupons.usage(COUPON))
            .unwrap()
            .unwrap()
            .times_used(),
        0
    );
    assert_eq!(w.mem.events.count("order_cancelled"), 1);
}

#[test]
fn first_order_promotion_applies_only_to_the_first_order() {
    let w = world(10, None);
    let mut rules = rules(None);
    rules.promotions.push(
        serde_json::from_value(serde_json::json!({
            "id": "first", "conditions": {"firstOrderOnly": true},
            "target": {"type": "order"}, "action": {"type": "amount_off", "amount": {"amount": "2.00", "currency": "USD"}}
        }))
        .unwrap(),
    );
    run(kassa::ports::CatalogStore::set_pricing_rules(
        w.mem.catalog.as_ref(),
        rules,
    ))
    .unwrap();
    let lea = Principal::customer("lea");
    put_cart(&w, "c1", "lea", &[("SKU-A", 1)]);
    assert_eq!(
        run(w.engine.checkout(&lea, None, request("c1", TOKEN_APPROVE)))
            .unwrap()
            .totals
            .total,
        usd("8.00")
    );
    put_cart(&w, "c2", "lea", &[("SKU-A", 1)]);
    assert_eq!(
        run(w.engine.checkout(&lea, None, request("c2", TOKEN_APPROVE)))
            .unwrap()
            .totals
            .total,
        usd("10.00")
    );
}

#[test]
fn authorize_only_then_capture_in_parts() {
    let w = world_with(
        10,
        None,
        kassa::engine::EngineConfig {
            capture_on_checkout: false,
            ..Default::default()
        },
    );
    let max = Principal::customer("max");
    put_cart(&w, "c", "max", &[("SKU-B", 2)]);
    let order = run(w.engine.checkout(&max, None, request("c", TOKEN_APPROVE))).unwrap();
    assert_eq!(order.payment.status, PaymentStatus::Authorized);
    assert_eq!(order.status, OrderStatus::Confirmed);
    let o = run(w
        .engine
        .capture_payment(&admin(), &order.id, Some(usd("15.00"))))
    .unwrap();
    assert_eq!(o.payment.status, PaymentStatus::PartiallyCaptured);
    let err = run(w
        .engine
        .capture_payment(&admin(), &order.id, Some(usd("25.01"))))
    .unwrap_err();
    assert_eq!(err.details[0].field, "amount");
    let o = run(w.engine.capture_payment(&admin(), &order.id, None)).unwrap();
    assert_eq!(o.payment.status, PaymentStatus::Captured);
    assert_eq!(
        w.mem.gateway.charges_for(&order.id)[0].captured,
        usd("40.00")
    );
}
