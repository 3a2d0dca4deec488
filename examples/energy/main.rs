//! Energy procurement with kassa's optimizer.
//!
//! Reads the bundled daily prices of 12 energy contracts (crude oil, natural gas, power,
//! renewable certificates; `examples/data/energy_prices.csv`, made by the seeded generator
//! in `generator.rs`) through a `MarketDataSource` with a 5-minute TTL cache, estimates
//! returns and a Ledoit-Wolf covariance, optimizes the procurement mix with bounds and
//! sector caps, draws the efficient frontier as SVG, applies scenario shocks (gas +30%,
//! crude −10%, demand +15%), reports VaR/CVaR, and selects 4 contracts with the QUBO
//! solver (a quantum sampler is registered but unavailable, so the classical solver answers).
//!
//! ```text
//! cargo run -p kassa-examples --bin energy -- [--svg PATH] [--generate CSV_PATH]
//! ```
//! The SVG goes to `target/energy_frontier.svg` unless `--svg` says otherwise.

mod generator;
mod svg;

use kassa::memory::ManualClock;
use kassa::optimize::covariance::PsdPolicy;
use kassa::optimize::frontier::efficient_frontier;
use kassa::optimize::market::{CachedMarketData, MarketDataSource, MarketQuery};
use kassa::optimize::portfolio::{GroupCap, PortfolioProblem, PortfolioResult};
use kassa::optimize::qubo::anneal::AnnealSettings;
use kassa::optimize::qubo::sampler::{ClassicalChoice, QuantumSampler, SolveSettings};
use kassa::optimize::qubo::selection::SelectionRequest;
use kassa::optimize::qubo::Qubo;
use kassa::optimize::returns::{self, Alignment, PriceObservation, ReturnKind};
use kassa::optimize::risk;
use kassa::optimize::scenario::{
    self, Estimator, Objective, PortfolioConstraints, ScenarioRequest, Shock,
};
use kassa::{KassaError, Result};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

const BUNDLED: &str = include_str!("../data/energy_prices.csv");

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A market feed over the bundled CSV (a real host would call an exchange API).
struct CsvFeed {
    rows: Vec<PriceObservation>,
}

impl CsvFeed {
    fn parse(text: &str) -> Result<Self> {
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let mut parts = line.split(',');
            let (Some(date), Some(asset), Some(price)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(KassaError::validation(
                    format!("line {}", i + 1),
                    "expected date,asset,price",
                ));
            };
            let price: f64 = price.trim().parse().map_err(|_| {
                KassaError::validation(format!("line {}", i + 1), "price is not a number")
            })?;
            rows.push(PriceObservation {
                date: date.into(),
                asset: asset.into(),
                price,
            });
        }
        Ok(CsvFeed { rows })
    }
}

#[async_trait::async_trait]
impl MarketDataSource for CsvFeed {
    async fn prices(&self, q: &MarketQuery) -> Result<Vec<PriceObservation>> {
        Ok(self
            .rows
            .iter()
            .filter(|o| q.assets.contains(&o.asset) && o.date >= q.from && o.date <= q.to)
            .cloned()
            .collect())
    }
}

/// A quantum sampler that is registered but reports itself unavailable.
struct OfflineQpu;

#[async_trait::async_trait]
impl QuantumSampler for OfflineQpu {
    fn name(&self) -> String {
        "offline-qpu".into()
    }
    async fn available(&self) -> bool {
        false
    }
    async fn sample(&self, _q: &Qubo, _reads: usize) -> Result<Vec<Vec<bool>>> {
        Err(KassaError::unavailable("offline", 60))
    }
}

fn show(label: &str, r: &PortfolioResult) {
    println!(
        "{label}: return {:.2}%  volatility {:.2}%  Sharpe {:.3}  ({} solves, {} iterations, {})",
        r.expected_return * 100.0,
        r.volatility * 100.0,
        r.sharpe,
        r.convergence.solves,
        r.convergence.iterations,
        r.convergence.method
    );
    let mut parts: Vec<String> = r
        .assets
        .iter()
        .zip(&r.weights)
        .filter(|(_, w)| **w > 1e-6)
        .map(|(a, w)| format!("{a} {:.1}%", w * 100.0))
        .collect();
    parts.sort();
    println!("    {}", parts.join(", "));
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(path) = arg("--generate") {
        std::fs::write(&path, generator::generate(generator::SEED))
            .map_err(|e| KassaError::internal(e.to_string()))?;
        println!(
            "wrote {path} (seed {}, {} days)",
            generator::SEED,
            generator::DAYS
        );
        return Ok(());
    }
    let svg_path = arg("--svg").unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/energy_frontier.svg").to_string()
    });

    // 1. market data through the TTL cache
    let clock = Arc::new(ManualClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
            .map_err(|e| KassaError::internal(e.to_string()))?
            .to_utc(),
    ));
    let feed = Arc::new(CsvFeed::parse(BUNDLED)?);
    let cache = CachedMarketData::new(feed, clock.clone());
    let query = MarketQuery {
        assets: generator::CONTRACTS
            .iter()
            .map(|c| c.0.to_string())
            .collect(),
        from: "2024-01-01".into(),
        to: "2025-12-31".into(),
    };
    let first = block_on(cache.prices(&query))?;
    let second = block_on(cache.prices(&query))?;
    clock.advance(chrono::Duration::minutes(6));
    let third = block_on(cache.prices(&query))?;
    println!(
        "market data: {} observations; reads {:?}, {:?}, {:?} (after 6 min); stats {:?}",
        first.observations.len(),
        first.status,
        second.status,
        third.status,
        cache.stats()
    );

    // 2. estimates
    let table = returns::align(&third.observations, Alignment::Intersect)?;
    let est = scenario::estimate(&table, ReturnKind::Simple, Estimator::LedoitWolf, 252.0)?;
    println!(
        "{} contracts x {} days; Ledoit-Wolf shrinkage {:.3}",
        est.assets.len(),
        table.dates.len(),
        est.shrinkage
    );

    // 3. optimize with bounds and sector caps
    let sector = |s: usize| -> Vec<String> {
        generator::CONTRACTS
            .iter()
            .filter(|c| c.1 == s)
            .map(|c| c.0.to_string())
            .collect()
    };
    let constraints = PortfolioConstraints {
        lower: Some(vec![0.02; est.assets.len()]),
        upper: None,
        max_weight: Some(0.25),
        groups: vec![
            GroupCap {
                name: "oil".into(),
                assets: sector(0),
                max: 0.35,
            },
            GroupCap {
                name: "gas".into(),
                assets: sector(1),
                max: 0.35,
            },
            GroupCap {
                name: "power".into(),
                assets: sector(2),
                max: 0.45,
            },
        ],
        risk_free_rate: 0.03,
    };
    let problem: PortfolioProblem = PortfolioProblem {
        psd: PsdPolicy::Check,
        ..est.problem(&constraints)
    };
    let prep = problem.prepare()?;
    let mv = prep.min_variance()?;
    let ms = prep.max_sharpe()?;
    show("minimum variance", &mv);
    show("maximum Sharpe  ", &ms);

    // 4. frontier → SVG
    let frontier = efficient_frontier(&prep, 30)?;
    let curve: Vec<(f64, f64)> = frontier
        .points
        .iter()
        .map(|p| (p.volatility, p.expected_return))
        .collect();
    let mut markers: Vec<svg::Marker> = est
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| svg::Marker {
            x: est.covariance[i][i].sqrt(),
            y: est.expected_returns[i],
            label: a.clone(),
            color: "#888888",
        })
        .collect();
    markers.push(svg::Marker {
        x: mv.volatility,
        y: mv.expected_return,
        label: "min variance".into(),
        color: "#2ca02c",
    });
    markers.push(svg::Marker {
        x: ms.volatility,
        y: ms.expected_return,
        label: "max Sharpe".into(),
        color: "#d62728",
    });
    let doc = svg::frontier_svg(
        &curve,
        &markers,
        "Energy procurement: efficient frontier (bounds 2-25%, sector caps)",
    );
    if let Some(dir) = std::path::Path::new(&svg_path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| KassaError::internal(e.to_string()))?;
    }
    std::fs::write(&svg_path, doc).map_err(|e| KassaError::internal(e.to_string()))?;
    println!(
        "frontier: {} points, {} QP solves -> {svg_path}",
        frontier.points.len(),
        frontier.solves
    );

    // 5. risk of the max-Sharpe mix: 1-day VaR/CVaR on 10 M of purchases
    let notional = 10_000_000.0;
    let rows = &est
        .returns
        .as_ref()
        .map(|r| r.returns.clone())
        .unwrap_or_default();
    let pr = risk::portfolio_returns(&ms.weights, rows)?;
    let hist = risk::empirical(&pr, &risk::DEFAULT_LEVELS)?;
    let n = pr.len() as f64;
    let mean = pr.iter().sum::<f64>() / n;
    let vol = (pr.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let para = risk::parametric(mean, vol, &risk::DEFAULT_LEVELS)?;
    let daily_cov: Vec<f64> = est.covariance.iter().flatten().map(|c| c / 252.0).collect();
    let daily_mu: Vec<f64> = est.expected_returns.iter().map(|m| m / 252.0).collect();
    let mc = risk::monte_carlo(
        &ms.weights,
        &daily_mu,
        &daily_cov,
        &risk::DEFAULT_LEVELS,
        100_000,
        7,
    )?;
    for (name, m) in [
        ("historical", &hist),
        ("parametric", &para),
        ("monte carlo", &mc),
    ] {
        println!(
            "1-day {name:>11}: VaR95 {:>9.0}  CVaR95 {:>9.0}  VaR99 {:>9.0}  CVaR99 {:>9.0}",
            m[0].var * notional,
            m[0].cvar * notional,
            m[1].var * notional,
            m[1].cvar * notional
        );
    }

    // 6. scenario: gas +30%, crude -10%, demand +15%, re-optimized side by side
    let sc = scenario::run(&ScenarioRequest {
        prices: table.clone(),
        return_kind: ReturnKind::Simple,
        estimator: Estimator::LedoitWolf,
        periods_per_year: 252.0,
        weights: Some(ms.weights.clone()),
        objective: Objective::MaxSharpe,
        constraints: constraints.clone(),
        shocks: vec![
            Shock {
                asset: "gas_front".into(),
                change: 0.30,
            },
            Shock {
                asset: "gas_winter".into(),
                change: 0.30,
            },
            Shock {
                asset: "crude_front".into(),
                change: -0.10,
            },
            Shock {
                asset: "crude_q2".into(),
                change: -0.10,
            },
        ],
        demand_scale: 1.15,
        notional,
        reoptimize: true,
    })?;
    println!(
        "scenario (gas +30%, crude -10%, demand x1.15): immediate P&L {:.0}",
        sc.shock_pnl
    );
    println!(
        "{:>12} {:>10} {:>10} {:>8} {:>12}",
        "", "return", "vol", "Sharpe", "VaR99 1d"
    );
    for (label, side) in [
        ("baseline", Some(&sc.baseline)),
        ("shocked", Some(&sc.shocked)),
        ("reoptimized", sc.reoptimized.as_ref()),
    ] {
        if let Some(s) = side {
            println!(
                "{label:>12} {:>9.2}% {:>9.2}% {:>8.3} {:>12.0}",
                s.expected_return * 100.0,
                s.volatility * 100.0,
                s.sharpe,
                s.risk.get(1).map_or(0.0, |m| m.var)
            );
        }
    }

    // 7. QUBO: choose exactly 4 contracts; the registered QPU is offline, so the classical
    //    solver answers (exact for n = 12), then annealing for comparison
    let req = SelectionRequest {
        assets: est.assets.clone(),
        expected_returns: est.expected_returns.clone(),
        covariance: est.covariance.clone(),
        budget: 4,
        risk_aversion: 2.0,
        penalty: None,
        settings: SolveSettings::default(),
    };
    let model = req.model()?;
    let qpu = OfflineQpu;
    let exact = block_on(model.solve(&req.settings, Some(&qpu)))?;
    println!(
        "QUBO selection ({:?}: {}): {:?}, objective {:.4}",
        exact.solver, exact.reason, exact.selected, exact.objective
    );
    let annealing = SolveSettings {
        classical: ClassicalChoice::Annealing,
        anneal: AnnealSettings {
            sweeps: 500,
            reads: 8,
            seed: 1,
        },
        ..SolveSettings::default()
    };
    let sa = model.solve_classical(&annealing)?;
    println!(
        "annealing ({} spin updates): {:?}, objective {:.4} (same as exact: {})",
        sa.spin_updates,
        sa.selected,
        sa.objective,
        (sa.objective - exact.objective).abs() < 1e-12
    );
    Ok(())
}
