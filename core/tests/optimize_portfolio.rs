//! Mean-variance portfolios: closed-form optima, errors, KKT on random problems, frontier.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use kassa::optimize::covariance::PsdPolicy;
use kassa::optimize::portfolio::{GroupCap, PortfolioProblem};
use kassa::ErrorCode;

fn problem(mu: Vec<f64>, cov: Vec<Vec<f64>>) -> PortfolioProblem {
    PortfolioProblem {
        assets: vec![],
        expected_returns: mu,
        covariance: cov,
        lower: None,
        upper: None,
        max_weight: None,
        groups: vec![],
        risk_free_rate: 0.0,
        psd: PsdPolicy::Check,
    }
}

#[test]
fn two_asset_min_variance_closed_form() {
    let (s1, s2, rho) = (0.2f64, 0.3f64, 0.25f64);
    let c12 = rho * s1 * s2;
    let p = problem(
        vec![0.05, 0.1],
        vec![vec![s1 * s1, c12], vec![c12, s2 * s2]],
    );
    let r = p.prepare().unwrap().min_variance().unwrap();
    let w1 = (s2 * s2 - c12) / (s1 * s1 + s2 * s2 - 2.0 * c12);
    assert!((r.weights[0] - w1).abs() < 1e-12, "{:?} vs {w1}", r.weights);
    assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn three_asset_diagonal_closed_forms() {
    let var = [0.04, 0.09, 0.16];
    let mu = vec![0.06, 0.08, 0.12];
    let cov = (0..3)
        .map(|i| (0..3).map(|j| if i == j { var[i] } else { 0.0 }).collect())
        .collect();
    let mut p = problem(mu.clone(), cov);
    p.risk_free_rate = 0.02;
    let prep = p.prepare().unwrap();
    let mv = prep.min_variance().unwrap();
    let inv: f64 = var.iter().map(|v| 1.0 / v).sum();
    for i in 0..3 {
        assert!((mv.weights[i] - 1.0 / var[i] / inv).abs() < 1e-12);
    }
    let ms = prep.max_sharpe().unwrap();
    let raw: Vec<f64> = (0..3).map(|i| (mu[i] - 0.02) / var[i]).collect();
    let tot: f64 = raw.iter().sum();
    for i in 0..3 {
        assert!(
            (ms.weights[i] - raw[i] / tot).abs() < 1e-10,
            "{:?} vs {:?}",
            ms.weights,
            raw
        );
    }
    // target return on the frontier hits the target exactly
    let er = prep.efficient_return(0.09).unwrap();
    assert!(
        (er.expected_return - 0.09).abs() < 1e-12,
        "{}",
        er.expected_return
    );
    let ek = prep.efficient_risk(0.2).unwrap();
    assert!((ek.volatility - 0.2).abs() < 1e-10, "{}", ek.volatility);
}

#[test]
fn bounds_and_groups_bind() {
    let cov = vec![
        vec![0.04, 0.0, 0.0, 0.0],
        vec![0.0, 0.04, 0.0, 0.0],
        vec![0.0, 0.0, 0.04, 0.0],
        vec![0.0, 0.0, 0.0, 0.09],
    ];
    let mut p = problem(vec![0.1, 0.1, 0.1, 0.1], cov);
    p.assets = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    p.max_weight = Some(0.3);
    p.groups = vec![GroupCap {
        name: "ab".into(),
        assets: vec!["a".into(), "b".into()],
        max: 0.4,
    }];
    let r = p.prepare().unwrap().min_variance().unwrap();
    let w = &r.weights;
    assert!((w[0] + w[1] - 0.4).abs() < 1e-12, "{w:?}");
    assert!((w[2] - 0.3).abs() < 1e-12, "{w:?}");
    assert!((w[3] - 0.3).abs() < 1e-12, "{w:?}");
}

#[test]
fn infeasible_and_non_pd_are_named() {
    let cov = vec![vec![0.04, 0.0], vec![0.0, 0.09]];
    let mut p = problem(vec![0.1, 0.2], cov);
    p.upper = Some(vec![0.3, 0.4]);
    let e = p.prepare().unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationError);
    assert!(e.message.contains("upper bounds sum to"), "{e}");
    assert_eq!(e.details[0].field, "upper");

    let bad = problem(vec![0.1, 0.2], vec![vec![1.0, 1.5], vec![1.5, 1.0]]);
    let e = bad.prepare().unwrap_err();
    assert!(e.message.contains("not positive definite"), "{e}");
    let mut fixed = bad.clone();
    fixed.psd = PsdPolicy::Repair;
    let prep = fixed.prepare().unwrap();
    assert_eq!(prep.repaired_eigenvalues, 1);
    assert!(prep.min_variance().is_ok());
}
