//! Model-based property test: random sequences of cart adds, checkouts (approve, decline,
//! unknown outcome), gateway events (some delivered twice), cancels, partial refunds and
//! shipments run against the engine and a simple reference model. After every step:
//! captured − refunded = net paid and matches the model, refunds ≤ captured, stock on hand
//! and reserved match the model (reserved ≥ 0, on hand + sold = initial), every history entry
//! is a legal transition, and every event is published once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

mod engine_common;

use engine_common::*;
use kassa::engine::{Engine, EngineConfig, Principal, StatusUpdate};
use kassa::memory::{CollectingSink, TOKEN_APPROVE, TOKEN_DECLINE, TOKEN_TIMEOUT};
use kassa::order::{
    FulfillmentStatus, Machine, OrderStatus, PaymentStatus, RefundLine, RefundRequest, StateMachine,
};
use kassa::ports::{EventSink, OutboxEvent, PortHealth};
use kassa::{ErrorCode, Money};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const STOCK: u64 = 6;
const COUPON_LIMIT: u32 = 2;
const CUSTOMERS: usize = 2;
const MODEL_SKUS: usize = 3;

/// Counts every publish call per event id (the sink under it de-duplicates, so counting
/// here is what proves the engine publishes each event once).
#[derive(Default)]
struct CountingSink {
    inner: CollectingSink,
    calls: Mutex<HashMap<String, u32>>,
}

#[async_trait::async_trait]
impl EventSink for CountingSink {
    async fn publish(&self, event: OutboxEvent) -> kassa::Result<()> {
        *self
            .calls
            .lock()
            .unwrap()
            .entry(event.id.clone())
            .or_insert(0) += 1;
        self.inner.publish(event).await
    }
    async fn health(&self) -> PortHealth {
        self.inner.health().await
    }
}

#[derive(Debug, Clone, Copy)]
enum Token {
    Approve,
    Decline,
    Timeout,
}

#[derive(Debug, Clone)]
enum Op {
    Add {
        customer: usize,
        sku: usize,
        qty: u32,
    },
    Checkout {
        customer: usize,
        token: Token,
        coupon: bool,
    },
    Settle {
        order: usize,
        approve: bool,
        twice: bool,
    },
    Cancel {
        order: usize,
    },
    Refund {
        order: usize,
        cents: i64,
        by_line: bool,
    },
    Ship {
        order: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..CUSTOMERS, 0..MODEL_SKUS, 1u32..4).prop_map(|(customer, sku, qty)| Op::Add { customer, sku, qty }),
        3 => (0..CUSTOMERS, prop_oneof![Just(Token::Approve), Just(Token::Decline), Just(Token::Timeout)], any::<bool>())
            .prop_map(|(customer, token, coupon)| Op::Checkout { customer, token, coupon }),
        1 => (0usize..8, any::<bool>(), any::<bool>()).prop_map(|(order, approve, twice)| Op::Settle { order, approve, twice }),
        1 => (0usize..8).prop_map(|order| Op::Cancel { order }),
        2 => (0usize..8, 1i64..3000, any::<bool>()).prop_map(|(order, cents, by_line)| Op::Refund { order, cents, by_line }),
        1 => (0usize..8).prop_map(|order| Op::Ship { order }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Res {
    Active,
    Committed,
    Released,
    Restocked,
}

#[derive(Debug, Clone)]
struct MOrder {
    id: String,
    customer: usize,
    demand: [u64; MODEL_SKUS],
    total: i64,
    line0: (String, i64),
    status: OrderStatus,
    pay: PaymentStatus,
    captured: i64,
    refunded: i64,
    line0_refunded: i64,
    shipped: bool,
    res: Res,
    coupon: bool,
}

#[derive(Debug, Default)]
struct Model {
    on_hand: [u64; MODEL_SKUS],
    reserved: [u64; MODEL_SKUS],
    carts: [Vec<(usize, u32)>; CUSTOMERS],
    orders: Vec<MOrder>,
    coupon_used: u64,
    placed: usize,
    failed: usize,
}

impl Model {
    fn demand(&self, c: usize) -> [u64; MODEL_SKUS] {
        let mut d = [0; MODEL_SKUS];
        for (s, q) in &self.carts[c] {
            d[*s] += u64::from(*q);
        }
        d
    }
    fn available(&self, s: usize) -> u64 {
        self.on_hand[s] - self.reserved[s]
    }
    fn confirm(&mut self, i: usize) {
        let o = &mut self.orders[i];
        for s in 0..MODEL_SKUS {
            self.reserved[s] -= o.demand[s];
            self.on_hand[s] -= o.demand[s];
        }
        o.res = Res::Committed;
        o.status = OrderStatus::Confirmed;
        o.pay = PaymentStatus::Captured;
        o.captured = o.total;
        self.carts[o.customer].clear();
        self.placed += 1;
    }
    fn fail(&mut self, i: usize) {
        let o = &mut self.orders[i];
        for s in 0..MODEL_SKUS {
            self.reserved[s] -= o.demand[s];
        }
        o.res = Res::Released;
        o.status = OrderStatus::Cancelled;
        o.pay = PaymentStatus::Failed;
        if o.coupon {
            self.coupon_used -= 1;
        }
        self.failed += 1;
    }
}

fn cents(m: &Money) -> i64 {
    i64::try_from(m.to_minor().unwrap()).unwrap()
}

fn money(c: i64) -> Money {
    Money::from_minor(c, kassa::Currency::from_code("USD").unwrap())
}

fn legal<S: StateMachine>(from: &str, to: &str) -> bool {
    S::TABLE
        .iter()
        .any(|t| t.from.name() == from && t.to.name() == to)
}

struct Harness {
    w: World,
    engine: Engine,
    sink: Arc<CountingSink>,
}

fn harness() -> Harness {
    let w = world(STOCK, Some(COUPON_LIMIT));
    let sink = Arc::new(CountingSink::default());
    let mut ports = w.mem.ports();
    ports.events = sink.clone();
    let engine = Engine::new(ports, EngineConfig::default()).unwrap();
    Harness { w, engine, sink }
}

fn step(h: &Harness, m: &mut Model, op: &Op) {
    let customer = |c: usize| Principal::customer(format!("c{c}"));
    match *op {
        Op::Add {
            customer: c,
            sku,
            qty,
        } => {
            let cart_id = format!("cart-{c}");
            let res = run(h.engine.add_to_cart(&customer(c), &cart_id, SKUS[sku], qty));
            let want = m.demand(c)[sku] + u64::from(qty) <= m.available(sku);
            assert_eq!(res.is_ok(), want, "{op:?}: {res:?}");
            if want {
                match m.carts[c].iter_mut().find(|(s, _)| *s == sku) {
                    Some((_, q)) => *q += qty,
                    None => m.carts[c].push((sku, qty)),
                }
            } else {
                assert_eq!(res.unwrap_err().code, ErrorCode::OutOfStock);
            }
        }
        Op::Checkout {
            customer: c,
            token,
            coupon,
        } => {
            let mut req = request(
                &format!("cart-{c}"),
                match token {
                    Token::Approve => TOKEN_APPROVE,
                    Token::Decline => TOKEN_DECLINE,
                    Token::Timeout => TOKEN_TIMEOUT,
                },
            );
            if coupon {
                req.coupon_codes = vec![COUPON.into()];
            }
            let res = run(h.engine.checkout(&customer(c), None, req));
            let demand = m.demand(c);
            if m.carts[c].is_empty() {
                assert_eq!(res.unwrap_err().code, ErrorCode::ValidationError);
                return;
            }
            if coupon && m.coupon_used >= u64::from(COUPON_LIMIT) {
                assert_eq!(res.unwrap_err().details[0].field, "couponCodes");
                return;
            }
            if (0..MODEL_SKUS).any(|s| demand[s] > m.available(s)) {
                assert_eq!(res.unwrap_err().code, ErrorCode::OutOfStock, "{op:?}");
                return;
            }
            let order_id = match &res {
                Ok(o) => o.id.clone(),
                Err(e) => {
                    assert_eq!(e.code, ErrorCode::PaymentDeclined, "{op:?}: {e:?}");
                    e.meta["orderId"].as_str().unwrap().to_owned()
                }
            };
            let actual = run(h.engine.get_order(&customer(c), &order_id)).unwrap();
            let subtotal: i64 = (0..MODEL_SKUS)
                .map(|s| demand[s] as i64 * cents(&usd(PRICES[s])))
                .sum();
            assert_eq!(cents(&actual.totals.subtotal), subtotal);
            let expected_total = if coupon {
                subtotal - (subtotal + 5) / 10
            } else {
                subtotal
            };
            assert_eq!(
                cents(&actual.totals.total),
                expected_total,
                "10 % coupon, half-up"
            );
            let i = m.orders.len();
            m.orders.push(MOrder {
                id: order_id,
                customer: c,
                demand,
                total: expected_total,
                line0: (
                    actual.lines[0].line_id.clone(),
                    cents(&actual.lines[0].total),
                ),
                status: OrderStatus::Pending,
                pay: PaymentStatus::Pending,
                captured: 0,
                refunded: 0,
                line0_refunded: 0,
                shipped: false,
                res: Res::Active,
                coupon,
            });
            for s in 0..MODEL_SKUS {
                m.reserved[s] += demand[s];
            }
            if coupon {
                m.coupon_used += 1;
            }
            match token {
                Token::Approve => m.confirm(i),
                Token::Decline => m.fail(i),
                Token::Timeout => {}
            }
        }
        Op::Settle {
            order,
            approve,
            twice,
        } => {
            let Some(o) = m.orders.get(order).cloned() else {
                return;
            };
            let events = h.w.mem.gateway.settle(&o.id, approve, t0()).unwrap();
            let unsettled = o.status == OrderStatus::Pending;
            assert_eq!(events.len(), usize::from(unsettled), "{o:?}");
            for e in &events {
                run(h.engine.apply_gateway_event(&system(), e.clone())).unwrap();
                if twice {
                    let again = run(h.engine.apply_gateway_event(&system(), e.clone())).unwrap();
                    assert_eq!(again, kassa::payment::EventEffect::Duplicate);
                }
            }
            if unsettled {
                if approve {
                    m.confirm(order);
                } else {
                    m.fail(order);
                }
            }
        }
        Op::Cancel { order } => {
            let Some(o) = m.orders.get(order).cloned() else {
                return;
            };
            let res = run(h.engine.cancel_order(&customer(o.customer), &o.id, "model"));
            let allowed = o.status == OrderStatus::Confirmed && !o.shipped;
            assert_eq!(res.is_ok(), allowed, "{o:?} {res:?}");
            if !allowed {
                assert_eq!(res.unwrap_err().code, ErrorCode::Conflict);
                return;
            }
            let mo = &mut m.orders[order];
            mo.status = OrderStatus::Cancelled;
            mo.refunded = mo.captured;
            mo.pay = PaymentStatus::Refunded;
            mo.res = Res::Restocked;
            for s in 0..MODEL_SKUS {
                m.on_hand[s] += mo.demand[s];
            }
            if mo.coupon {
                m.coupon_used -= 1;
            }
        }
        Op::Refund {
            order,
            cents: amount,
            by_line,
        } => {
            let Some(o) = m.orders.get(order).cloned() else {
                return;
            };
            let lines = if by_line {
                vec![RefundLine {
                    line_id: o.line0.0.clone(),
                    amount: money(amount),
                }]
            } else {
                vec![]
            };
            let res = run(h.engine.refund_order(
                &admin(),
                &o.id,
                RefundRequest {
                    amount: money(amount),
                    lines,
                    reason: "model".into(),
                },
            ));
            let line_ok = !by_line || o.line0_refunded + amount <= o.line0.1;
            let allowed = amount <= o.captured - o.refunded && line_ok;
            assert_eq!(res.is_ok(), allowed, "{o:?} refund {amount}: {res:?}");
            if allowed {
                let mo = &mut m.orders[order];
                mo.refunded += amount;
                if by_line {
                    mo.line0_refunded += amount;
                }
                mo.pay = if mo.refunded == mo.captured {
                    PaymentStatus::Refunded
                } else {
                    PaymentStatus::PartiallyRefunded
                };
            } else {
                assert_eq!(res.unwrap_err().code, ErrorCode::ValidationError);
            }
        }
        Op::Ship { order } => {
            let Some(o) = m.orders.get(order).cloned() else {
                return;
            };
            let res = run(h.engine.update_order_status(
                &admin(),
                &o.id,
                StatusUpdate::Ship { lines: None },
                "model",
            ));
            let allowed = o.status == OrderStatus::Confirmed && !o.shipped;
            assert_eq!(res.is_ok(), allowed, "{o:?} {res:?}");
            if allowed {
                m.orders[order].shipped = true;
            }
        }
    }
}

fn check(h: &Harness, m: &Model) {
    // Stock: equal to the model; reserved within on hand; on hand + sold = initial.
    for s in 0..MODEL_SKUS {
        let (on_hand, reserved) = on_hand(&h.w, SKUS[s]);
        assert_eq!(
            (on_hand, reserved),
            (m.on_hand[s], m.reserved[s]),
            "{}",
            SKUS[s]
        );
        assert!(reserved <= on_hand);
        let sold: u64 = m
            .orders
            .iter()
            .filter(|o| o.res == Res::Committed)
            .map(|o| o.demand[s])
            .sum();
        assert_eq!(on_hand + sold, STOCK, "conservation of {}", SKUS[s]);
        let held: u64 = m
            .orders
            .iter()
            .filter(|o| o.res == Res::Active)
            .map(|o| o.demand[s])
            .sum();
        assert_eq!(reserved, held);
    }
    // Orders: money, statuses and legal history.
    for mo in &m.orders {
        let o = run(h.engine.get_order(&admin(), &mo.id)).unwrap();
        assert_eq!(o.status, mo.status, "{mo:?}");
        assert_eq!(o.payment.status, mo.pay, "{mo:?}");
        assert_eq!(cents(&o.payment.captured), mo.captured);
        assert_eq!(cents(&o.payment.refunded), mo.refunded);
        assert!(o.payment.refunded.amount() <= o.payment.captured.amount());
        assert_eq!(
            cents(&o.payment.net_paid().unwrap()),
            mo.captured - mo.refunded
        );
        let refunds: i64 = o.refunds.iter().map(|r| cents(&r.amount)).sum();
        assert_eq!(refunds, mo.refunded, "refund records add up");
        assert_eq!(
            o.fulfillment_status == FulfillmentStatus::Fulfilled,
            mo.shipped
        );
        for e in &o.history {
            let ok = match e.machine {
                Machine::Order => legal::<OrderStatus>(&e.from, &e.to),
                Machine::Payment => legal::<PaymentStatus>(&e.from, &e.to),
                Machine::Fulfillment => legal::<FulfillmentStatus>(&e.from, &e.to),
            };
            assert!(ok, "illegal transition recorded: {e:?}");
        }
    }
    assert_eq!(
        run(kassa::ports::CouponStore::usage(
            h.w.mem.coupons.as_ref(),
            COUPON
        ))
        .unwrap()
        .map_or(0, |u| u.times_used()),
        m.coupon_used
    );
    // Events: each id published exactly once; counts match the model.
    let calls = h.sink.calls.lock().unwrap();
    assert!(
        calls.values().all(|n| *n == 1),
        "an event was published twice: {calls:?}"
    );
    assert_eq!(h.sink.inner.count("order_placed"), m.placed);
    assert_eq!(h.sink.inner.count("payment_failed"), m.failed);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, max_shrink_iters: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_reference_model(ops in prop::collection::vec(op(), 1..25)) {
        let h = harness();
        let mut m = Model { on_hand: [STOCK; MODEL_SKUS], ..Model::default() };
        for c in 0..CUSTOMERS {
            put_cart(&h.w, &format!("cart-{c}"), &format!("c{c}"), &[]);
        }
        for op in &ops {
            step(&h, &mut m, op);
            check(&h, &m);
        }
    }
}
