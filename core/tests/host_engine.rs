//! The JSON facade the bindings drive: a whole shop day through `EngineHost::call`, and every
//! listed operation is dispatched.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures::executor::block_on;
use kassa::host::{engine, ops, EngineHost};
use kassa::ErrorCode;
use serde_json::{json, Value};

fn host() -> EngineHost {
    EngineHost::in_memory(json!({
        "start": "2026-03-02T09:00:00Z",
        "engine": {"defaultRegion": "DE"},
        "stock": [
            {"sku": "TEE-ORG-WHT-S", "onHand": 5},
            {"sku": "TEE-ORG-WHT-M", "locationId": "main", "onHand": 2}
        ],
        "rules": {
            "promotions": [{
                "id": "welcome", "name": "10 % off",
                "conditions": {"couponRequired": true},
                "target": {"type": "order"},
                "action": {"type": "percent_off", "percent": "10"}
            }],
            "coupons": [{"code": "WELCOME10", "promotionId": "welcome", "usageLimit": 1}],
            "taxRules": [{"id": "de-vat", "rate": "0.19", "region": "DE", "taxClass": "standard"}],
            "shippingRates": [{
                "id": "dhl", "regions": ["DE"],
                "calculation": {"type": "flat", "price": {"amount": "4.90", "currency": "EUR"}}
            }]
        },
        "auth": {
            "issuer": "kassa-test", "audience": "shop",
            "hs256Secret": "0123456789abcdef0123456789abcdef",
            "config": {"argon2": {"memoryKib": 1024, "iterations": 1, "parallelism": 1}}
        }
    }))
    .unwrap()
}

fn call(h: &EngineHost, op: &str, input: Value) -> Value {
    block_on(h.call(op, input)).unwrap_or_else(|e| panic!("{op}: {e:?}"))
}

fn fails(h: &EngineHost, op: &str, input: Value) -> kassa::KassaError {
    match block_on(h.call(op, input)) {
        Ok(v) => panic!("{op} should fail, gave {v}"),
        Err(e) => e,
    }
}

#[test]
fn a_shop_day_through_json() {
    let h = host();
    let alice = json!({"id": "alice", "roles": ["customer"]});
    let mallory = json!({"id": "mallory", "roles": ["customer"]});
    let admin = json!({"id": "root", "roles": ["admin"]});

    let page = call(
        &h,
        "catalog.browse",
        json!({"query": {"text": "tee", "context": {"currency": "EUR"}}}),
    );
    assert!(!page["items"].as_array().unwrap().is_empty(), "{page}");

    let cart = call(
        &h,
        "cart.create",
        json!({"actor": alice, "currency": "EUR"}),
    );
    let cart_id = cart["id"].as_str().unwrap().to_owned();
    let cart = call(
        &h,
        "cart.add",
        json!({"actor": alice, "cartId": cart_id, "sku": "TEE-ORG-WHT-S", "quantity": 2}),
    );
    assert_eq!(cart["cart"]["lines"].as_array().unwrap().len(), 1);

    // Another customer cannot see the cart: NOT_FOUND, never FORBIDDEN.
    let e = fails(&h, "cart.get", json!({"actor": mallory, "cartId": cart_id}));
    assert_eq!(e.code, ErrorCode::NotFound);

    let request =
        json!({"cartId": cart_id, "paymentToken": "tok_approve", "couponCodes": ["WELCOME10"]});
    let quote = call(
        &h,
        "checkout.quote",
        json!({"actor": alice, "request": request}),
    );
    let total = quote["totals"]["grandTotal"].clone();
    assert_eq!(total["currency"], "EUR");

    let mut paid = request.clone();
    paid["expectedTotal"] = total.clone();
    let order = call(
        &h,
        "checkout.run",
        json!({"actor": alice, "idempotencyKey": "k1", "request": paid}),
    );
    assert_eq!(order["totals"]["total"], total);
    assert_eq!(order["payment"]["status"], "captured");
    let order_id = order["id"].as_str().unwrap().to_owned();
    let replay = call(
        &h,
        "checkout.run",
        json!({"actor": alice, "idempotencyKey": "k1", "request": paid}),
    );
    assert_eq!(
        replay["id"], order["id"],
        "an idempotent retry gives the same order"
    );

    let e = fails(
        &h,
        "order.get",
        json!({"actor": mallory, "orderId": order_id}),
    );
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = fails(
        &h,
        "order.update_status",
        json!({"actor": alice, "orderId": order_id, "update": {"action": "ship"}}),
    );
    assert_eq!(e.code, ErrorCode::Forbidden);

    let stock = call(
        &h,
        "inventory.availability",
        json!({"skus": ["TEE-ORG-WHT-S"]}),
    );
    assert_eq!(stock["TEE-ORG-WHT-S"], 3);

    let events = call(&h, "memory.drain_events", json!({}));
    assert!(!events.as_array().unwrap().is_empty());
    let mine = call(&h, "order.mine", json!({"actor": alice}));
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let history = call(&h, "order.history", json!({"actor": admin}));
    assert_eq!(history["items"][0]["id"], order["id"]);

    call(&h, "memory.advance_clock", json!({"seconds": 3600}));
    assert_eq!(
        call(&h, "memory.now", json!({})),
        json!("2026-03-02T10:00:00Z")
    );
    let health = call(&h, "health", json!({}));
    assert!(health.is_object());
}

#[test]
fn identity_flows_through_json() {
    let h = host();
    let account = call(
        &h,
        "auth.register",
        json!({"email": "Ada@Example.com", "password": "correct horse battery staple"}),
    );
    assert_eq!(account["email"], "ada@example.com");
    let session = call(
        &h,
        "auth.login",
        json!({"email": "ada@example.com", "password": "correct horse battery staple", "clientAddress": "10.0.0.1"}),
    );
    let access = session["tokens"]["accessToken"].as_str().unwrap();
    let claims = call(&h, "auth.authenticate", json!({"token": access}));
    assert_eq!(claims["userId"], session["userId"]);
    assert_eq!(claims["roles"], json!(["customer"]));
    let e = fails(
        &h,
        "auth.login",
        json!({"email": "ada@example.com", "password": "wrong password here", "clientAddress": "10.0.0.1"}),
    );
    assert_eq!(e.code, ErrorCode::Unauthenticated);

    // nothing is due yet; past the family's 7 days (+ the 30-minute access lifetime) the
    // session and the registration's verification link go
    let none = json!({"families": 0, "oneTime": 0});
    assert_eq!(call(&h, "auth.purge_expired_tokens", json!({})), none);
    call(
        &h,
        "memory.advance_clock",
        json!({"seconds": 7 * 86_400 + 1_801}),
    );
    assert_eq!(
        call(&h, "auth.purge_expired_tokens", json!({})),
        json!({"families": 1, "oneTime": 1})
    );
    let e = fails(&h, "auth.authenticate", json!({"token": access}));
    assert_eq!(e.code, ErrorCode::Unauthenticated);
}

#[test]
fn bad_requests_name_the_field() {
    let h = host();
    let e = fails(
        &h,
        "cart.add",
        json!({"actor": {"id": "a"}, "cartId": "c", "sku": "X", "quantity": -1}),
    );
    assert_eq!(e.code, ErrorCode::ValidationError);
    assert_eq!(e.details[0].field, "quantity");
    let e = fails(&h, "cart.create", json!({"currency": "EUR"}));
    assert_eq!(e.code, ErrorCode::ValidationError);
    let e = fails(&h, "no.such_op", json!({}));
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = block_on(h.call_str("cart.create", "{not json")).unwrap_err();
    assert_eq!(e.details[0].field, "input");
    let e = EngineHost::in_memory(json!({"stock": [{"sku": "", "onHand": 1}]})).unwrap_err();
    assert_eq!(e.details[0].field, "stock[0].sku");
    let e = EngineHost::in_memory(
        json!({"auth": {"issuer": "i", "audience": "a", "hs256Secret": "short"}}),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationError);
}

/// Every listed operation is wired: `{}` is refused for its shape or answered, never
/// "unknown operation"; and both lists have no duplicates.
#[test]
fn every_listed_operation_is_dispatched() {
    let h = host();
    let unknown =
        |e: &kassa::KassaError| e.code == ErrorCode::NotFound && e.message.contains("operation");
    for op in engine::OPERATIONS {
        if let Err(e) = block_on(h.call(op, json!({}))) {
            assert!(!unknown(&e), "{op} is listed but not dispatched");
        }
    }
    for op in ops::OPERATIONS {
        if let Err(e) = ops::call(op, json!({})) {
            assert!(!unknown(&e), "{op} is listed but not dispatched");
        }
    }
    // With the default features every engine family is in: nothing is UNSUPPORTED, and an
    // unknown name under a gated family's prefix is still NOT_FOUND (the wasm tests check the
    // builds with families off).
    assert_eq!(
        engine::available_operations().collect::<Vec<_>>(),
        engine::OPERATIONS.to_vec()
    );
    for op in ["auth.no_such", "billing.no_such", "supply.no_such"] {
        let e = block_on(h.call(op, json!({}))).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound, "{op}");
    }
    for list in [engine::OPERATIONS, ops::OPERATIONS] {
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), list.len());
    }
}

#[test]
fn memory_operations_need_the_in_memory_host() {
    let mem = EngineHost::in_memory(json!({})).unwrap();
    let ports = mem.memory().unwrap().ports();
    let engine = kassa::engine::Engine::new(ports, kassa::engine::EngineConfig::default()).unwrap();
    let h = EngineHost::new(engine);
    let e = block_on(h.call("memory.drain_events", json!({}))).unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
}
