//! Whole-operation requests over forecasting, in the serde form the vectors use.
//!
//! Outputs are rounded so they print identically on every host (the fit uses only IEEE
//! `+ − × ÷ √`, which every host computes bit-for-bit alike): smoothing parameters to 4
//! decimals, levels, SSE, σ and forecasts to 2 decimals, as decimal strings.

use super::{fit, SmoothingSettings};
use crate::error::{KassaError, Result};
use crate::text::fixed;
use serde::{Deserialize, Serialize};

/// Fit a model and forecast `horizon` steps.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ForecastRequest {
    /// Observations, oldest first.
    pub series: Vec<f64>,
    /// Model settings.
    #[serde(default)]
    pub settings: SmoothingSettings,
    /// Steps to forecast.
    pub horizon: usize,
}

/// A rounded forecast step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RoundedPoint {
    /// Steps ahead.
    pub step: usize,
    /// Point forecast (2 decimals).
    pub mean: String,
    /// Error standard deviation (2 decimals).
    pub std_dev: String,
}

/// The rounded fit and forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ForecastResponse {
    /// α (4 decimals).
    pub alpha: String,
    /// β (4 decimals).
    pub beta: Option<String>,
    /// γ (4 decimals).
    pub gamma: Option<String>,
    /// φ (4 decimals).
    pub phi: Option<String>,
    /// Initial level (2 decimals).
    pub initial_level: String,
    /// SSE (2 decimals).
    pub sse: String,
    /// Residual σ (2 decimals).
    pub sigma: String,
    /// The forecast.
    pub forecast: Vec<RoundedPoint>,
}

/// The longest horizon a request may ask for.
pub const MAX_HORIZON: usize = 10_000;

/// Runs a [`ForecastRequest`].
pub fn forecast(req: ForecastRequest) -> Result<ForecastResponse> {
    if req.horizon > MAX_HORIZON {
        return Err(KassaError::validation(
            "horizon",
            format!("at most {MAX_HORIZON} steps"),
        ));
    }
    let model = fit(&req.series, &req.settings)?;
    let p = model.params();
    Ok(ForecastResponse {
        alpha: fixed(p.alpha, 4),
        beta: p.beta.map(|v| fixed(v, 4)),
        gamma: p.gamma.map(|v| fixed(v, 4)),
        phi: p.phi.map(|v| fixed(v, 4)),
        initial_level: fixed(p.initial_level, 2),
        sse: fixed(model.sse(), 2),
        sigma: fixed(model.sigma(), 2),
        forecast: model
            .forecast_with_spread(req.horizon)
            .into_iter()
            .map(|pt| RoundedPoint {
                step: pt.step,
                mean: fixed(pt.mean, 2),
                std_dev: fixed(pt.std_dev, 2),
            })
            .collect(),
    })
}
