//! Idempotent checkout: same key and request → same order, no second charge; same key with
//! another request → CONFLICT; a concurrent duplicate → in progress.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine_common;

use engine_common::*;
use kassa::engine::{Engine, EngineConfig, Principal};
use kassa::memory::{SandboxGateway, TOKEN_APPROVE};
use kassa::money::Money;
use kassa::ports::{AuthorizeRequest, GatewayResponse, PaymentGateway, PortHealth};
use kassa::ErrorCode;
use std::sync::{Arc, Barrier};

#[test]
fn same_key_same_request_gives_same_order_and_one_charge() {
    let w = world(10, None);
    let amy = Principal::customer("amy");
    put_cart(&w, "c", "amy", &[("SKU-A", 1)]);
    let first = run(w
        .engine
        .checkout(&amy, Some("idem-1"), request("c", TOKEN_APPROVE)))
    .unwrap();
    let calls = w.mem.gateway.calls();
    let second = run(w
        .engine
        .checkout(&amy, Some("idem-1"), request("c", TOKEN_APPROVE)))
    .unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.number, second.number);
    assert_eq!(
        w.mem.gateway.calls(),
        calls,
        "the replay never reached the gateway"
    );
    assert_eq!(w.mem.gateway.charges().len(), 1);
    assert_eq!(w.mem.orders.all().unwrap().len(), 1);
    assert_eq!(on_hand(&w, "SKU-A"), (9, 0));
    assert_eq!(w.mem.events.count("order_placed"), 1);
    // Keys are scoped per principal: another customer's same key is a new request.
    let bo = Principal::customer("bo");
    put_cart(&w, "c-bo", "bo", &[("SKU-A", 1)]);
    let other = run(w
        .engine
        .checkout(&bo, Some("idem-1"), request("c-bo", TOKEN_APPROVE)))
    .unwrap();
    assert_ne!(other.id, first.id);
}

#[test]
fn same_key_different_request_is_a_conflict_and_changes_nothing() {
    let w = world(10, None);
    let amy = Principal::customer("amy");
    put_cart(&w, "c", "amy", &[("SKU-A", 1)]);
    put_cart(&w, "c2", "amy", &[("SKU-B", 1)]);
    run(w
        .engine
        .checkout(&amy, Some("idem-1"), request("c", TOKEN_APPROVE)))
    .unwrap();
    let before = snapshot(&w);
    let err = run(w
        .engine
        .checkout(&amy, Some("idem-1"), request("c2", TOKEN_APPROVE)))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.meta["idempotency"], "key_reused");
    assert_eq!(snapshot(&w), before);
}

/// A gateway that parks inside `authorize` until the test lets it go.
struct ParkingGateway {
    inner: SandboxGateway,
    entered: Barrier,
    release: Barrier,
}

#[async_trait::async_trait]
impl PaymentGateway for ParkingGateway {
    async fn authorize(&self, request: AuthorizeRequest) -> kassa::Result<GatewayResponse> {
        self.entered.wait();
        self.release.wait();
        self.inner.authorize(request).await
    }
    async fn capture(&self, key: &str, r: &str, amount: Money) -> kassa::Result<GatewayResponse> {
        self.inner.capture(key, r, amount).await
    }
    async fn void(&self, key: &str, r: &str) -> kassa::Result<GatewayResponse> {
        self.inner.void(key, r).await
    }
    async fn refund(&self, key: &str, r: &str, amount: Money) -> kassa::Result<GatewayResponse> {
        self.inner.refund(key, r, amount).await
    }
    async fn health(&self) -> PortHealth {
        self.inner.health().await
    }
}

/// An engine over `w`'s ports whose gateway parks inside `authorize`.
fn parked(w: &World) -> (Arc<ParkingGateway>, Arc<Engine>) {
    let gateway = Arc::new(ParkingGateway {
        inner: SandboxGateway::new(),
        entered: Barrier::new(2),
        release: Barrier::new(2),
    });
    let mut ports = w.mem.ports();
    ports.gateway = gateway.clone();
    let engine = Arc::new(Engine::new(ports, EngineConfig::default()).unwrap());
    (gateway, engine)
}

#[test]
fn concurrent_duplicate_gets_in_progress() {
    let w = world(10, None);
    let (gateway, engine) = parked(&w);
    put_cart(&w, "c", "amy", &[("SKU-A", 1)]);
    let amy = Principal::customer("amy");
    let first = {
        let (engine, amy) = (engine.clone(), amy.clone());
        std::thread::spawn(move || {
            run(engine.checkout(&amy, Some("dup"), request("c", TOKEN_APPROVE)))
        })
    };
    gateway.entered.wait(); // the first request holds the key and is at the gateway
    let err = run(engine.checkout(&amy, Some("dup"), request("c", TOKEN_APPROVE))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.meta["idempotency"], "in_progress");
    gateway.release.wait();
    let order = first.join().unwrap().unwrap();
    // Once finished, the duplicate replays the same order.
    let again = run(engine.checkout(&amy, Some("dup"), request("c", TOKEN_APPROVE))).unwrap();
    assert_eq!(again.id, order.id);
    assert_eq!(gateway.inner.charges().len(), 1);
}

#[test]
fn concurrent_identical_refunds_refund_once() {
    let w = Arc::new(world(10, None));
    let amy = Principal::customer("amy");
    put_cart(&w, "c", "amy", &[("SKU-B", 2)]);
    let order = run(w.engine.checkout(&amy, None, request("c", TOKEN_APPROVE))).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (w, id) = (w.clone(), order.id.clone());
            std::thread::spawn(move || {
                let req = kassa::order::RefundRequest {
                    amount: usd("5.00"),
                    lines: vec![],
                    reason: "dup".into(),
                };
                run(w.engine.refund_order(&admin(), &id, req)).is_ok()
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|ok| *ok)
        .count();
    let order = run(w.engine.get_order(&admin(), &order.id)).unwrap();
    let charge = &w.mem.gateway.charges_for(&order.id)[0];
    assert_eq!(
        order.payment.refunded, charge.refunded,
        "the books agree with the gateway"
    );
    assert_eq!(order.refunds.len(), ok);
    assert_eq!(order.payment.refunded, usd(&format!("{}.00", 5 * ok)));
}

#[test]
fn duplicate_after_the_in_flight_window_gets_the_same_order_never_a_second_charge() {
    let w = world(10, None);
    let (gateway, engine) = parked(&w);
    put_cart(&w, "c", "amy", &[("SKU-A", 1)]);
    let amy = Principal::customer("amy");
    let first = {
        let (engine, amy) = (engine.clone(), amy.clone());
        std::thread::spawn(move || {
            run(engine.checkout(&amy, Some("slow"), request("c", TOKEN_APPROVE)))
        })
    };
    gateway.entered.wait(); // the first request created its order and is stuck at the gateway
                            // Past the in-flight window and the store's lock timeout, the holder counts as dead.
    w.mem.clock.advance(chrono::Duration::seconds(61));
    let late = run(engine.checkout(&amy, Some("slow"), request("c", TOKEN_APPROVE))).unwrap();
    assert_eq!(
        w.mem.orders.all().unwrap().len(),
        1,
        "the duplicate created no second order"
    );
    assert_eq!(
        late.payment.status,
        kassa::order::PaymentStatus::Pending,
        "the duplicate answers with the order as it stands"
    );
    gateway.release.wait();
    let order = first.join().unwrap().unwrap();
    assert_eq!(late.id, order.id);
    assert_eq!(gateway.inner.charges().len(), 1, "one charge, ever");
    let again = run(engine.checkout(&amy, Some("slow"), request("c", TOKEN_APPROVE))).unwrap();
    assert_eq!(again.id, order.id);
    assert_eq!(again.status, order.status);
}
