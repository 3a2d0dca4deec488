//! Market data cache (TTL on the Clock port, hit/miss) and scenario runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Duration};
use kassa::memory::ManualClock;
use kassa::optimize::market::{CacheStatus, CachedMarketData, MarketDataSource, MarketQuery};
use kassa::optimize::returns::{PriceObservation, PriceTable};
use kassa::optimize::scenario::{self, Estimator, Objective, ScenarioRequest, Shock};
use kassa::{KassaError, Result};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

struct Feed {
    calls: AtomicUsize,
    fail: bool,
}

#[async_trait::async_trait]
impl MarketDataSource for Feed {
    async fn prices(&self, q: &MarketQuery) -> Result<Vec<PriceObservation>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.fail {
            return Err(KassaError::unavailable("exchange down", 5));
        }
        Ok(q.assets
            .iter()
            .map(|a| PriceObservation {
                date: q.from.clone(),
                asset: a.clone(),
                price: 1.0,
            })
            .collect())
    }
}

#[test]
fn ttl_cache_hits_then_expires() {
    let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let clock = Arc::new(ManualClock::new(t0));
    let feed = Arc::new(Feed {
        calls: AtomicUsize::new(0),
        fail: false,
    });
    let cache = CachedMarketData::new(feed.clone(), clock.clone());
    let q = MarketQuery {
        assets: vec!["gas".into()],
        from: "2026-01-01".into(),
        to: "2026-01-02".into(),
    };
    assert_eq!(
        block_on(cache.prices(&q)).unwrap().status,
        CacheStatus::Miss
    );
    clock.advance(Duration::seconds(299));
    assert_eq!(block_on(cache.prices(&q)).unwrap().status, CacheStatus::Hit);
    clock.advance(Duration::seconds(1));
    assert_eq!(
        block_on(cache.prices(&q)).unwrap().status,
        CacheStatus::Miss
    );
    let other = MarketQuery {
        assets: vec!["oil".into()],
        ..q.clone()
    };
    assert_eq!(
        block_on(cache.prices(&other)).unwrap().status,
        CacheStatus::Miss
    );
    let s = cache.stats();
    assert_eq!((s.hits, s.misses), (1, 3));
    assert_eq!(feed.calls.load(Ordering::SeqCst), 3);

    let failing = CachedMarketData::new(
        Arc::new(Feed {
            calls: AtomicUsize::new(0),
            fail: true,
        }),
        clock,
    );
    assert!(block_on(failing.prices(&q)).is_err());
    assert_eq!(failing.stats().misses, 0);
}

fn table() -> PriceTable {
    let mut prices = Vec::new();
    let (mut a, mut b, mut c) = (70.0, 3.0, 60.0);
    for t in 0..60 {
        let x = ((t * 37 % 11) as f64 - 5.0) / 300.0;
        let y = ((t * 17 % 13) as f64 - 6.0) / 200.0;
        a *= 1.0 + x;
        b *= 1.0 + y;
        c *= 1.0 + 0.5 * x - 0.3 * y + 0.001;
        prices.push(vec![a, b, c]);
    }
    PriceTable {
        assets: vec!["crude".into(), "gas".into(), "power".into()],
        dates: (0..60).map(|i| format!("d{i:03}")).collect(),
        prices,
    }
}

#[test]
fn scenario_side_by_side() {
    let req = ScenarioRequest {
        prices: table(),
        return_kind: Default::default(),
        estimator: Estimator::LedoitWolf,
        periods_per_year: 252.0,
        weights: None,
        objective: Objective::MinVariance,
        constraints: Default::default(),
        shocks: vec![
            Shock {
                asset: "gas".into(),
                change: 0.3,
            },
            Shock {
                asset: "crude".into(),
                change: -0.1,
            },
        ],
        demand_scale: 2.0,
        notional: 100.0,
        reoptimize: true,
    };
    let r = scenario::run(&req).unwrap();
    assert_eq!(r.baseline.weights, r.shocked.weights);
    assert_eq!(r.shocked.exposure, 200.0);
    let expect_pnl = 200.0 * (0.3 * r.baseline.weights[1] - 0.1 * r.baseline.weights[0]);
    assert!((r.shock_pnl - expect_pnl).abs() < 1e-9);
    // gas drifts up in the shocked series
    let shocked = scenario::shock_prices(&req.prices, &req.shocks).unwrap();
    let last = shocked.prices.last().unwrap();
    assert!((last[1] / req.prices.prices.last().unwrap()[1] - 1.3).abs() < 1e-12);
    let reopt = r.reoptimized.unwrap();
    assert!(
        reopt.volatility <= r.shocked.volatility + 1e-12,
        "min variance re-optimized is not riskier"
    );
    let mut bad = req.clone();
    bad.shocks[0].asset = "coal".into();
    assert_eq!(
        scenario::run(&bad).unwrap_err().details[0].field,
        "shocks[0].asset"
    );
}
