//! KKT conditions on random problems (proptest), frontier monotone and convex.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use kassa::optimize::covariance::PsdPolicy;
use kassa::optimize::frontier::efficient_frontier;
use kassa::optimize::portfolio::PortfolioProblem;
use kassa::optimize::rng::Xoshiro256;
use proptest::prelude::*;

/// A factor-model covariance (PD) and returns, from a seed.
pub fn random_problem(n: usize, seed: u64, cap: Option<f64>) -> PortfolioProblem {
    let mut r = Xoshiro256::new(seed);
    let k = 3;
    let f: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..k).map(|_| 0.1 * r.normal()).collect())
        .collect();
    let d: Vec<f64> = (0..n).map(|_| 0.01 + 0.05 * r.next_f64()).collect();
    let cov = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    (0..k).map(|m| f[i][m] * f[j][m]).sum::<f64>() + if i == j { d[i] } else { 0.0 }
                })
                .collect()
        })
        .collect();
    PortfolioProblem {
        assets: vec![],
        expected_returns: (0..n).map(|_| 0.02 + 0.15 * r.next_f64()).collect(),
        covariance: cov,
        lower: None,
        upper: None,
        max_weight: cap,
        groups: vec![],
        risk_free_rate: 0.01,
        psd: PsdPolicy::Check,
    }
}

fn mat_vec(c: &[Vec<f64>], w: &[f64]) -> Vec<f64> {
    c.iter()
        .map(|row| row.iter().zip(w).map(|(a, b)| a * b).sum())
        .collect()
}

/// For `min f` over `{Σw = 1, l ≤ w ≤ u}`: optimal iff no pair (j → i) is a descent
/// direction: max over decreasable g_j ≤ min over increasable g_i.
fn check_pairwise(w: &[f64], g: &[f64], lo: f64, hi: f64, tol: f64) {
    let sum: f64 = w.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9, "sum {sum}");
    for x in w {
        assert!(*x >= lo - 1e-9 && *x <= hi + 1e-9, "bound {x}");
    }
    let inc = w
        .iter()
        .zip(g)
        .filter(|(x, _)| **x < hi - 1e-9)
        .map(|(_, g)| *g)
        .fold(f64::INFINITY, f64::min);
    let dec = w
        .iter()
        .zip(g)
        .filter(|(x, _)| **x > lo + 1e-9)
        .map(|(_, g)| *g)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        dec <= inc + tol,
        "KKT: decreasable gradient {dec} > increasable {inc}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn min_variance_and_max_sharpe_satisfy_kkt(n in 3usize..40, seed in any::<u64>(), capped in any::<bool>()) {
        let cap = if capped { Some((2.5 / n as f64).min(1.0)) } else { None };
        let hi = cap.unwrap_or(1.0);
        let p = random_problem(n, seed, cap);
        let prep = p.prepare().unwrap();
        let mv = prep.min_variance().unwrap();
        let g = mat_vec(&p.covariance, &mv.weights);
        check_pairwise(&mv.weights, &g, 0.0, hi, 1e-10);
        prop_assert!(mv.convergence.kkt_residual < 1e-9);

        let ms = prep.max_sharpe().unwrap();
        let w = &ms.weights;
        let sw = mat_vec(&p.covariance, w);
        let var: f64 = sw.iter().zip(w).map(|(a, b)| a * b).sum();
        let vol = var.sqrt();
        let ex: f64 = p.expected_returns.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() - 0.01;
        // minimize −Sharpe: gradient −(μ − r_f)/σ + ex·Σw/σ³ (the r_f shift is constant on Σw = 1)
        let g: Vec<f64> = (0..n)
            .map(|i| -(p.expected_returns[i] - 0.01) / vol + ex * sw[i] / (vol * vol * vol))
            .collect();
        check_pairwise(w, &g, 0.0, hi, 1e-8);
        prop_assert!(ms.sharpe >= mv.sharpe - 1e-12);
    }
}

#[test]
fn frontier_is_monotone_and_convex() {
    for seed in 0..5 {
        let p = random_problem(30, seed, Some(0.15));
        let prep = p.prepare().unwrap();
        let f = efficient_frontier(&prep, 25).unwrap();
        let pts = &f.points;
        assert_eq!(pts.len(), 25);
        let (r0, r1) = (pts[0].expected_return, pts[24].expected_return);
        for k in 1..pts.len() {
            let target = r0 + (r1 - r0) * k as f64 / 24.0;
            assert!(
                (pts[k].expected_return - target).abs() < 1e-9,
                "point {k} misses its target"
            );
            assert!(pts[k].expected_return > pts[k - 1].expected_return);
            assert!(pts[k].volatility >= pts[k - 1].volatility - 1e-12);
        }
        for k in 1..pts.len() - 1 {
            // equally spaced returns: second difference of volatility is non-negative
            let d2 = pts[k - 1].volatility + pts[k + 1].volatility - 2.0 * pts[k].volatility;
            assert!(d2 >= -1e-10, "not convex at {k}: {d2}");
        }
        // the max-Sharpe portfolio is at least as good as every frontier point
        let ms = prep.max_sharpe().unwrap();
        for pt in pts {
            assert!(ms.sharpe >= pt.sharpe - 1e-9);
        }
    }
}
