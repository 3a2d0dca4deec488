//! Stock conservation over random sequences of reserve / commit / release / expire / adjust /
//! receive / restock / ship on the inventory ledger the in-memory store keeps: on hand moves
//! only by audited adjustments, receipts, commits and restocks; reserved is exactly what
//! active reservations hold; available never goes negative; each reservation is given back
//! at most once; a replayed receipt changes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use kassa::inventory::adjustment::{Adjustment, AdjustmentChange, AdjustmentReason};
use kassa::inventory::reservation::{
    AdjustmentBatch, InventoryLedger, ReservationStatus, ReserveRequest,
};
use kassa::inventory::stock::Demand;
use kassa::memory::MemoryInventory;
use kassa::ports::InventoryStore;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

const SKUS: [&str; 2] = ["A", "B"];
const LOCS: [&str; 2] = ["w1", "w2"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Reserve { sku: usize, qty: u64, ttl: i64 },
    Commit(usize),
    Release(usize),
    Restock(usize),
    Ship(usize),
    Expire(i64),
    Adjust { sku: usize, loc: usize, delta: i64 },
    Receive { sku: usize, loc: usize, qty: i64 },
    ReplayReceipt(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, 1..8u64, 1..60i64).prop_map(|(sku, qty, ttl)| Op::Reserve { sku, qty, ttl }),
        (0..40usize).prop_map(Op::Commit),
        (0..40usize).prop_map(Op::Release),
        (0..40usize).prop_map(Op::Restock),
        (0..40usize).prop_map(Op::Ship),
        (1..40i64).prop_map(Op::Expire),
        (0..2usize, 0..2usize, -6..6i64).prop_map(|(sku, loc, delta)| Op::Adjust {
            sku,
            loc,
            delta
        }),
        (0..2usize, 0..2usize, 1..10i64).prop_map(|(sku, loc, qty)| Op::Receive { sku, loc, qty }),
        (0..10usize).prop_map(Op::ReplayReceipt),
    ]
}

fn adjustment(sku: usize, loc: usize, delta: i64, reason: AdjustmentReason) -> Adjustment {
    Adjustment {
        sku: SKUS[sku].into(),
        location: LOCS[loc].into(),
        change: AdjustmentChange::Delta { quantity: delta },
        reason,
        actor: "prop".into(),
        note: None,
    }
}

/// Runs the sequence and checks the invariants after every step.
fn check(initial: [[u64; 2]; 2], ops: &[Op]) -> Result<(), TestCaseError> {
    let mut l = InventoryLedger::new();
    for (s, row) in initial.iter().enumerate() {
        for (c, n) in row.iter().enumerate() {
            l.book.set_on_hand(SKUS[s], LOCS[c], *n).unwrap();
        }
    }
    // model: expected on hand per (sku, loc)
    let mut on_hand: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (s, row) in initial.iter().enumerate() {
        for (c, n) in row.iter().enumerate() {
            on_hand.insert((SKUS[s].into(), LOCS[c].into()), *n as i64);
        }
    }
    let mut now = t0();
    let mut ids: Vec<String> = Vec::new();
    let mut given_back: HashMap<String, u32> = HashMap::new();
    let mut receipts: Vec<AdjustmentBatch> = Vec::new();
    for (n, op) in ops.iter().enumerate() {
        let before: HashMap<String, ReservationStatus> =
            l.reservations().map(|r| (r.id.clone(), r.status)).collect();
        let pick = |i: &usize| ids.get(i % ids.len().max(1)).cloned();
        match op {
            Op::Reserve { sku, qty, ttl } => {
                let id = format!("r{n}");
                let req = ReserveRequest {
                    reservation_id: id.clone(),
                    reference: "o".into(),
                    items: vec![Demand {
                        sku: SKUS[*sku].into(),
                        quantity: *qty,
                    }],
                    expires_at: now + Duration::minutes(*ttl),
                };
                let avail = l.book.available(SKUS[*sku]);
                match l.reserve(&req, now) {
                    Ok(_) => {
                        prop_assert!(avail >= *qty);
                        ids.push(id);
                    }
                    Err(e) => {
                        prop_assert_eq!(e.code, kassa::ErrorCode::OutOfStock);
                        prop_assert!(avail < *qty);
                    }
                }
            }
            Op::Commit(i) => {
                if let Some(id) = pick(i) {
                    let was = before[&id];
                    let r = l.commit(&id, now);
                    if was == ReservationStatus::Active && r.is_ok() {
                        for a in l.reservation(&id).unwrap().allocations.iter() {
                            *on_hand
                                .get_mut(&(a.sku.clone(), a.location_id.clone()))
                                .unwrap() -= a.quantity as i64;
                        }
                    }
                }
            }
            Op::Release(i) => {
                if let Some(id) = pick(i) {
                    let _ = l.release(&id);
                }
            }
            Op::Restock(i) => {
                if let Some(id) = pick(i) {
                    let was = before[&id];
                    if l.restock(&id).is_ok() && was == ReservationStatus::Committed {
                        for a in l.reservation(&id).unwrap().allocations.iter() {
                            *on_hand
                                .get_mut(&(a.sku.clone(), a.location_id.clone()))
                                .unwrap() += a.quantity as i64;
                        }
                    }
                }
            }
            Op::Ship(i) => {
                // shipping a committed reservation's units moves no stock: they left on
                // hand when the reservation was committed
                if let Some(id) = pick(i) {
                    if before[&id] == ReservationStatus::Committed {
                        let copy = l.clone();
                        prop_assert_eq!(&copy, &l);
                    }
                }
            }
            Op::Expire(minutes) => {
                now += Duration::minutes(*minutes);
                let swept = l.sweep_expired(now).unwrap();
                for r in &swept {
                    prop_assert_eq!(before[&r.id], ReservationStatus::Active);
                    prop_assert!(r.expires_at < now);
                }
            }
            Op::Adjust { sku, loc, delta } => {
                let reason = if *delta < 0 {
                    AdjustmentReason::Damaged
                } else {
                    AdjustmentReason::CountCorrection
                };
                let batch = AdjustmentBatch {
                    id: format!("adj{n}"),
                    adjustments: vec![adjustment(*sku, *loc, *delta, reason)],
                    at: now,
                };
                if let Ok(res) = l.apply_adjustments(&batch) {
                    prop_assert_eq!(res.audit[0].delta, *delta);
                    *on_hand
                        .get_mut(&(SKUS[*sku].into(), LOCS[*loc].into()))
                        .unwrap() += delta;
                }
            }
            Op::Receive { sku, loc, qty } => {
                let batch = AdjustmentBatch {
                    id: format!("rc{n}"),
                    adjustments: vec![adjustment(*sku, *loc, *qty, AdjustmentReason::Received)],
                    at: now,
                };
                l.apply_adjustments(&batch).unwrap();
                *on_hand
                    .get_mut(&(SKUS[*sku].into(), LOCS[*loc].into()))
                    .unwrap() += qty;
                receipts.push(batch);
            }
            Op::ReplayReceipt(i) => {
                if let Some(batch) = receipts.get(i % receipts.len().max(1)) {
                    let copy = l.clone();
                    let res = l.apply_adjustments(batch).unwrap();
                    prop_assert!(res.replayed);
                    prop_assert_eq!(&copy, &l);
                }
            }
        }
        // each reservation is given back (released or expired) at most once
        for r in l.reservations() {
            let was = before.get(&r.id).copied();
            let now_back = matches!(
                r.status,
                ReservationStatus::Released | ReservationStatus::Expired
            );
            if now_back && was == Some(ReservationStatus::Active) {
                *given_back.entry(r.id.clone()).or_insert(0) += 1;
            }
        }
        prop_assert!(given_back.values().all(|n| *n <= 1));
        // reserved is exactly what active reservations hold; on hand matches the model;
        // available never negative
        let mut held: BTreeMap<(String, String), u64> = BTreeMap::new();
        for r in l
            .reservations()
            .filter(|r| r.status == ReservationStatus::Active)
        {
            for a in r.allocations.iter() {
                *held
                    .entry((a.sku.clone(), a.location_id.clone()))
                    .or_insert(0) += a.quantity;
            }
        }
        for level in l.book.all() {
            let key = (level.sku.clone(), level.location_id.clone());
            prop_assert!(level.reserved <= level.on_hand, "{level:?}");
            prop_assert_eq!(level.reserved, held.get(&key).copied().unwrap_or(0));
            prop_assert_eq!(
                level.on_hand as i64,
                on_hand[&key],
                "{:?} after {:?}",
                key,
                op
            );
        }
        // the audit log explains every on-hand change not caused by a sale or a restock
        let audited: i64 = l.audit_log().iter().map(|e| e.delta).sum();
        let initial_total: i64 = initial.iter().flatten().map(|n| *n as i64).sum();
        let committed: i64 = l
            .reservations()
            .filter(|r| r.status == ReservationStatus::Committed)
            .flat_map(|r| r.allocations.iter())
            .map(|a| a.quantity as i64)
            .sum();
        let total: i64 = l.book.all().map(|l| l.on_hand as i64).sum();
        prop_assert_eq!(total, initial_total + audited - committed);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn stock_is_conserved(
        initial in [[0u64..12, 0u64..12], [0u64..12, 0u64..12]],
        ops in prop::collection::vec(op(), 1..60),
    ) {
        check(initial, &ops)?;
    }
}

/// The same kind of sequence through the in-memory port from two threads at once: the
/// totals still add up (each port call is atomic).
#[test]
fn concurrent_port_calls_conserve_stock() {
    let inv = std::sync::Arc::new(MemoryInventory::new());
    futures::executor::block_on(inv.set_on_hand("A", "w1", 100)).unwrap();
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let inv = inv.clone();
            std::thread::spawn(move || {
                futures::executor::block_on(async {
                    for i in 0..200 {
                        let id = format!("t{t}-{i}");
                        let req = ReserveRequest {
                            reservation_id: id.clone(),
                            reference: "o".into(),
                            items: vec![Demand {
                                sku: "A".into(),
                                quantity: 1,
                            }],
                            expires_at: t0() + Duration::hours(1),
                        };
                        if inv.reserve(req, t0()).await.is_ok() {
                            if i % 2 == 0 {
                                inv.commit(&id, t0()).await.unwrap();
                            } else {
                                inv.release(&id).await.unwrap();
                            }
                        }
                        inv.apply_adjustments(AdjustmentBatch {
                            id: format!("rc-{t}-{i}"),
                            adjustments: vec![adjustment(0, 0, 1, AdjustmentReason::Received)],
                            at: t0(),
                        })
                        .await
                        .unwrap();
                    }
                })
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let l = futures::executor::block_on(inv.stock("A")).unwrap();
    let snap = inv.snapshot().unwrap();
    let committed = snap
        .reservations()
        .filter(|r| r.status == ReservationStatus::Committed)
        .count() as u64;
    assert_eq!(
        committed, 200,
        "every even attempt commits (stock never runs out)"
    );
    assert_eq!(l[0].reserved, 0);
    assert_eq!(l[0].on_hand, 100 + 400 - committed);
    assert_eq!(snap.audit_log().len(), 400);
}
