//! Optimize benches: kassa's active-set mean-variance solver against `clarabel` (interior
//! point) on identical problems (long-only, 5% cap), min variance and max Sharpe at
//! n = 50..1000; a 20-point frontier at n = 250; QUBO exact n = 20 and annealing; the
//! optimizer's blocked Cholesky against nalgebra's on the same covariance matrices.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "optimize_common.rs"]
mod common;

use common::{clarabel_max_sharpe, clarabel_min_variance, problem};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kassa::optimize::cholesky::Cholesky;
use kassa::optimize::covariance::PsdPolicy;
use kassa::optimize::frontier::efficient_frontier;
use kassa::optimize::qubo::anneal::{self, AnnealSettings};
use kassa::optimize::qubo::exact;
use kassa::optimize::qubo::selection::SelectionRequest;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [usize; 5] = [50, 100, 250, 500, 1000];

fn mean_variance(c: &mut Criterion) {
    for (name, sharpe) in [("min_variance", false), ("max_sharpe", true)] {
        let mut g = c.benchmark_group(format!("optimize/{name}"));
        g.sample_size(10);
        for n in SIZES {
            let p = problem(n, n as u64);
            // kassa, full operation: validation, whole-matrix Cholesky check, solve
            g.bench_with_input(BenchmarkId::new("kassa", n), &p, |b, p| {
                b.iter(|| {
                    let prep = p.prepare().unwrap();
                    black_box(
                        if sharpe {
                            prep.max_sharpe()
                        } else {
                            prep.min_variance()
                        }
                        .unwrap(),
                    )
                })
            });
            let mut trusted = p.clone();
            trusted.psd = PsdPolicy::Trust;
            g.bench_with_input(BenchmarkId::new("kassa_trust", n), &trusted, |b, p| {
                b.iter(|| {
                    let prep = p.prepare().unwrap();
                    black_box(
                        if sharpe {
                            prep.max_sharpe()
                        } else {
                            prep.min_variance()
                        }
                        .unwrap(),
                    )
                })
            });
            if n <= 500 {
                g.bench_with_input(BenchmarkId::new("clarabel", n), &p, |b, p| {
                    b.iter(|| {
                        black_box(if sharpe {
                            clarabel_max_sharpe(p)
                        } else {
                            clarabel_min_variance(p)
                        })
                    })
                });
            } else {
                // one timed run: clarabel needs seconds here
                let t = Instant::now();
                black_box(if sharpe {
                    clarabel_max_sharpe(&p)
                } else {
                    clarabel_min_variance(&p)
                });
                eprintln!("optimize/{name}/clarabel/{n}: single run {:?}", t.elapsed());
            }
        }
        g.finish();
    }
}

fn cholesky(c: &mut Criterion) {
    let mut g = c.benchmark_group("optimize/cholesky");
    g.sample_size(10);
    for n in SIZES {
        let p = problem(n, n as u64);
        let flat: Vec<f64> = p.covariance.iter().flatten().copied().collect();
        g.bench_with_input(BenchmarkId::new("kassa", n), &flat, |b, a| {
            b.iter(|| black_box(Cholesky::factor(a, n).unwrap()))
        });
        g.bench_with_input(BenchmarkId::new("nalgebra", n), &flat, |b, a| {
            b.iter(|| {
                black_box(
                    nalgebra::DMatrix::from_row_slice(n, n, a)
                        .cholesky()
                        .unwrap(),
                )
            })
        });
    }
    g.finish();
}

fn frontier(c: &mut Criterion) {
    let mut g = c.benchmark_group("optimize/frontier20");
    g.sample_size(10);
    let p = problem(250, 250).prepare().unwrap();
    g.bench_function("kassa/250", |b| {
        b.iter(|| black_box(efficient_frontier(&p, 20).unwrap()))
    });
    g.finish();
}

fn qubo(c: &mut Criterion) {
    let mut g = c.benchmark_group("optimize/qubo");
    g.sample_size(10);
    let p = problem(20, 7);
    let req = SelectionRequest {
        assets: vec![],
        expected_returns: p.expected_returns.clone(),
        covariance: p.covariance.clone(),
        budget: 6,
        risk_aversion: 2.0,
        penalty: None,
        settings: Default::default(),
    };
    let m = req.model().unwrap();
    g.bench_function("exact/20", |b| {
        b.iter(|| black_box(exact::solve(&m.qubo).unwrap()))
    });
    let s = AnnealSettings::default();
    g.bench_function("anneal_swap/20_default", |b| {
        b.iter(|| black_box(anneal::solve(&m.qubo, Some(6), &s).unwrap()))
    });
    g.finish();
    // cost per spin update, on a bigger instance
    for n in [20usize, 100, 500] {
        let p = problem(n.max(20), 11);
        let req = SelectionRequest {
            expected_returns: p.expected_returns.clone(),
            covariance: p.covariance.clone(),
            budget: n / 4,
            ..req.clone()
        };
        let m = req.model().unwrap();
        for (label, budget) in [("swap", Some(n / 4)), ("flip", None)] {
            let s = AnnealSettings {
                sweeps: 200,
                reads: 4,
                seed: 1,
            };
            let t = Instant::now();
            let mut updates = 0;
            let mut runs = 0;
            while t.elapsed() < Duration::from_millis(500) {
                updates += anneal::solve(&m.qubo, budget, &s).unwrap().spin_updates;
                runs += 1;
            }
            let ns = t.elapsed().as_nanos() as f64 / updates as f64;
            eprintln!("optimize/qubo/anneal_{label}/{n}: {ns:.1} ns per spin update ({runs} runs)");
        }
    }
}

criterion_group!(benches, mean_variance, cholesky, frontier, qubo);
criterion_main!(benches);
