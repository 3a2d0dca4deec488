//! Value at Risk and Conditional Value at Risk of a portfolio: historical, parametric
//! (normal) and Monte Carlo (seeded, reproducible on every host).
//!
//! Losses are negative portfolio returns (`L = −wᵀr`), reported as positive fractions of the
//! portfolio value. At confidence `α` with `k = ⌈(1 − α)·T⌉` worst losses out of `T`:
//! historical / Monte Carlo `VaR` is the `k`-th worst loss and `CVaR` the mean of the `k`
//! worst; parametric `VaR = −m + z_α·s`, `CVaR = −m + s·φ(z_α)/(1 − α)`.

use super::rng::{portable_ln, Xoshiro256};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// VaR and CVaR at one confidence level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RiskMeasure {
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
    /// Value at Risk (a loss, positive when the portfolio loses).
    pub var: f64,
    /// Conditional Value at Risk (expected shortfall), at least `var`.
    pub cvar: f64,
}

/// How VaR is computed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum VarMethod {
    /// Empirical quantile of the historical portfolio returns.
    #[default]
    Historical,
    /// Normal distribution with the sample mean and volatility.
    Parametric,
    /// Simulated multivariate normal returns (seeded).
    MonteCarlo,
}

/// The default confidence levels: 95% and 99%.
pub const DEFAULT_LEVELS: [f64; 2] = [0.95, 0.99];

fn check_levels(levels: &[f64]) -> Result<()> {
    for (i, a) in levels.iter().enumerate() {
        if !(a.is_finite() && *a > 0.5 && *a < 1.0) {
            return Err(KassaError::validation(
                format!("confidenceLevels[{i}]"),
                "must be in (0.5, 1)",
            ));
        }
    }
    Ok(())
}

/// VaR/CVaR from a sample of portfolio returns (historical or simulated).
pub fn empirical(portfolio_returns: &[f64], levels: &[f64]) -> Result<Vec<RiskMeasure>> {
    check_levels(levels)?;
    if portfolio_returns.is_empty() {
        return Err(KassaError::validation("returns", "no returns"));
    }
    if let Some(i) = portfolio_returns.iter().position(|x| !x.is_finite()) {
        return Err(KassaError::validation(
            format!("returns[{i}]"),
            "is not finite",
        ));
    }
    let mut losses: Vec<f64> = portfolio_returns.iter().map(|r| -r).collect();
    crate::sorting::sort_by(&mut losses, |a, b| b.total_cmp(a)); // worst first
    let t = losses.len();
    Ok(levels
        .iter()
        .map(|a| {
            let k = (((1.0 - a) * t as f64) - 1e-9).ceil().max(1.0) as usize;
            let k = k.min(t);
            let tail = losses.get(..k).unwrap_or(&[]);
            let var = tail.last().copied().unwrap_or(0.0);
            let cvar = tail.iter().sum::<f64>() / k as f64;
            RiskMeasure {
                confidence: *a,
                var,
                cvar,
            }
        })
        .collect())
}

/// `e^x` from IEEE basic operations only (host-independent).
pub fn portable_exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -745.0 {
        return 0.0;
    }
    let k = (x / std::f64::consts::LN_2).round();
    let r = x - k * std::f64::consts::LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..22 {
        term *= r / i as f64;
        sum += term;
    }
    let mut out = sum;
    let mut k = k as i32;
    while k > 0 {
        let s = k.min(1000);
        out *= 2f64.powi(s);
        k -= s;
    }
    while k < 0 {
        let s = (-k).min(1000);
        out /= 2f64.powi(s);
        k += s;
    }
    out
}

/// The standard normal quantile `Φ⁻¹(p)` (Acklam's rational approximation refined by one
/// Halley step on the complementary error function series; |error| < 1e-12).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let [a0, a1, a2, a3, a4, a5] = A;
    let [b0, b1, b2, b3, b4] = B;
    let [c0, c1, c2, c3, c4, c5] = C;
    let [d0, d1, d2, d3] = D;
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    let plow = 0.02425;
    let x = if p < plow {
        let q = (-2.0 * portable_ln(p)).sqrt();
        (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5)
            / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q
            / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1.0)
    } else {
        let q = (-2.0 * portable_ln(1.0 - p)).sqrt();
        -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5)
            / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1.0)
    };
    // one Halley refinement with Φ computed by the erfc continued fraction / series
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * portable_exp(x * x / 2.0);
    x - u / (1.0 + x * u / 2.0)
}

/// The standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    portable_exp(-0.5 * x * x) / (2.0 * std::f64::consts::PI).sqrt()
}

/// The standard normal CDF `Φ(x)` (series for |x| < 3, continued fraction beyond).
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let tail = if ax < 3.0 {
        // Φ(x) = 1/2 + φ(x)·Σ x^(2k+1)/(1·3·…·(2k+1))
        let mut term = ax;
        let mut sum = ax;
        let x2 = ax * ax;
        let mut k = 1.0;
        while term.abs() > 1e-17 * sum.abs() && k < 200.0 {
            term *= x2 / (2.0 * k + 1.0);
            sum += term;
            k += 1.0;
        }
        0.5 - normal_pdf(ax) * sum
    } else {
        // Laplace continued fraction for the upper tail, evaluated bottom-up
        let mut f = ax;
        for k in (1..60).rev() {
            f = ax + k as f64 / f;
        }
        normal_pdf(ax) / f
    };
    if x >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Parametric (normal) VaR/CVaR for a per-period mean `m` and volatility `s`.
pub fn parametric(mean: f64, vol: f64, levels: &[f64]) -> Result<Vec<RiskMeasure>> {
    check_levels(levels)?;
    if !(mean.is_finite() && vol.is_finite() && vol >= 0.0) {
        return Err(KassaError::validation(
            "volatility",
            "must be finite and non-negative",
        ));
    }
    Ok(levels
        .iter()
        .map(|a| {
            let z = normal_quantile(*a);
            RiskMeasure {
                confidence: *a,
                var: -mean + z * vol,
                cvar: -mean + vol * normal_pdf(z) / (1.0 - a),
            }
        })
        .collect())
}

/// Monte Carlo VaR/CVaR: `simulations` draws of `r ~ N(μ, Σ)` (Cholesky factor, seeded
/// xoshiro256++ normals), portfolio return `wᵀr`, then [`empirical`].
pub fn monte_carlo(
    weights: &[f64],
    mu: &[f64],
    cov: &[f64],
    levels: &[f64],
    simulations: usize,
    seed: u64,
) -> Result<Vec<RiskMeasure>> {
    let n = weights.len();
    if mu.len() != n || cov.len() != n * n {
        return Err(KassaError::validation(
            "covariance",
            "sizes do not match the weights",
        ));
    }
    if !(100..=10_000_000).contains(&simulations) {
        return Err(KassaError::validation(
            "simulations",
            "must be between 100 and 10000000",
        ));
    }
    // The optimizer's own Cholesky (row-major L), not nalgebra's: one factorization in the
    // library (docs/performance.md, wasm, "Session 15").
    let Some(chol) = super::cholesky::Cholesky::factor(cov, n) else {
        return Err(KassaError::validation(
            "covariance",
            "covariance is not positive definite",
        ));
    };
    let l = chol.factor_matrix();
    // wᵀ(μ + Lz) = wᵀμ + (Lᵀw)ᵀz
    let mean: f64 = weights.iter().zip(mu).map(|(a, b)| a * b).sum();
    let v: Vec<f64> = (0..n)
        .map(|j| {
            (0..n)
                .map(|i| {
                    weights.get(i).copied().unwrap_or(0.0)
                        * l.get(i * n + j).copied().unwrap_or(0.0)
                })
                .sum()
        })
        .collect();
    let mut rng = Xoshiro256::new(seed);
    let draws: Vec<f64> = (0..simulations)
        .map(|_| mean + v.iter().map(|vj| vj * rng.normal()).sum::<f64>())
        .collect();
    empirical(&draws, levels)
}

/// Portfolio returns `wᵀr_t` of a return table's rows.
pub fn portfolio_returns(weights: &[f64], rows: &[Vec<f64>]) -> Result<Vec<f64>> {
    rows.iter()
        .enumerate()
        .map(|(t, r)| {
            if r.len() != weights.len() {
                return Err(KassaError::validation(
                    format!("returns[{t}]"),
                    format!("{} returns for {} weights", r.len(), weights.len()),
                ));
            }
            Ok(r.iter().zip(weights).map(|(a, b)| a * b).sum())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_functions() {
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-12);
        assert!((normal_quantile(0.99) - 2.326_347_874_040_840_8).abs() < 1e-12);
        assert!((normal_quantile(0.001) + 3.090_232_306_167_813_5).abs() < 1e-11);
        assert!((normal_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-14);
        assert!((portable_exp(1.0) - std::f64::consts::E).abs() < 2e-15);
        assert!((portable_exp(-20.5) - (-20.5f64).exp()).abs() < 1e-22);
    }

    #[test]
    fn empirical_and_parametric() {
        let r: Vec<f64> = (0..100).map(|i| (i as f64 - 50.0) / 1000.0).collect();
        let m = empirical(&r, &DEFAULT_LEVELS).unwrap();
        // 5 worst losses: 0.05, 0.049, ..., 0.046
        assert!((m[0].var - 0.046).abs() < 1e-15);
        assert!((m[0].cvar - 0.048).abs() < 1e-15);
        assert!((m[1].var - 0.05).abs() < 1e-15);
        let p = parametric(0.0, 0.01, &[0.99]).unwrap();
        assert!((p[0].var - 0.023_263_478_740_408_4).abs() < 1e-12);
        assert!(p[0].cvar > p[0].var);
    }

    #[test]
    fn monte_carlo_is_seeded_and_near_parametric() {
        let w = [0.5, 0.5];
        let mu = [0.0, 0.0];
        let cov = [0.0001, 0.00005, 0.00005, 0.0004];
        let a = monte_carlo(&w, &mu, &cov, &DEFAULT_LEVELS, 50_000, 7).unwrap();
        let b = monte_carlo(&w, &mu, &cov, &DEFAULT_LEVELS, 50_000, 7).unwrap();
        assert_eq!(a, b);
        let vol = (0.25f64 * 0.0001 + 0.25 * 0.0004 + 0.5 * 0.00005).sqrt();
        let p = parametric(0.0, vol, &DEFAULT_LEVELS).unwrap();
        assert!((a[0].var - p[0].var).abs() / p[0].var < 0.03);
    }
}
