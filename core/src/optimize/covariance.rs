//! Covariance estimation (sample, Ledoit-Wolf shrinkage), validation and the nearest
//! positive-definite repair.

use super::returns::ReturnTable;
use crate::error::{KassaError, Result};
use crate::text::Plain;
use serde::{Deserialize, Serialize};

/// What to do when the covariance matrix is not positive definite.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum PsdPolicy {
    /// Check (Cholesky of the whole matrix) and refuse with `VALIDATION_ERROR` on failure.
    /// The factor is kept: the solver's first face solve reuses it.
    #[default]
    Check,
    /// Replace the matrix by its nearest positive-definite neighbour ([`nearest_psd`]).
    Repair,
    /// Skip the whole-matrix check (the caller vouches for it); the solver still refuses a
    /// free block that is not positive definite. Saves an `O(n³)` factorization when the
    /// optimum fixes many assets (when none is fixed, the solver factors the whole matrix
    /// anyway, and keeps that factor).
    Trust,
}

/// Sample covariance (divisor `T - 1`), annualized by `periods_per_year`, row-major `n×n`.
pub fn sample_covariance(r: &ReturnTable, periods_per_year: f64) -> Result<Vec<Vec<f64>>> {
    let n = r.n_assets();
    let t = r.n_periods();
    if t < 2 {
        return Err(KassaError::validation(
            "returns",
            format!("too few observations: {t} returns, at least 2 needed"),
        ));
    }
    let x = centered(r);
    let mut c = vec![vec![0.0; n]; n];
    cross_products(&x, n, &mut c);
    let scale = periods_per_year / (t as f64 - 1.0);
    for row in &mut c {
        for v in row.iter_mut() {
            *v *= scale;
        }
    }
    Ok(c)
}

fn centered(r: &ReturnTable) -> Vec<Vec<f64>> {
    let n = r.n_assets();
    let t = r.n_periods().max(1) as f64;
    let mut mean = vec![0.0; n];
    for row in &r.returns {
        for (m, x) in mean.iter_mut().zip(row) {
            *m += x / t;
        }
    }
    r.returns
        .iter()
        .map(|row| row.iter().zip(&mean).map(|(x, m)| x - m).collect())
        .collect()
}

/// `c[i][j] += Σ_t x[t][i]·x[t][j]`.
fn cross_products(x: &[Vec<f64>], n: usize, c: &mut [Vec<f64>]) {
    for row in x {
        for (i, ci) in c.iter_mut().enumerate().take(n) {
            let xi = row.get(i).copied().unwrap_or(0.0);
            if xi == 0.0 {
                continue;
            }
            for (cij, xj) in ci.iter_mut().zip(row) {
                *cij += xi * xj;
            }
        }
    }
}

/// Ledoit-Wolf (2004) shrinkage towards a scaled identity, as scikit-learn's `ledoit_wolf`
/// (maximum-likelihood divisor `T`), annualized. Returns the matrix and the shrinkage
/// intensity in `[0, 1]`.
pub fn ledoit_wolf(r: &ReturnTable, periods_per_year: f64) -> Result<(Vec<Vec<f64>>, f64)> {
    let n = r.n_assets();
    let t = r.n_periods();
    if t < 2 {
        return Err(KassaError::validation(
            "returns",
            format!("too few observations: {t} returns, at least 2 needed"),
        ));
    }
    let tf = t as f64;
    let nf = n as f64;
    let x = centered(r);
    let mut s = vec![vec![0.0; n]; n];
    cross_products(&x, n, &mut s);
    let x2: Vec<Vec<f64>> = x
        .iter()
        .map(|row| row.iter().map(|v| v * v).collect())
        .collect();
    let mut b = vec![vec![0.0; n]; n];
    cross_products(&x2, n, &mut b);
    let beta_sum: f64 = b.iter().flatten().sum();
    let delta_sum: f64 = s.iter().flatten().map(|v| v * v).sum::<f64>() / (tf * tf);
    let trace: f64 = s
        .iter()
        .enumerate()
        .map(|(i, row)| row.get(i).copied().unwrap_or(0.0))
        .sum::<f64>()
        / tf;
    let mu = trace / nf;
    let beta = (beta_sum / tf - delta_sum) / (nf * tf);
    let delta = (delta_sum - 2.0 * mu * trace + nf * mu * mu) / nf;
    let beta = beta.min(delta);
    let shrinkage = if beta <= 0.0 || delta <= 0.0 {
        0.0
    } else {
        beta / delta
    };
    let mut out = s;
    for (i, row) in out.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let emp = *v / tf;
            let target = if i == j { mu } else { 0.0 };
            *v = ((1.0 - shrinkage) * emp + shrinkage * target) * periods_per_year;
        }
    }
    Ok((out, shrinkage))
}

/// Checks shape, finiteness, symmetry (relative 1e-10; the result is exactly symmetrized)
/// and non-negative variances; returns the matrix row-major.
pub fn validate(cov: &[Vec<f64>], n: usize, field: &str) -> Result<Vec<f64>> {
    if cov.len() != n {
        return Err(KassaError::validation(
            field,
            format!("has {} rows for {n} assets", cov.len()),
        ));
    }
    let mut flat = Vec::with_capacity(n * n);
    for (i, row) in cov.iter().enumerate() {
        if row.len() != n {
            return Err(KassaError::validation(
                format!("{field}[{i}]"),
                format!("has {} entries for {n} assets", row.len()),
            ));
        }
        for (j, v) in row.iter().enumerate() {
            if !v.is_finite() {
                return Err(KassaError::validation(
                    format!("{field}[{i}][{j}]"),
                    "is not finite",
                ));
            }
        }
        flat.extend_from_slice(row);
    }
    for i in 0..n {
        let d = flat.get(i * n + i).copied().unwrap_or(0.0);
        if d < 0.0 {
            return Err(KassaError::validation(
                format!("{field}[{i}][{i}]"),
                format!(
                    "variance {} is negative: covariance is not positive semi-definite",
                    Plain(d)
                ),
            ));
        }
        for j in (i + 1)..n {
            let (a, b) = (
                flat.get(i * n + j).copied().unwrap_or(0.0),
                flat.get(j * n + i).copied().unwrap_or(0.0),
            );
            let scale = a.abs().max(b.abs()).max(f64::MIN_POSITIVE);
            if (a - b).abs() > 1e-10 * scale {
                return Err(KassaError::validation(
                    format!("{field}[{i}][{j}]"),
                    format!(
                        "covariance is not symmetric: {} vs {} at [{j}][{i}]",
                        Plain(a),
                        Plain(b)
                    ),
                ));
            }
            let m = 0.5 * (a + b);
            if let Some(x) = flat.get_mut(i * n + j) {
                *x = m;
            }
            if let Some(x) = flat.get_mut(j * n + i) {
                *x = m;
            }
        }
    }
    Ok(flat)
}

/// Largest ratio between two positive variances the solvers accept (1e6 between volatilities).
pub const MAX_VARIANCE_SPREAD: f64 = 1e12;

/// Refuses variances spread over more than [`MAX_VARIANCE_SPREAD`]: the solvers' tolerances
/// are relative to the average variance, so one asset a trillion times riskier than another
/// leaves the small ones below round-off and the active set never settles. Such a matrix is
/// a units mistake (prices mixed with returns) far more often than a real market.
pub fn check_spread(flat: &[f64], n: usize, field: &str) -> Result<()> {
    let diag = (0..n).filter_map(|i| flat.get(i * n + i).copied());
    let (mut lo, mut hi) = ((f64::INFINITY, 0), (0.0f64, 0));
    for (i, d) in diag.enumerate() {
        if d > 0.0 && d < lo.0 {
            lo = (d, i);
        }
        if d > hi.0 {
            hi = (d, i);
        }
    }
    if lo.0.is_finite() && hi.0 > lo.0 * MAX_VARIANCE_SPREAD {
        return Err(KassaError::validation(
            format!("{field}[{}][{}]", hi.1, hi.1),
            format!(
                "variance {} is more than 1e12 times variance {} at [{}][{}]: \
                 the covariance is badly scaled (are prices mixed with returns?)",
                Plain(hi.0),
                Plain(lo.0),
                lo.1,
                lo.1
            ),
        ));
    }
    Ok(())
}

/// Whether the row-major `n×n` matrix is positive definite (the blocked
/// [`Cholesky`](super::cholesky::Cholesky) succeeds; only the lower triangle is read).
/// [`super::portfolio::PortfolioProblem::prepare`] keeps that factor for the solver.
pub fn is_positive_definite(flat: &[f64], n: usize) -> bool {
    super::cholesky::Cholesky::factor(flat, n).is_some()
}

/// The nearest positive-definite matrix in the Frobenius norm, up to a floor: with the
/// eigendecomposition `Σ = V Λ Vᵀ`, returns `V max(Λ, ε) Vᵀ` where
/// `ε = 1e-10 · max(trace(Σ)/n, 1e-300)` (Higham 1988: clipping negative eigenvalues is the
/// Frobenius-nearest positive semi-definite symmetric matrix; the floor makes it definite).
/// Returns the repaired matrix and the number of eigenvalues that were raised.
///
/// A matrix whose decomposition does not converge (a value that is not finite, which
/// [`validate`] refuses first) comes back unchanged, with none raised.
pub fn nearest_psd(flat: &[f64], n: usize) -> (Vec<f64>, usize) {
    let Some(eig) = super::eigen::SymmetricEigen::new(flat, n) else {
        return (flat.to_vec(), 0);
    };
    let trace: f64 = (0..n)
        .map(|i| flat.get(i * n + i).copied().unwrap_or(0.0))
        .sum();
    let eps = 1e-10 * (trace / n.max(1) as f64).max(1e-300);
    let mut raised = 0;
    let vals: Vec<f64> = eig
        .values
        .iter()
        .map(|&l| {
            if l < eps {
                raised += 1;
                eps
            } else {
                l
            }
        })
        .collect();
    let r = eig.recompose(&vals);
    let mut out = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            let a = r.get(i * n + j).copied().unwrap_or(0.0);
            let b = r.get(j * n + i).copied().unwrap_or(0.0);
            out.push(0.5 * (a + b));
        }
    }
    (out, raised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_and_shrunk() {
        let r = ReturnTable {
            assets: vec!["a".into(), "b".into()],
            dates: vec!["1".into(), "2".into(), "3".into()],
            returns: vec![vec![0.01, 0.02], vec![0.03, 0.01], vec![-0.01, 0.0]],
        };
        let c = sample_covariance(&r, 1.0).unwrap();
        assert!((c[0][0] - 0.0004).abs() < 1e-15);
        assert!((c[0][1] - c[1][0]).abs() < 1e-18);
        let (lw, s) = ledoit_wolf(&r, 1.0).unwrap();
        assert!((0.0..=1.0).contains(&s));
        assert!(is_positive_definite(
            &[lw[0][0], lw[0][1], lw[1][0], lw[1][1]],
            2
        ));
    }

    #[test]
    fn repair_makes_definite() {
        let bad = [1.0, 1.5, 1.5, 1.0];
        assert!(!is_positive_definite(&bad, 2));
        let (fixed, raised) = nearest_psd(&bad, 2);
        assert_eq!(raised, 1);
        assert!(is_positive_definite(&fixed, 2));
        assert!(validate(&[vec![1.0, 0.2], vec![0.3, 1.0]], 2, "covariance").is_err());
    }
}
