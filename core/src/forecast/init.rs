//! statsmodels' `initialization_method="heuristic"` (Hyndman & Athanasopoulos, FPP3 §2.6),
//! reproduced step by step: a centred moving average (2×m for even m) over the first
//! k = max(min(5, n/m), ⌈(10 + 2⌊m/2⌋)/m⌉) cycles, seasonal indices as the mean detrended
//! value per position (normalised to sum 0 / mean 1), then level and trend from a least-squares
//! line through the first 10 values of the moving average (of the data if non-seasonal),
//! regressed on t = 1..10: level = intercept, trend = slope.

use super::smoothing::Season;
use crate::error::{KassaError, Result};

/// Initial level, trend and seasonals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Initial {
    pub level: f64,
    pub trend: f64,
    pub seasonal: Vec<f64>,
}

fn line_through_first_ten(v: &[f64]) -> Result<(f64, f64)> {
    let first = v.get(..10).ok_or_else(|| {
        KassaError::validation(
            "series",
            "the heuristic initialization needs 10 smoothed values",
        )
    })?;
    let t_mean = 5.5;
    let y_mean = first.iter().sum::<f64>() / 10.0;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (i, y) in first.iter().enumerate() {
        let dt = (i + 1) as f64 - t_mean;
        sxy += dt * (y - y_mean);
        sxx += dt * dt;
    }
    let slope = sxy / sxx;
    Ok((y_mean - slope * t_mean, slope))
}

/// The heuristic initial state for a series of at least 10 values (and, when seasonal, at
/// least two full cycles and 10 + 2⌊m/2⌋ values).
pub(crate) fn heuristic(y: &[f64], season: Season, m: usize) -> Result<Initial> {
    let n = y.len();
    if n < 10 {
        return Err(KassaError::validation(
            "series",
            "the heuristic initialization needs at least 10 values",
        ));
    }
    if season == Season::None {
        let (level, trend) = line_through_first_ten(y)?;
        return Ok(Initial {
            level,
            trend,
            seasonal: Vec::new(),
        });
    }
    if m < 2 {
        return Err(KassaError::validation(
            "seasonalPeriods",
            "must be at least 2",
        ));
    }
    if n < 2 * m {
        return Err(KassaError::validation(
            "series",
            "the heuristic initialization needs two full seasonal cycles",
        ));
    }
    let min_obs = 10 + 2 * (m / 2);
    if n < min_obs {
        return Err(KassaError::validation(
            "series",
            "the heuristic initialization needs 10 + 2*(seasonalPeriods/2) values",
        ));
    }
    let k_cycles = (n / m).min(5).max(min_obs.div_ceil(m));
    let len = (m * k_cycles).min(n);
    let series = y.get(..len).unwrap_or(y);
    // Centred rolling mean of width m (pandas `rolling(m, center=True)`): the value at i
    // averages series[i - m/2 .. i - m/2 + m] when that window lies inside the series.
    let half = m / 2;
    let mut prefix = Vec::with_capacity(len + 1);
    prefix.push(0.0);
    let mut acc = 0.0;
    for v in series {
        acc += v;
        prefix.push(acc);
    }
    let centred: Vec<Option<f64>> = (0..len)
        .map(|i| {
            let start = i.checked_sub(half)?;
            let hi = prefix.get(start + m)?;
            let lo = prefix.get(start)?;
            Some((hi - lo) / m as f64)
        })
        .collect();
    let trend: Vec<Option<f64>> = if m % 2 == 0 {
        (0..len)
            .map(|i| {
                match (
                    centred.get(i).copied().flatten(),
                    centred.get(i + 1).copied().flatten(),
                ) {
                    (Some(a), Some(b)) => Some((a + b) / 2.0),
                    _ => None,
                }
            })
            .collect()
    } else {
        centred
    };
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for (i, t) in trend.iter().enumerate() {
        let (Some(t), Some(v)) = (t, series.get(i)) else {
            continue;
        };
        let d = if season == Season::Add { v - t } else { v / t };
        if let (Some(s), Some(c)) = (sums.get_mut(i % m), counts.get_mut(i % m)) {
            *s += d;
            *c += 1;
        }
    }
    let mut seasonal: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, c)| if *c == 0 { f64::NAN } else { s / *c as f64 })
        .collect();
    if seasonal.iter().any(|s| !s.is_finite()) {
        return Err(KassaError::validation(
            "series",
            "not enough data for every seasonal position",
        ));
    }
    let mean = seasonal.iter().sum::<f64>() / m as f64;
    for s in &mut seasonal {
        if season == Season::Add {
            *s -= mean;
        } else {
            *s /= mean;
        }
    }
    let smoothed: Vec<f64> = trend.into_iter().flatten().collect();
    let (level, slope) = line_through_first_ten(&smoothed)?;
    Ok(Initial {
        level,
        trend: slope,
        seasonal,
    })
}
