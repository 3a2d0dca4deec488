//! Accuracy of kassa's mean-variance solver against clarabel on the bench problems:
//! objective within 1e-6 relative, constraints satisfied to 1e-9.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../optimize_common.rs"]
mod common;

use common::{clarabel_max_sharpe, clarabel_min_variance, problem, stats, CAP};

fn feasible(w: &[f64]) {
    let s: f64 = w.iter().sum();
    assert!((s - 1.0).abs() <= 1e-9, "sum {s}");
    for x in w {
        assert!(*x >= -1e-9 && *x <= CAP + 1e-9, "bound {x}");
    }
}

#[test]
fn kassa_matches_clarabel() {
    for (n, seed) in [(50, 1), (100, 2), (250, 3), (50, 4), (100, 5)] {
        let p = problem(n, seed);
        let prep = p.prepare().unwrap();

        let ours = prep.min_variance().unwrap();
        feasible(&ours.weights);
        let reference = clarabel_min_variance(&p);
        let (v_ours, _) = stats(&p, &ours.weights);
        let (v_ref, _) = stats(&p, &reference);
        let rel = (v_ours - v_ref) / v_ref;
        assert!(
            rel.abs() <= 1e-6,
            "n={n} min variance: {v_ours} vs clarabel {v_ref}"
        );
        assert!(rel <= 1e-9, "n={n}: ours is worse than clarabel by {rel}");

        let ours = prep.max_sharpe().unwrap();
        feasible(&ours.weights);
        let reference = clarabel_max_sharpe(&p);
        let (_, s_ours) = stats(&p, &ours.weights);
        let (_, s_ref) = stats(&p, &reference);
        let rel = (s_ours - s_ref) / s_ref;
        assert!(
            rel.abs() <= 1e-6,
            "n={n} max Sharpe: {s_ours} vs clarabel {s_ref}"
        );
        assert!(rel >= -1e-9, "n={n}: ours is worse than clarabel by {rel}");
    }
}
