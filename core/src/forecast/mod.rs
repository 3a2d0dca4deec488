//! Demand forecasting: simple exponential smoothing, Holt (additive trend, optionally
//! damped) and Holt-Winters (additive or multiplicative seasonality).
//!
//! The models, the heuristic initialization and the fitting follow Python statsmodels'
//! `ExponentialSmoothing(..., initialization_method="heuristic").fit()` so the two agree
//! (checked against a committed fixture within 1% at every horizon step, see
//! `core/tests/forecast_statsmodels.rs` and docs/inventory.md):
//! - the recursions are statsmodels' error-correction smoothers ([`smoothing`]);
//! - initial states are its heuristic (FPP3 §2.6) or given (`known`);
//! - α, β, γ (and φ when damped) minimize the one-step SSE under statsmodels' constraints
//!   0 ≤ β ≤ α, 0 ≤ γ ≤ 1 − α, φ ∈ [0.8, 0.995], searched in its reparametrized unit box:
//!   a coarse grid start (statsmodels' `use_brute` grid, fewer points) then a projected
//!   quasi-Newton descent ([`optimizer`]).
//!
//! Forecasts carry a spread: σ_h, the h-step error standard deviation from the residual σ
//! (σ² = SSE / n) and the state-space coefficients; [`FittedModel::reorder_point_input`] turns
//! a forecast into the inputs of [`crate::inventory::reorder::reorder_point`].

mod init;
mod optimizer;
mod smoothing;

pub mod ops;

use crate::error::{KassaError, Result};
use crate::inventory::reorder::ReorderPointInput;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smoothing::{Coefficients, FinalState, Season, Shape};

/// Trend component.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// No trend.
    #[default]
    None,
    /// Additive trend.
    Add,
}

/// Seasonal component.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Seasonality {
    /// No seasonality.
    #[default]
    None,
    /// Additive seasonality.
    Add,
    /// Multiplicative seasonality (every observation must be positive).
    Mul,
}

/// How the initial states are chosen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Initialization {
    /// statsmodels' `"heuristic"`: from the first cycles of the data.
    #[default]
    Heuristic,
    /// statsmodels' `"known"`: given in `initialLevel` / `initialTrend` / `initialSeasonal`.
    Known,
}

/// Model settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SmoothingSettings {
    /// Trend component.
    #[serde(default)]
    pub trend: Trend,
    /// Damp the trend (requires a trend).
    #[serde(default)]
    pub damped: bool,
    /// Seasonal component.
    #[serde(default)]
    pub seasonal: Seasonality,
    /// Season length (e.g. 52 for week-of-year, 12 for month-of-year); required when seasonal.
    #[serde(default)]
    pub seasonal_periods: Option<usize>,
    /// Initialization method.
    #[serde(default)]
    pub initialization_method: Initialization,
    /// Known initial level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_level: Option<f64>,
    /// Known initial trend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_trend: Option<f64>,
    /// Known initial seasonals (one per position of the cycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_seasonal: Option<Vec<f64>>,
}

/// Fitted parameters and initial states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct FittedParams {
    /// Level smoothing α.
    pub alpha: f64,
    /// Trend smoothing β (with a trend).
    pub beta: Option<f64>,
    /// Seasonal smoothing γ (with seasonality).
    pub gamma: Option<f64>,
    /// Damping φ (damped trend).
    pub phi: Option<f64>,
    /// Initial level.
    pub initial_level: f64,
    /// Initial trend.
    pub initial_trend: Option<f64>,
    /// Initial seasonals.
    pub initial_seasonal: Option<Vec<f64>>,
}

/// One forecast step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ForecastPoint {
    /// Steps ahead (1-based).
    pub step: usize,
    /// Point forecast.
    pub mean: f64,
    /// Standard deviation of the forecast error at this step.
    pub std_dev: f64,
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedModel {
    settings: SmoothingSettings,
    shape: Shape,
    coefficients: Coefficients,
    params: FittedParams,
    state: FinalState,
    nobs: usize,
    sse: f64,
    objective_evaluations: usize,
}

const LOWER: f64 = 1.490_116_119_384_765_6e-8; // √(f64::EPSILON), statsmodels' LOWER_BOUND
const PHI_LO: f64 = 0.8;
const PHI_HI: f64 = 0.995;
const BRUTE_PHI: f64 = 0.99;

fn shape_of(settings: &SmoothingSettings, n: usize) -> Result<Shape> {
    let seasonal = match settings.seasonal {
        Seasonality::None => Season::None,
        Seasonality::Add => Season::Add,
        Seasonality::Mul => Season::Mul,
    };
    let m = match seasonal {
        Season::None => 1,
        _ => {
            let m = settings.seasonal_periods.ok_or_else(|| {
                KassaError::validation("settings.seasonalPeriods", "required with seasonality")
            })?;
            if m < 2 {
                return Err(KassaError::validation(
                    "settings.seasonalPeriods",
                    "must be at least 2",
                ));
            }
            if m > n {
                return Err(KassaError::validation(
                    "settings.seasonalPeriods",
                    "longer than the series",
                ));
            }
            m
        }
    };
    if settings.damped && settings.trend == Trend::None {
        return Err(KassaError::validation(
            "settings.damped",
            "a damped model needs a trend",
        ));
    }
    Ok(Shape {
        trend: settings.trend == Trend::Add,
        damped: settings.damped,
        seasonal,
        m,
    })
}

/// Which of (α, β, γ, φ) are estimated, in that order.
fn free_flags(shape: Shape) -> [bool; 4] {
    [
        true,
        shape.trend,
        shape.seasonal != Season::None,
        shape.damped,
    ]
}

/// statsmodels' `to_restricted`: unit-box values → (α, β, γ, φ).
fn restricted(u: &[f64; 4], flags: [bool; 4]) -> Coefficients {
    let mut it = u.iter().copied();
    let mut next = |on: bool| if on { it.next().unwrap_or(0.0) } else { 0.0 };
    let ua = next(flags[0]);
    let ub = next(flags[1]);
    let ug = next(flags[2]);
    let up = next(flags[3]);
    let alpha = LOWER + ua * (1.0 - LOWER - LOWER);
    Coefficients {
        alpha,
        beta: if flags[1] { ub * alpha } else { 0.0 },
        gamma: if flags[2] { ug * (1.0 - alpha) } else { 0.0 },
        phi: if flags[3] {
            PHI_LO + up * (PHI_HI - PHI_LO)
        } else {
            1.0
        },
    }
}

/// statsmodels' `to_unrestricted` plus `_enforce_bounds` (strictly inside the box).
fn unrestricted(c: Coefficients, flags: [bool; 4]) -> [f64; 4] {
    let inside = |v: f64| {
        if v <= 0.0 {
            1e-4
        } else if v >= 1.0 {
            1.0 - 1e-4
        } else {
            v
        }
    };
    let mut out = [0.0; 4];
    let mut k = 0;
    let vals = [
        (c.alpha - LOWER) / (1.0 - 2.0 * LOWER),
        if c.alpha > 0.0 { c.beta / c.alpha } else { 0.0 },
        if c.alpha < 1.0 {
            c.gamma / (1.0 - c.alpha)
        } else {
            0.0
        },
        (c.phi - PHI_LO) / (PHI_HI - PHI_LO),
    ];
    for (on, v) in flags.iter().zip(vals) {
        if *on {
            if let Some(o) = out.get_mut(k) {
                *o = inside(v);
            }
            k += 1;
        }
    }
    out
}

fn linspace(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
    (0..n).map(move |i| {
        if n <= 1 {
            lo
        } else {
            lo + (hi - lo) * i as f64 / (n - 1) as f64
        }
    })
}

/// statsmodels' brute-force start (`_setup_brute`): α on a grid, β ∈ [0, α] and γ ∈ [0, 1−α]
/// with √-scaled point counts, φ at 0.99; Kassa uses `ns` = 24 / (free of α, β, γ) points
/// (statsmodels 87 / …) to stay within its time budget.
fn brute_start(shape: Shape, mut sse: impl FnMut(Coefficients, f64) -> f64) -> Coefficients {
    let flags = free_flags(shape);
    let k3 = flags.iter().take(3).filter(|f| **f).count().max(1);
    let ns = (24 / k3).max(5);
    let phi = if shape.damped { BRUTE_PHI } else { 1.0 };
    let mut best = Coefficients {
        alpha: 0.5,
        beta: 0.0,
        gamma: 0.0,
        phi,
    };
    let mut best_val = f64::INFINITY;
    for a in linspace(0.005, 0.995, ns) {
        let nb = if flags[1] {
            ((ns as f64) * a.sqrt()).ceil() as usize
        } else {
            1
        };
        let ng = if flags[2] {
            ((ns as f64) * (1.0 - a).sqrt()).ceil() as usize
        } else {
            1
        };
        for b in linspace(0.0, if flags[1] { a } else { 0.0 }, nb) {
            for g in linspace(0.0, if flags[2] { 1.0 - a } else { 0.0 }, ng) {
                let c = Coefficients {
                    alpha: a,
                    beta: b,
                    gamma: g,
                    phi,
                };
                let v = sse(c, best_val);
                if v < best_val {
                    best_val = v;
                    best = c;
                }
            }
        }
    }
    best
}

/// Fits a model to `series` (oldest first).
pub fn fit(series: &[f64], settings: &SmoothingSettings) -> Result<FittedModel> {
    if series.is_empty() {
        return Err(KassaError::validation("series", "must not be empty"));
    }
    if let Some(i) = series.iter().position(|v| !v.is_finite()) {
        return Err(KassaError::validation(
            format!("series[{i}]"),
            "must be a finite number",
        ));
    }
    let shape = shape_of(settings, series.len())?;
    if shape.seasonal == Season::Mul {
        if let Some(i) = series.iter().position(|v| *v <= 0.0) {
            return Err(KassaError::validation(
                format!("series[{i}]"),
                "multiplicative seasonality needs positive values",
            ));
        }
    }
    let initial = match settings.initialization_method {
        Initialization::Heuristic => init::heuristic(series, shape.seasonal, shape.m)?,
        Initialization::Known => known_initial(settings, shape)?,
    };
    let seasonal0: Vec<f64> = if shape.seasonal == Season::None {
        vec![0.0]
    } else {
        initial.seasonal.clone()
    };
    let mut ring = seasonal0.clone();
    let mut evaluations = 0usize;
    let mut sse_of = |c: Coefficients, ring: &mut Vec<f64>, limit: f64| {
        evaluations += 1;
        ring.clear();
        ring.extend_from_slice(&seasonal0);
        smoothing::run_bounded(series, shape, c, initial.level, initial.trend, ring, limit).0
    };
    let start = brute_start(shape, |c, best| sse_of(c, &mut ring, best));
    let flags = free_flags(shape);
    let k = flags.iter().filter(|f| **f).count();
    let x0 = unrestricted(start, flags);
    let min = optimizer::minimize_unit_box(k, x0, |u| {
        sse_of(restricted(u, flags), &mut ring, f64::INFINITY)
    });
    let coefficients = restricted(&min.x, flags);
    ring.clear();
    ring.extend_from_slice(&seasonal0);
    let (sse, level, trend) = smoothing::run(
        series,
        shape,
        coefficients,
        initial.level,
        initial.trend,
        &mut ring,
    );
    if !sse.is_finite() {
        return Err(KassaError::validation(
            "series",
            "the model diverges on this series",
        ));
    }
    let params = FittedParams {
        alpha: coefficients.alpha,
        beta: shape.trend.then_some(coefficients.beta),
        gamma: (shape.seasonal != Season::None).then_some(coefficients.gamma),
        phi: shape.damped.then_some(coefficients.phi),
        initial_level: initial.level,
        initial_trend: shape.trend.then_some(initial.trend),
        initial_seasonal: (shape.seasonal != Season::None).then(|| initial.seasonal.clone()),
    };
    Ok(FittedModel {
        settings: settings.clone(),
        shape,
        coefficients,
        params,
        state: FinalState { level, trend, ring },
        nobs: series.len(),
        sse,
        objective_evaluations: evaluations,
    })
}

fn known_initial(settings: &SmoothingSettings, shape: Shape) -> Result<init::Initial> {
    let level = settings.initial_level.ok_or_else(|| {
        KassaError::validation(
            "settings.initialLevel",
            "required with known initialization",
        )
    })?;
    let trend = if shape.trend {
        settings.initial_trend.ok_or_else(|| {
            KassaError::validation(
                "settings.initialTrend",
                "required with known initialization",
            )
        })?
    } else {
        0.0
    };
    let seasonal = if shape.seasonal == Season::None {
        Vec::new()
    } else {
        let s = settings.initial_seasonal.clone().ok_or_else(|| {
            KassaError::validation(
                "settings.initialSeasonal",
                "required with known initialization",
            )
        })?;
        if s.len() != shape.m {
            return Err(KassaError::validation(
                "settings.initialSeasonal",
                "needs one value per seasonal period",
            ));
        }
        s
    };
    Ok(init::Initial {
        level,
        trend,
        seasonal,
    })
}

impl FittedModel {
    /// The settings it was fitted with.
    pub fn settings(&self) -> &SmoothingSettings {
        &self.settings
    }

    /// Fitted parameters and initial states.
    pub fn params(&self) -> &FittedParams {
        &self.params
    }

    /// Sum of squared one-step residuals.
    pub fn sse(&self) -> f64 {
        self.sse
    }

    /// Residual standard deviation σ = √(SSE / n).
    pub fn sigma(&self) -> f64 {
        (self.sse / self.nobs.max(1) as f64).sqrt()
    }

    /// Number of observations fitted.
    pub fn nobs(&self) -> usize {
        self.nobs
    }

    /// How many times the SSE was evaluated while fitting (grid + descent).
    pub fn objective_evaluations(&self) -> usize {
        self.objective_evaluations
    }

    /// Point forecasts for steps 1..=h.
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        smoothing::forecast(self.shape, self.coefficients, self.nobs, &self.state, h)
    }

    /// Point forecasts with the error standard deviation at each step.
    pub fn forecast_with_spread(&self, h: usize) -> Vec<ForecastPoint> {
        let means = self.forecast(h);
        let sds = smoothing::spread(
            self.shape,
            self.coefficients,
            self.sigma(),
            self.nobs,
            &self.state,
            h,
        );
        means
            .into_iter()
            .zip(sds)
            .enumerate()
            .map(|(i, (mean, std_dev))| ForecastPoint {
                step: i + 1,
                mean,
                std_dev,
            })
            .collect()
    }

    /// The inputs of the reorder-point formula from this demand forecast over a lead time
    /// of `lead_time_periods` (≥ 1) periods: demand per period = the mean forecast over those
    /// periods (floored at 0), σ = the residual σ; both rounded to 4 decimals.
    pub fn reorder_point_input(
        &self,
        lead_time_periods: usize,
        service_level: Decimal,
    ) -> Result<ReorderPointInput> {
        if lead_time_periods == 0 || lead_time_periods > ops::MAX_HORIZON {
            return Err(KassaError::validation(
                "leadTimePeriods",
                "must be between 1 and 10000",
            ));
        }
        let f = self.forecast(lead_time_periods);
        let mean = (f.iter().sum::<f64>() / lead_time_periods as f64).max(0.0);
        let to_dec = |v: f64, field: &str| {
            Decimal::from_f64_retain(v)
                .map(|d| d.round_dp(4).normalize())
                .ok_or_else(|| KassaError::validation(field, "not representable"))
        };
        Ok(ReorderPointInput {
            demand_per_period: to_dec(mean, "demandPerPeriod")?,
            demand_std_dev: to_dec(self.sigma(), "demandStdDev")?,
            lead_time_periods: Decimal::from(lead_time_periods),
            service_level,
        })
    }
}
