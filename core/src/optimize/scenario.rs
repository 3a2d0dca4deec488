//! Scenario simulation: per-asset price shocks ("natural gas +30%, crude −10%") and demand
//! scaling applied to the series; the portfolio is re-evaluated on the shocked series and
//! optionally re-optimized, side by side with the baseline.
//!
//! A shock `s` on an asset is spread over the history as a ramp: the price at row `t` of
//! `T` becomes `p_t·(1 + s·t/(T − 1))`, so the last price moves by exactly `s` and the
//! estimated drift and volatility reflect the move. Demand scaling multiplies the exposure
//! (`notional × demandScale`): money-valued figures (VaR, CVaR, the immediate shock P&L)
//! scale with it; returns, volatility and weights do not.

use super::covariance::{self, PsdPolicy};
use super::portfolio::{round_to, GroupCap, PortfolioProblem, PortfolioResult};
use super::returns::{self, PriceTable, ReturnKind, ReturnTable};
use super::risk::{self, RiskMeasure, DEFAULT_LEVELS};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// The covariance estimator.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// Sample covariance.
    Sample,
    /// Ledoit-Wolf shrinkage (default).
    #[default]
    LedoitWolf,
}

/// What to optimize.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Minimum variance (default).
    #[default]
    MinVariance,
    /// Maximum Sharpe ratio.
    MaxSharpe,
}

/// Portfolio constraints (the non-data part of a [`PortfolioProblem`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct PortfolioConstraints {
    /// Per-asset lower bounds (default 0).
    pub lower: Option<Vec<f64>>,
    /// Per-asset upper bounds (default 1).
    pub upper: Option<Vec<f64>>,
    /// A cap on every weight.
    pub max_weight: Option<f64>,
    /// Group caps.
    pub groups: Vec<GroupCap>,
    /// Risk-free rate.
    pub risk_free_rate: f64,
}

/// Estimates from a price table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Estimates {
    /// Asset names.
    pub assets: Vec<String>,
    /// Annualized expected returns (arithmetic mean).
    pub expected_returns: Vec<f64>,
    /// Annualized covariance.
    pub covariance: Vec<Vec<f64>>,
    /// Ledoit-Wolf shrinkage intensity (0 for the sample estimator).
    pub shrinkage: f64,
    /// Per-period returns (not serialized).
    #[serde(skip)]
    pub returns: Option<ReturnTable>,
}

/// Estimates expected returns and covariance from prices.
pub fn estimate(
    prices: &PriceTable,
    kind: ReturnKind,
    estimator: Estimator,
    periods_per_year: f64,
) -> Result<Estimates> {
    if !(periods_per_year.is_finite() && periods_per_year > 0.0) {
        return Err(KassaError::validation("periodsPerYear", "must be positive"));
    }
    let r = returns::returns(prices, kind)?;
    let mu = returns::mean_returns(&r, periods_per_year);
    let (cov, shrinkage) = match estimator {
        Estimator::Sample => (covariance::sample_covariance(&r, periods_per_year)?, 0.0),
        Estimator::LedoitWolf => covariance::ledoit_wolf(&r, periods_per_year)?,
    };
    Ok(Estimates {
        assets: r.assets.clone(),
        expected_returns: mu,
        covariance: cov,
        shrinkage,
        returns: Some(r),
    })
}

impl Estimates {
    /// A portfolio problem on these estimates.
    pub fn problem(&self, c: &PortfolioConstraints) -> PortfolioProblem {
        PortfolioProblem {
            assets: self.assets.clone(),
            expected_returns: self.expected_returns.clone(),
            covariance: self.covariance.clone(),
            lower: c.lower.clone(),
            upper: c.upper.clone(),
            max_weight: c.max_weight,
            groups: c.groups.clone(),
            risk_free_rate: c.risk_free_rate,
            psd: PsdPolicy::Repair,
        }
    }

    /// Optimizes for `objective` under `c`.
    pub fn optimize(
        &self,
        objective: Objective,
        c: &PortfolioConstraints,
    ) -> Result<PortfolioResult> {
        let p = self.problem(c).prepare()?;
        match objective {
            Objective::MinVariance => p.min_variance(),
            Objective::MaxSharpe => p.max_sharpe(),
        }
    }

    /// Evaluates fixed weights.
    pub fn evaluate(
        &self,
        weights: &[f64],
        risk_free_rate: f64,
        exposure: f64,
    ) -> Result<ScenarioSide> {
        let n = self.assets.len();
        if weights.len() != n {
            return Err(KassaError::validation(
                "weights",
                format!("{} weights for {n} assets", weights.len()),
            ));
        }
        let ret: f64 = weights
            .iter()
            .zip(&self.expected_returns)
            .map(|(a, b)| a * b)
            .sum();
        let mut var = 0.0;
        for (i, wi) in weights.iter().enumerate() {
            for (j, wj) in weights.iter().enumerate() {
                let s = self
                    .covariance
                    .get(i)
                    .and_then(|r| r.get(j))
                    .copied()
                    .unwrap_or(0.0);
                var += wi * wj * s;
            }
        }
        let vol = var.max(0.0).sqrt();
        let rows = self
            .returns
            .as_ref()
            .map(|r| r.returns.as_slice())
            .unwrap_or(&[]);
        let pr = risk::portfolio_returns(weights, rows)?;
        let risk = risk::empirical(&pr, &DEFAULT_LEVELS)?
            .into_iter()
            .map(|m| RiskMeasure {
                confidence: m.confidence,
                var: m.var * exposure,
                cvar: m.cvar * exposure,
            })
            .collect();
        Ok(ScenarioSide {
            weights: weights.to_vec(),
            expected_return: ret,
            volatility: vol,
            sharpe: if vol > 0.0 {
                (ret - risk_free_rate) / vol
            } else {
                0.0
            },
            exposure,
            risk,
        })
    }
}

/// A price shock on one asset: `change = 0.3` is +30%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Shock {
    /// Asset name.
    pub asset: String,
    /// Relative price change (> −1).
    pub change: f64,
}

fn one() -> f64 {
    1.0
}
fn trading_days() -> f64 {
    252.0
}

/// A scenario request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioRequest {
    /// Aligned prices.
    pub prices: PriceTable,
    /// Return kind (default simple).
    #[serde(default)]
    pub return_kind: ReturnKind,
    /// Covariance estimator (default Ledoit-Wolf).
    #[serde(default)]
    pub estimator: Estimator,
    /// Periods per year (default 252).
    #[serde(default = "trading_days")]
    pub periods_per_year: f64,
    /// Baseline weights; when absent the baseline is optimized for `objective`.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Objective for the baseline (when no weights) and the re-optimization.
    #[serde(default)]
    pub objective: Objective,
    /// Constraints for optimizing.
    #[serde(default)]
    pub constraints: PortfolioConstraints,
    /// Price shocks.
    #[serde(default)]
    pub shocks: Vec<Shock>,
    /// Demand (exposure) scaling, default 1.
    #[serde(default = "one")]
    pub demand_scale: f64,
    /// Exposure before scaling, default 1 (money-valued figures are fractions of it).
    #[serde(default = "one")]
    pub notional: f64,
    /// Also re-optimize on the shocked series.
    #[serde(default)]
    pub reoptimize: bool,
}

/// One column of the side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSide {
    /// Weights.
    pub weights: Vec<f64>,
    /// Annualized expected return.
    pub expected_return: f64,
    /// Annualized volatility.
    pub volatility: f64,
    /// Sharpe ratio.
    pub sharpe: f64,
    /// Exposure (`notional × demandScale` for the scenario, `notional` for the baseline).
    pub exposure: f64,
    /// Historical one-period VaR/CVaR at 95% and 99%, in exposure units.
    pub risk: Vec<RiskMeasure>,
}

/// Baseline and scenario side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioResult {
    /// Asset names.
    pub assets: Vec<String>,
    /// The baseline portfolio on the original series.
    pub baseline: ScenarioSide,
    /// The same weights on the shocked series.
    pub shocked: ScenarioSide,
    /// Re-optimized on the shocked series (when asked).
    pub reoptimized: Option<ScenarioSide>,
    /// Immediate value change of the baseline from the shocks: `exposure·Σ w_i s_i`.
    pub shock_pnl: f64,
}

fn round_side(s: &ScenarioSide, d: u32) -> ScenarioSide {
    ScenarioSide {
        weights: s.weights.iter().map(|w| round_to(*w, d)).collect(),
        expected_return: round_to(s.expected_return, d),
        volatility: round_to(s.volatility, d),
        sharpe: round_to(s.sharpe, d),
        exposure: round_to(s.exposure, d),
        risk: s
            .risk
            .iter()
            .map(|m| RiskMeasure {
                confidence: m.confidence,
                var: round_to(m.var, d),
                cvar: round_to(m.cvar, d),
            })
            .collect(),
    }
}

impl ScenarioResult {
    /// Floats rounded to `decimals` places.
    pub fn rounded(&self, decimals: u32) -> Self {
        ScenarioResult {
            assets: self.assets.clone(),
            baseline: round_side(&self.baseline, decimals),
            shocked: round_side(&self.shocked, decimals),
            reoptimized: self.reoptimized.as_ref().map(|s| round_side(s, decimals)),
            shock_pnl: round_to(self.shock_pnl, decimals),
        }
    }
}

/// Applies the shocks as ramps (see the module docs).
pub fn shock_prices(prices: &PriceTable, shocks: &[Shock]) -> Result<PriceTable> {
    let mut out = prices.clone();
    let t = prices.prices.len();
    for (k, s) in shocks.iter().enumerate() {
        let Some(col) = prices.assets.iter().position(|a| a == &s.asset) else {
            return Err(KassaError::validation(
                format!("shocks[{k}].asset"),
                format!("unknown asset '{}'", s.asset),
            ));
        };
        if !(s.change.is_finite() && s.change > -1.0) {
            return Err(KassaError::validation(
                format!("shocks[{k}].change"),
                "must be a finite change above -1 (-100%)",
            ));
        }
        for (row_i, row) in out.prices.iter_mut().enumerate() {
            let frac = if t > 1 {
                row_i as f64 / (t - 1) as f64
            } else {
                1.0
            };
            if let Some(p) = row.get_mut(col) {
                *p *= 1.0 + s.change * frac;
            }
        }
    }
    Ok(out)
}

/// Runs a scenario.
pub fn run(req: &ScenarioRequest) -> Result<ScenarioResult> {
    if !(req.demand_scale.is_finite() && req.demand_scale >= 0.0) {
        return Err(KassaError::validation(
            "demandScale",
            "must be non-negative",
        ));
    }
    if !(req.notional.is_finite() && req.notional > 0.0) {
        return Err(KassaError::validation("notional", "must be positive"));
    }
    let base = estimate(
        &req.prices,
        req.return_kind,
        req.estimator,
        req.periods_per_year,
    )?;
    let weights = match &req.weights {
        Some(w) => w.clone(),
        None => base.optimize(req.objective, &req.constraints)?.weights,
    };
    let rf = req.constraints.risk_free_rate;
    let baseline = base.evaluate(&weights, rf, req.notional)?;
    let shocked_prices = shock_prices(&req.prices, &req.shocks)?;
    let shocked_est = estimate(
        &shocked_prices,
        req.return_kind,
        req.estimator,
        req.periods_per_year,
    )?;
    let exposure = req.notional * req.demand_scale;
    let shocked = shocked_est.evaluate(&weights, rf, exposure)?;
    let reoptimized = if req.reoptimize {
        let w = shocked_est
            .optimize(req.objective, &req.constraints)?
            .weights;
        Some(shocked_est.evaluate(&w, rf, exposure)?)
    } else {
        None
    };
    let mut pnl = 0.0;
    for s in &req.shocks {
        if let Some(i) = base.assets.iter().position(|a| a == &s.asset) {
            pnl += weights.get(i).copied().unwrap_or(0.0) * s.change;
        }
    }
    Ok(ScenarioResult {
        assets: base.assets.clone(),
        baseline,
        shocked,
        reoptimized,
        shock_pnl: pnl * exposure,
    })
}
