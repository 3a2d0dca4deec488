//! Bad input is a typed error and changes nothing in storage.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine_common;

use engine_common::*;
use kassa::engine::{Principal, StatusUpdate};
use kassa::memory::TOKEN_APPROVE;
use kassa::order::{RefundLine, RefundRequest};
use kassa::{ErrorCode, KassaError, Money};

fn assert_unchanged(
    w: &World,
    cart: &str,
    f: impl FnOnce() -> Result<(), KassaError>,
) -> KassaError {
    let (before, cart_before) = (snapshot(w), cart_snapshot(w, cart));
    let err = f().expect_err("must fail");
    assert_eq!(snapshot(w), before, "storage changed after {err:?}");
    assert_eq!(
        cart_snapshot(w, cart),
        cart_before,
        "cart changed after {err:?}"
    );
    err
}

fn checkout_err(w: &World, who: &str, req: kassa::engine::CheckoutRequest) -> KassaError {
    let cart = req.cart_id.clone();
    assert_unchanged(w, &cart, || {
        run(w.engine.checkout(&Principal::customer(who), Some("k"), req)).map(|_| ())
    })
}

#[test]
fn checkout_bad_inputs() {
    let w = world(10, None);
    put_cart(&w, "empty", "u", &[]);
    let e = checkout_err(&w, "u", request("empty", TOKEN_APPROVE));
    assert_eq!(
        (e.code, e.details[0].field.as_str()),
        (ErrorCode::ValidationError, "items")
    );

    put_cart(&w, "unknown", "u", &[("NOPE-1", 1)]);
    let e = checkout_err(&w, "u", request("unknown", TOKEN_APPROVE));
    assert_eq!(e.code, ErrorCode::NotFound);

    put_cart(&w, "zero", "u", &[("SKU-A", 0)]);
    let e = checkout_err(&w, "u", request("zero", TOKEN_APPROVE));
    assert_eq!(
        (e.code, e.details[0].field.as_str()),
        (ErrorCode::ValidationError, "lines[0].quantity")
    );

    put_cart(&w, "huge", "u", &[("SKU-A", u32::MAX)]);
    let e = checkout_err(&w, "u", request("huge", TOKEN_APPROVE));
    assert_eq!(
        (e.code, e.details[0].field.as_str()),
        (ErrorCode::ValidationError, "lines[0].quantity")
    );

    put_cart(&w, "short", "u", &[("SKU-A", 8), ("SKU-B", 11)]);
    let e = checkout_err(&w, "u", request("short", TOKEN_APPROVE));
    assert_eq!(e.code, ErrorCode::OutOfStock);
    assert_eq!(e.meta["sku"], "SKU-B");

    put_cart(&w, "ok", "u", &[("SKU-A", 1)]);
    let mut req = request("ok", TOKEN_APPROVE);
    req.expected_total = Some(Money::parse("10.00", "EUR").unwrap());
    let e = checkout_err(&w, "u", req);
    assert_eq!(
        (e.code, e.details[0].field.as_str()),
        (ErrorCode::ValidationError, "expectedTotal.currency")
    );

    let mut req = request("ok", TOKEN_APPROVE);
    req.expected_total = Some(usd("0.01"));
    let e = checkout_err(&w, "u", req);
    assert_eq!(e.code, ErrorCode::Conflict, "tampered client total");

    let e = checkout_err(&w, "u", request("ok", " "));
    assert_eq!(e.details[0].field, "paymentToken");

    let mut req = request("ok", TOKEN_APPROVE);
    req.coupon_codes = vec!["NOSUCH".into()];
    let e = checkout_err(&w, "u", req);
    assert_eq!(
        (e.code, e.details[0].field.as_str()),
        (ErrorCode::ValidationError, "couponCodes")
    );

    let e = checkout_err(&w, "someone-else", request("ok", TOKEN_APPROVE));
    assert_eq!(e.code, ErrorCode::NotFound, "another customer's cart");

    let e = checkout_err(&w, "u", request("missing", TOKEN_APPROVE));
    assert_eq!(e.code, ErrorCode::NotFound);

    // Every failure freed the key: the same key now works.
    run(w.engine.checkout(
        &Principal::customer("u"),
        Some("k"),
        request("ok", TOKEN_APPROVE),
    ))
    .unwrap();
}

#[test]
fn refund_and_cancel_bad_inputs() {
    let w = world(10, None);
    let u = Principal::customer("u");
    put_cart(&w, "c", "u", &[("SKU-A", 2)]);
    let order = run(w.engine.checkout(&u, None, request("c", TOKEN_APPROVE))).unwrap();
    let id = order.id.clone();
    let refund = |amount: &str, lines: Vec<RefundLine>| RefundRequest {
        amount: usd(amount),
        lines,
        reason: "r".into(),
    };

    let e = assert_unchanged(&w, "c", || {
        run(w
            .engine
            .refund_order(&admin(), &id, refund("20.01", vec![])))
        .map(|_| ())
    });
    assert_eq!(
        (e.code, e.details[0].field.as_str()),
        (ErrorCode::ValidationError, "amount")
    );
    assert_eq!(e.meta["refundable"], "20.00");

    let l = |id: &str, a: &str| RefundLine {
        line_id: id.into(),
        amount: usd(a),
    };
    let e = assert_unchanged(&w, "c", || {
        run(w
            .engine
            .refund_order(&admin(), &id, refund("5.00", vec![l("zz", "5.00")])))
        .map(|_| ())
    });
    assert_eq!(e.details[0].field, "lines[0].lineId");

    let e = assert_unchanged(&w, "c", || {
        let req = RefundRequest {
            amount: Money::parse("5.00", "EUR").unwrap(),
            lines: vec![],
            reason: String::new(),
        };
        run(w.engine.refund_order(&admin(), &id, req)).map(|_| ())
    });
    assert_eq!(e.details[0].field, "amount.currency");

    let e = assert_unchanged(&w, "c", || {
        run(w.engine.refund_order(&admin(), &id, refund("0.00", vec![]))).map(|_| ())
    });
    assert_eq!(e.details[0].field, "amount");

    run(w
        .engine
        .refund_order(&admin(), &id, refund("15.00", vec![])))
    .unwrap();
    let e = assert_unchanged(&w, "c", || {
        run(w.engine.refund_order(&admin(), &id, refund("5.01", vec![]))).map(|_| ())
    });
    assert_eq!(
        e.meta["refundable"], "5.00",
        "refund over captured minus refunded"
    );

    run(w
        .engine
        .update_order_status(&admin(), &id, StatusUpdate::Ship { lines: None }, "shipped"))
    .unwrap();
    let e = assert_unchanged(&w, "c", || {
        run(w.engine.cancel_order(&u, &id, "please")).map(|_| ())
    });
    assert_eq!(e.code, ErrorCode::Conflict, "cancel after shipment");
    assert_eq!(e.meta["current"], "confirmed");
    assert_eq!(e.meta["attempted"], "cancelled");

    let e = assert_unchanged(&w, "c", || {
        let ship = StatusUpdate::Ship { lines: None };
        run(w.engine.update_order_status(&admin(), &id, ship, "again")).map(|_| ())
    });
    assert_eq!(e.code, ErrorCode::ValidationError);

    let e = assert_unchanged(&w, "c", || {
        run(w.engine.get_order(&Principal::customer("x"), &id)).map(|_| ())
    });
    assert_eq!(e.code, ErrorCode::NotFound);
}
