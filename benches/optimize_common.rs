//! Shared by `benches/optimize.rs` and `tests/optimize_accuracy.rs`: the benchmark problems
//! and the `clarabel` reference formulations.
#![allow(dead_code, clippy::indexing_slicing)]

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
use kassa::optimize::covariance::PsdPolicy;
use kassa::optimize::portfolio::PortfolioProblem;
use kassa::optimize::rng::Xoshiro256;

/// Risk-free rate of the max-Sharpe benches.
pub const RF: f64 = 0.02;
/// Per-asset cap.
pub const CAP: f64 = 0.05;

/// A factor-model problem: 5 factors, idiosyncratic variance, long-only, 5% cap.
pub fn problem(n: usize, seed: u64) -> PortfolioProblem {
    let mut r = Xoshiro256::new(seed);
    let k = 5;
    let f: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..k).map(|_| 0.08 * r.normal()).collect())
        .collect();
    let d: Vec<f64> = (0..n).map(|_| 0.01 + 0.06 * r.next_f64()).collect();
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
        expected_returns: (0..n).map(|_| 0.03 + 0.12 * r.next_f64()).collect(),
        covariance: cov,
        lower: None,
        upper: None,
        max_weight: Some(CAP),
        groups: vec![],
        risk_free_rate: RF,
        psd: PsdPolicy::Check,
    }
}

fn upper_csc(c: &[Vec<f64>], extra: usize) -> CscMatrix<f64> {
    // upper triangle of c, padded with `extra` zero rows/cols
    let n = c.len();
    let m = n + extra;
    let mut colptr = vec![0];
    let mut rowval = vec![];
    let mut nzval = vec![];
    for j in 0..m {
        if j < n {
            for (i, row) in c.iter().enumerate().take(j + 1) {
                rowval.push(i);
                nzval.push(row[j]);
            }
        }
        colptr.push(rowval.len());
    }
    CscMatrix::new(m, m, colptr, rowval, nzval)
}

fn dense_csc(rows: &[Vec<f64>], ncols: usize) -> CscMatrix<f64> {
    let mut colptr = vec![0];
    let mut rowval = vec![];
    let mut nzval = vec![];
    for j in 0..ncols {
        for (i, row) in rows.iter().enumerate() {
            if row[j] != 0.0 {
                rowval.push(i);
                nzval.push(row[j]);
            }
        }
        colptr.push(rowval.len());
    }
    CscMatrix::new(rows.len(), ncols, colptr, rowval, nzval)
}

fn settings() -> clarabel::solver::DefaultSettings<f64> {
    DefaultSettingsBuilder::default()
        .verbose(false)
        .tol_gap_abs(1e-10)
        .tol_gap_rel(1e-10)
        .tol_feas(1e-10)
        .build()
        .unwrap()
}

/// Clarabel: `min ½wᵀΣw s.t. Σw = 1, 0 ≤ w ≤ cap`. Returns the weights.
pub fn clarabel_min_variance(p: &PortfolioProblem) -> Vec<f64> {
    let n = p.expected_returns.len();
    let pm = upper_csc(&p.covariance, 0);
    let q = vec![0.0; n];
    let mut rows = vec![vec![1.0; n]];
    let mut b = vec![1.0];
    for i in 0..n {
        let mut r = vec![0.0; n];
        r[i] = -1.0;
        rows.push(r);
        b.push(0.0);
    }
    for i in 0..n {
        let mut r = vec![0.0; n];
        r[i] = 1.0;
        rows.push(r);
        b.push(CAP);
    }
    let a = dense_csc(&rows, n);
    let cones = [
        SupportedConeT::ZeroConeT(1),
        SupportedConeT::NonnegativeConeT(2 * n),
    ];
    let mut s = DefaultSolver::new(&pm, &q, &a, &b, &cones, settings()).unwrap();
    s.solve();
    s.solution.x.clone()
}

/// Clarabel, homogenised max Sharpe: variables `(y, κ)`,
/// `min ½yᵀΣy s.t. (μ − r_f)ᵀy = 1, Σy − κ = 0, y ≥ 0, y ≤ cap·κ`; `w = y/κ`.
pub fn clarabel_max_sharpe(p: &PortfolioProblem) -> Vec<f64> {
    let n = p.expected_returns.len();
    let pm = upper_csc(&p.covariance, 1);
    let q = vec![0.0; n + 1];
    let mut rows = vec![];
    let mut b = vec![];
    let mut r0: Vec<f64> = p.expected_returns.iter().map(|m| m - RF).collect();
    r0.push(0.0);
    rows.push(r0);
    b.push(1.0);
    let mut r1 = vec![1.0; n];
    r1.push(-1.0);
    rows.push(r1);
    b.push(0.0);
    for i in 0..n {
        let mut r = vec![0.0; n + 1];
        r[i] = -1.0;
        rows.push(r);
        b.push(0.0);
    }
    for i in 0..n {
        let mut r = vec![0.0; n + 1];
        r[i] = 1.0;
        r[n] = -CAP;
        rows.push(r);
        b.push(0.0);
    }
    let a = dense_csc(&rows, n + 1);
    let cones = [
        SupportedConeT::ZeroConeT(2),
        SupportedConeT::NonnegativeConeT(2 * n),
    ];
    let mut s = DefaultSolver::new(&pm, &q, &a, &b, &cones, settings()).unwrap();
    s.solve();
    let x = &s.solution.x;
    let kappa = x[n];
    x[..n].iter().map(|y| y / kappa).collect()
}

/// `(variance, sharpe)` of weights.
pub fn stats(p: &PortfolioProblem, w: &[f64]) -> (f64, f64) {
    let var: f64 = p
        .covariance
        .iter()
        .zip(w)
        .map(|(row, wi)| wi * row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>())
        .sum();
    let ret: f64 = p.expected_returns.iter().zip(w).map(|(a, b)| a * b).sum();
    (var, (ret - RF) / var.sqrt())
}
