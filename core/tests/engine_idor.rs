//! IDOR suite: two customers over every engine flow that touches a cart, an order, a refund,
//! a shipment or a profile. Nothing of Alice's is visible to or changeable by Bob; a foreign
//! resource answers exactly like a missing one (`NOT_FOUND`), and no store changes. Flows
//! that customers may not use at all answer `FORBIDDEN` before anything is loaded, so their
//! answer is the same for an existing and a missing id.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine_common;

use engine_common::*;
use kassa::engine::{NewShipment, Principal, StatusUpdate};
use kassa::memory::TOKEN_APPROVE;
use kassa::order::RefundRequest;
use kassa::ports::{UserRecord, UserStore};
use kassa::supply::ShipmentLine;
use kassa::{Currency, ErrorCode, KassaError, PageRequest};

struct Fixture {
    w: World,
    alice: Principal,
    bob: Principal,
    order_id: String,
    cart_id: String,
}

fn user(id: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: format!("{id}@example.com"),
        name: id.into(),
        roles: vec!["customer".into()],
        password_hash: None,
        email_verified: true,
        created_at: t0(),
        version: 0,
    }
}

/// Alice has a paid order (partly refunded, one shipment) and a cart with a line.
fn fixture() -> Fixture {
    let w = world(10, None);
    run(w.mem.users.insert_user(user("alice"))).unwrap();
    run(w.mem.users.insert_user(user("bob"))).unwrap();
    let alice = Principal::customer("alice");
    let bob = Principal::customer("bob");
    put_cart(&w, "cart-paid", "alice", &[("SKU-A", 2)]);
    let order = run(w
        .engine
        .checkout(&alice, Some("k1"), request("cart-paid", TOKEN_APPROVE)))
    .unwrap();
    run(w.engine.refund_order(
        &admin(),
        &order.id,
        RefundRequest {
            amount: usd("1.00"),
            lines: vec![],
            reason: "dent".into(),
        },
    ))
    .unwrap();
    run(w.engine.create_shipment(
        &admin(),
        &NewShipment {
            order_id: order.id.clone(),
            carrier: "DHL".into(),
            tracking_number: "T1".into(),
            lines: vec![ShipmentLine {
                sku: "SKU-A".into(),
                quantity: 1,
            }],
        },
    ))
    .unwrap();
    let cart = run(w
        .engine
        .create_cart(&alice, Currency::from_code("USD").unwrap()))
    .unwrap();
    run(w.engine.add_to_cart(&alice, &cart.id, "SKU-B", 1)).unwrap();
    Fixture {
        w,
        alice,
        bob,
        order_id: order.id,
        cart_id: cart.id,
    }
}

fn state(f: &Fixture) -> serde_json::Value {
    serde_json::json!({
        "stores": snapshot(&f.w),
        "cart": cart_snapshot(&f.w, &f.cart_id),
        "users": f.w.mem.users.users(),
    })
}

/// Bob's attempt on Alice's resource and on a missing one answer the same `NOT_FOUND`
/// (same code, same message shape), and nothing changes.
fn same_as_missing<T: std::fmt::Debug>(
    f: &Fixture,
    foreign: KassaError,
    missing: KassaError,
    what: &str,
) {
    assert_eq!(foreign.code, ErrorCode::NotFound, "{what}: {foreign:?}");
    assert_eq!(missing.code, ErrorCode::NotFound, "{what}: {missing:?}");
    let strip = |e: &KassaError, id: &str| e.message.replace(id, "<id>");
    assert_eq!(
        strip(&foreign, &f.order_id).replace(&f.cart_id, "<id>"),
        strip(&missing, "missing-id"),
        "{what}: the foreign answer differs from the missing one"
    );
    let _ = std::marker::PhantomData::<T>;
}

#[test]
fn bob_cannot_see_or_change_alices_cart() {
    let f = fixture();
    let before = state(&f);
    let (w, bob, cart) = (&f.w, &f.bob, f.cart_id.as_str());
    let line = run(w.engine.get_cart(&f.alice, cart)).unwrap().cart.lines()[0]
        .line_id
        .clone();
    same_as_missing::<()>(
        &f,
        run(w.engine.get_cart(bob, cart)).unwrap_err(),
        run(w.engine.get_cart(bob, "missing-id")).unwrap_err(),
        "get_cart",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.add_to_cart(bob, cart, "SKU-A", 1)).unwrap_err(),
        run(w.engine.add_to_cart(bob, "missing-id", "SKU-A", 1)).unwrap_err(),
        "add_to_cart",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.set_cart_quantity(bob, cart, &line, 5)).unwrap_err(),
        run(w.engine.set_cart_quantity(bob, "missing-id", &line, 5)).unwrap_err(),
        "set_cart_quantity",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.remove_cart_line(bob, cart, &line)).unwrap_err(),
        run(w.engine.remove_cart_line(bob, "missing-id", &line)).unwrap_err(),
        "remove_cart_line",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.quote_checkout(bob, &request(cart, TOKEN_APPROVE))).unwrap_err(),
        run(w
            .engine
            .quote_checkout(bob, &request("missing-id", TOKEN_APPROVE)))
        .unwrap_err(),
        "quote_checkout",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.checkout(bob, None, request(cart, TOKEN_APPROVE))).unwrap_err(),
        run(w
            .engine
            .checkout(bob, None, request("missing-id", TOKEN_APPROVE)))
        .unwrap_err(),
        "checkout",
    );
    // with an idempotency key too (the key is Bob's own scope)
    same_as_missing::<()>(
        &f,
        run(w
            .engine
            .checkout(bob, Some("k1"), request(cart, TOKEN_APPROVE)))
        .unwrap_err(),
        run(w
            .engine
            .checkout(bob, Some("k2"), request("missing-id", TOKEN_APPROVE)))
        .unwrap_err(),
        "checkout with key",
    );
    assert_eq!(state(&f), before, "Bob changed nothing");
    // Alice still can
    run(w.engine.get_cart(&f.alice, cart)).unwrap();
}

#[test]
fn bob_cannot_see_or_change_alices_order_refunds_or_shipments() {
    let f = fixture();
    let before = state(&f);
    let (w, bob, order) = (&f.w, &f.bob, f.order_id.as_str());
    same_as_missing::<()>(
        &f,
        run(w.engine.get_order(bob, order)).unwrap_err(),
        run(w.engine.get_order(bob, "missing-id")).unwrap_err(),
        "get_order",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.cancel_order(bob, order, "mine now")).unwrap_err(),
        run(w.engine.cancel_order(bob, "missing-id", "mine now")).unwrap_err(),
        "cancel_order",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.order_refunds(bob, order)).unwrap_err(),
        run(w.engine.order_refunds(bob, "missing-id")).unwrap_err(),
        "order_refunds",
    );
    same_as_missing::<()>(
        &f,
        run(w.engine.order_shipments(bob, order)).unwrap_err(),
        run(w.engine.order_shipments(bob, "missing-id")).unwrap_err(),
        "order_shipments",
    );
    // Bob's own list holds none of Alice's orders
    let mine = run(w.engine.my_orders(bob, PageRequest::default())).unwrap();
    assert!(mine.items.is_empty());
    // back-office flows are FORBIDDEN for customers, for existing and missing ids alike
    let refund = || RefundRequest {
        amount: usd("1.00"),
        lines: vec![],
        reason: "x".into(),
    };
    for id in [order, "missing-id"] {
        let e = run(w.engine.refund_order(bob, id, refund())).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "refund_order {id}");
        // Alice may not refund her own order either: refunds are issued by staff
        let e = run(w.engine.refund_order(&f.alice, id, refund())).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
        let e = run(w
            .engine
            .update_order_status(bob, id, StatusUpdate::Ship { lines: None }, "x"))
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
        let e = run(w.engine.capture_payment(bob, id, None)).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
    }
    let e = run(w.engine.order_history(
        bob,
        &kassa::ports::OrderFilter::default(),
        PageRequest::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(state(&f), before, "Bob changed nothing");
    // Alice sees her own
    assert_eq!(run(w.engine.get_order(&f.alice, order)).unwrap().id, order);
    assert_eq!(
        run(w.engine.order_refunds(&f.alice, order)).unwrap().len(),
        1
    );
    assert_eq!(
        run(w.engine.order_shipments(&f.alice, order))
            .unwrap()
            .0
            .len(),
        1
    );
    assert_eq!(
        run(w.engine.my_orders(&f.alice, PageRequest::default()))
            .unwrap()
            .items
            .len(),
        1
    );
}

#[test]
fn bob_cannot_see_or_change_alices_profile() {
    let f = fixture();
    let before = state(&f);
    let (w, bob) = (&f.w, &f.bob);
    let e = run(w.engine.profile(bob, "alice")).unwrap_err();
    let missing = run(w.engine.profile(bob, "missing-id")).unwrap_err();
    assert_eq!(
        (e.code, missing.code),
        (ErrorCode::NotFound, ErrorCode::NotFound)
    );
    assert_eq!(
        e.message.replace("alice", "<id>"),
        missing.message.replace("missing-id", "<id>")
    );
    let e = run(w.engine.update_profile_name(bob, "alice", "Bob was here")).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(state(&f), before);
    // her own, and staff reads any
    let me = run(w
        .engine
        .update_profile_name(&f.alice, "alice", " Alice A. "))
    .unwrap();
    assert_eq!(me.name, "Alice A.");
    let staff = Principal::new("s-1", &["staff"]);
    assert_eq!(
        run(w.engine.profile(&staff, "alice")).unwrap().name,
        "Alice A."
    );
    // staff may not rename others (profiles:update:own only)
    assert_eq!(
        run(w.engine.update_profile_name(&staff, "alice", "x"))
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}

#[test]
fn a_guest_and_a_roleless_principal_reach_nothing_of_alices() {
    let f = fixture();
    let guest = Principal::new("guest-session-1", &["guest"]);
    let nobody = Principal::new("x", &[]);
    for p in [&guest, &nobody] {
        let e = run(f.w.engine.get_cart(p, &f.cart_id)).unwrap_err();
        assert!(matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden));
        let e = run(f.w.engine.get_order(p, &f.order_id)).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "no orders:read grant at all");
    }
    // the guest has its own cart
    let c = run(f
        .w
        .engine
        .create_cart(&guest, Currency::from_code("USD").unwrap()))
    .unwrap();
    run(f.w.engine.add_to_cart(&guest, &c.id, "SKU-A", 1)).unwrap();
    assert_eq!(
        run(f
            .w
            .engine
            .create_cart(&nobody, Currency::from_code("USD").unwrap()))
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
}
