//! QUBO: exact == brute force, annealing reaches the optimum, the sampler port and fallback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use kassa::optimize::qubo::anneal::{self, AnnealSettings};
use kassa::optimize::qubo::sampler::{self, QuantumSampler, SolveSettings, SolverKind};
use kassa::optimize::qubo::selection::SelectionRequest;
use kassa::optimize::qubo::{exact, Qubo};
use kassa::optimize::rng::Xoshiro256;
use kassa::{KassaError, Result};
use std::future::Future;
use std::pin::pin;
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

fn random_qubo(n: usize, seed: u64) -> Qubo {
    let mut r = Xoshiro256::new(seed);
    let mut q = Qubo::new(n);
    for i in 0..n {
        q.add_linear(i, r.normal());
        for j in (i + 1)..n {
            q.add_coupling(i, j, r.normal());
        }
    }
    q
}

fn brute(q: &Qubo) -> f64 {
    let n = q.n();
    (0u64..(1 << n))
        .map(|m| {
            let x: Vec<bool> = (0..n).map(|i| m >> i & 1 == 1).collect();
            q.energy(&x)
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn exact_equals_brute_force() {
    for seed in 0..40 {
        let n = 1 + (seed as usize % 12);
        let q = random_qubo(n, seed);
        let (x, e) = exact::solve(&q).unwrap();
        let b = brute(&q);
        assert!((e - b).abs() < 1e-9, "seed {seed}: {e} vs {b}");
        assert!((q.energy(&x) - e).abs() < 1e-12);
    }
    assert!(exact::solve(&Qubo::new(31)).is_err());
}

fn random_selection(n: usize, k: usize, seed: u64) -> SelectionRequest {
    let mut r = Xoshiro256::new(seed);
    let f: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..3).map(|_| r.normal() * 0.1).collect())
        .collect();
    let cov: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let d = if i == j {
                        0.02 + 0.03 * ((i * 7 + 3) % 5) as f64 / 5.0
                    } else {
                        0.0
                    };
                    (0..3).map(|k| f[i][k] * f[j][k]).sum::<f64>() + d
                })
                .collect()
        })
        .collect();
    SelectionRequest {
        assets: vec![],
        expected_returns: (0..n).map(|_| 0.05 + 0.1 * r.next_f64()).collect(),
        covariance: cov,
        budget: k,
        risk_aversion: 1.0 + 2.0 * r.next_f64(),
        penalty: None,
        settings: SolveSettings::default(),
    }
}

#[test]
fn selection_exact_matches_subset_brute_force() {
    for seed in 0..6 {
        let req = random_selection(10, 4, seed);
        let m = req.model().unwrap();
        let res = m.solve_classical(&req.settings).unwrap();
        assert_eq!(res.solver, SolverKind::Exact);
        assert_eq!(res.indices.len(), 4);
        // brute force over 4-subsets of the objective return − λ·risk
        let mut best = f64::NEG_INFINITY;
        for mask in 0u32..(1 << 10) {
            if mask.count_ones() != 4 {
                continue;
            }
            let x: Vec<bool> = (0..10).map(|i| mask >> i & 1 == 1).collect();
            best = best.max(m.evaluate(&x).2);
        }
        assert!(
            (res.objective - best).abs() < 1e-12,
            "{} vs {best}",
            res.objective
        );
        assert!((res.energy + res.objective).abs() < 1e-9);
    }
}

#[test]
fn annealing_finds_the_optimum_on_95_percent_of_n20() {
    let trials = 40;
    let mut hits = 0;
    for seed in 0..trials {
        let req = random_selection(20, 5 + (seed as usize % 6), 1000 + seed);
        let m = req.model().unwrap();
        // the optimum over all K-subsets (equal to the QUBO optimum: the exact solver is
        // checked against brute force above; enumerating subsets is cheaper in debug builds)
        let k = m.budget();
        let mut best = f64::NEG_INFINITY;
        for mask in 0u32..(1 << 20) {
            if mask.count_ones() as usize != k {
                continue;
            }
            let x: Vec<bool> = (0..20).map(|i| mask >> i & 1 == 1).collect();
            best = best.max(m.evaluate(&x).2);
        }
        let ee = -best;
        let out = anneal::solve(
            &m.qubo,
            Some(m.budget()),
            &AnnealSettings {
                seed,
                ..AnnealSettings::default()
            },
        )
        .unwrap();
        assert_eq!(out.x.iter().filter(|b| **b).count(), m.budget());
        if (out.energy - ee).abs() <= 1e-9 * (1.0 + ee.abs()) {
            hits += 1;
        }
    }
    eprintln!("annealing hit the exact optimum on {hits}/{trials} instances");
    assert!(
        hits * 100 >= trials * 95,
        "annealing hit the optimum {hits}/{trials}"
    );
    // unconstrained single-flip annealing on a general QUBO
    let q = random_qubo(16, 5);
    let out = anneal::solve(&q, None, &AnnealSettings::default()).unwrap();
    assert!((out.energy - exact::solve(&q).unwrap().1).abs() < 1e-9);
    // reproducible
    let again = anneal::solve(&q, None, &AnnealSettings::default()).unwrap();
    assert_eq!(out, again);
}

struct FakeSampler {
    available: bool,
    fail: bool,
    answer: Vec<Vec<bool>>,
}

#[async_trait::async_trait]
impl QuantumSampler for FakeSampler {
    fn name(&self) -> String {
        "fake-qpu".into()
    }
    async fn available(&self) -> bool {
        self.available
    }
    async fn sample(&self, _q: &Qubo, _reads: usize) -> Result<Vec<Vec<bool>>> {
        if self.fail {
            Err(KassaError::unavailable("queue full", 30))
        } else {
            Ok(self.answer.clone())
        }
    }
}

#[test]
fn sampler_first_then_fallback_with_reasons() {
    let req = random_selection(8, 3, 9);
    let m = req.model().unwrap();
    let s = SolveSettings::default();
    let none = block_on(m.solve(&s, None)).unwrap();
    assert_eq!(none.solver, SolverKind::Exact);
    assert!(
        none.reason.contains("no quantum sampler registered"),
        "{}",
        none.reason
    );

    let good = vec![true, true, true, false, false, false, false, false];
    let ok = FakeSampler {
        available: true,
        fail: false,
        answer: vec![good.clone()],
    };
    let r = block_on(m.solve(&s, Some(&ok))).unwrap();
    assert_eq!(r.solver, SolverKind::Quantum);
    assert_eq!(r.indices, vec![0, 1, 2]);

    let down = FakeSampler {
        available: false,
        fail: false,
        answer: vec![],
    };
    let r = block_on(m.solve(&s, Some(&down))).unwrap();
    assert_eq!(r.solver, SolverKind::Exact);
    assert!(r.reason.contains("unavailable"));

    let failing = FakeSampler {
        available: true,
        fail: true,
        answer: vec![],
    };
    let r = block_on(m.solve(&s, Some(&failing))).unwrap();
    assert!(r.reason.contains("failed: queue full"), "{}", r.reason);
    assert_eq!(r.objective, none.objective);

    let infeasible = FakeSampler {
        available: true,
        fail: false,
        answer: vec![vec![true; 8]],
    };
    let r = block_on(m.solve(&s, Some(&infeasible))).unwrap();
    assert!(r.reason.contains("no feasible sample"));

    let mut anneal_only = s;
    anneal_only.classical = sampler::ClassicalChoice::Annealing;
    let r = block_on(m.solve(&anneal_only, None)).unwrap();
    assert_eq!(r.solver, SolverKind::Annealing);
    assert!(r.spin_updates > 0);
    assert_eq!(r.objective, none.objective);
}
