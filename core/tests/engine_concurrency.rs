//! 8 threads, 10,000 checkouts for S units of one SKU on the in-memory ports: exactly
//! min(N, S) succeed, stock never goes negative; a coupon with limit L is redeemed exactly L
//! times.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine_common;

use engine_common::*;
use kassa::engine::Principal;
use kassa::memory::TOKEN_APPROVE;
use kassa::order::OrderStatus;
use kassa::ports::CouponStore;
use kassa::ErrorCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const THREADS: usize = 8;

/// Runs `n` checkouts over `THREADS` threads; returns (successes, failures by code).
fn hammer(w: &Arc<World>, n: usize, coupon: bool) -> (u64, Vec<(ErrorCode, u64)>) {
    for i in 0..n {
        put_cart(
            w,
            &format!("cart-{i}"),
            &format!("cust-{i}"),
            &[("SKU-A", 1)],
        );
    }
    let ok = Arc::new(AtomicU64::new(0));
    let out_of_stock = Arc::new(AtomicU64::new(0));
    let conflict = Arc::new(AtomicU64::new(0));
    let watcher_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A watcher samples stock while the checkouts run: never negative, never over-reserved.
    let watcher = {
        let (w, stop) = (w.clone(), watcher_stop.clone());
        std::thread::spawn(move || {
            let mut samples = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let ledger = w.mem.inventory.snapshot().unwrap();
                for l in ledger.book.all() {
                    assert!(l.reserved <= l.on_hand, "over-reserved: {l:?}");
                }
                samples += 1;
                std::thread::yield_now();
            }
            samples
        })
    };
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (w, ok, oos, conflict) = (
                w.clone(),
                ok.clone(),
                out_of_stock.clone(),
                conflict.clone(),
            );
            std::thread::spawn(move || {
                for i in (t..n).step_by(THREADS) {
                    let who = Principal::customer(format!("cust-{i}"));
                    let mut req = request(&format!("cart-{i}"), TOKEN_APPROVE);
                    if coupon {
                        req.coupon_codes = vec![COUPON.into()];
                    }
                    match run(w.engine.checkout(&who, Some(&format!("key-{i}")), req)) {
                        Ok(o) => {
                            assert_eq!(o.status, OrderStatus::Confirmed);
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) if e.code == ErrorCode::OutOfStock => {
                            oos.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e)
                            if e.code == ErrorCode::Conflict
                                || e.code == ErrorCode::ValidationError =>
                        {
                            conflict.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => panic!("unexpected {e:?}"),
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    watcher_stop.store(true, Ordering::Relaxed);
    assert!(watcher.join().unwrap() > 0);
    (
        ok.load(Ordering::Relaxed),
        vec![
            (ErrorCode::OutOfStock, out_of_stock.load(Ordering::Relaxed)),
            (ErrorCode::Conflict, conflict.load(Ordering::Relaxed)),
        ],
    )
}

#[test]
fn ten_thousand_checkouts_for_limited_stock() {
    const N: usize = 10_000;
    const S: u64 = 2_500;
    let w = Arc::new(world(S, None));
    let (ok, failures) = hammer(&w, N, false);
    assert_eq!(ok, S.min(N as u64));
    assert_eq!(
        failures[0].1,
        N as u64 - S,
        "every other checkout is OUT_OF_STOCK"
    );
    assert_eq!(failures[1].1, 0);
    assert_eq!(on_hand(&w, "SKU-A"), (0, 0));
    let orders = w.mem.orders.all().unwrap();
    assert_eq!(orders.len() as u64, S, "a shortage creates no order");
    let mut numbers: Vec<_> = orders.iter().map(|o| o.number.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len() as u64, S, "order numbers are unique");
    assert_eq!(w.mem.events.count("order_placed") as u64, S);
    assert_eq!(w.mem.gateway.charges().len() as u64, S);
}

#[test]
fn coupon_limit_is_exact_under_contention() {
    const N: usize = 800;
    const L: u32 = 37;
    let w = Arc::new(world(N as u64, Some(L)));
    let (ok, failures) = hammer(&w, N, true);
    assert_eq!(ok, u64::from(L));
    assert_eq!(
        failures[1].1,
        N as u64 - u64::from(L),
        "the rest are told the coupon is used up"
    );
    let usage = run(w.mem.coupons.usage(COUPON)).unwrap().unwrap();
    assert_eq!(usage.times_used(), u64::from(L));
    assert_eq!(
        on_hand(&w, "SKU-A"),
        (N as u64 - u64::from(L), 0),
        "losers' reservations were released"
    );
    let confirmed: Vec<_> = w
        .mem
        .orders
        .all()
        .unwrap()
        .into_iter()
        .filter(|o| o.status == OrderStatus::Confirmed)
        .collect();
    assert_eq!(confirmed.len() as u64, u64::from(L));
    assert!(confirmed
        .iter()
        .all(|o| o.coupon_codes == vec![COUPON.to_owned()]));
}
