//! The exponential-smoothing recursions, written exactly as statsmodels' `holtwinters`
//! smoothers (error-correction form with the state before the update predicting the next
//! observation), so the same parameters give the same SSE.

/// Which components a model has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Additive trend.
    pub trend: bool,
    /// Damped trend (only with a trend).
    pub damped: bool,
    /// Seasonality: 0 none, 1 additive, 2 multiplicative.
    pub seasonal: Season,
    /// Season length (1 when non-seasonal).
    pub m: usize,
}

/// Seasonality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Season {
    None,
    Add,
    Mul,
}

/// Smoothing parameters (beta 0 without trend, gamma 0 without season, phi 1 undamped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Coefficients {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// The state after the last observation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FinalState {
    pub level: f64,
    pub trend: f64,
    /// Seasonal ring: slot `t % m` holds the latest seasonal of that position.
    pub ring: Vec<f64>,
}

/// Runs the recursion over `y` from the initial state; returns the SSE of the one-step
/// predictions and the final level and trend, leaving the final seasonals in `ring`.
///
/// `ring` must hold the `m` initial seasonals (or one 0/1 for non-seasonal models).
/// Dispatches to a loop specialised per model shape (the fit calls this hundreds of times).
#[inline]
pub(crate) fn run(
    y: &[f64],
    shape: Shape,
    c: Coefficients,
    level0: f64,
    trend0: f64,
    ring: &mut [f64],
) -> (f64, f64, f64) {
    run_bounded(y, shape, c, level0, trend0, ring, f64::INFINITY)
}

/// [`run`] that may stop early, returning a partial SSE above `limit`, once the SSE exceeds
/// `limit` (checked every 16 or 32 observations). The grid search uses it to
/// skip the rest of a point that cannot beat the best so far; the final state is then
/// meaningless.
#[inline]
pub(crate) fn run_bounded(
    y: &[f64],
    shape: Shape,
    c: Coefficients,
    level0: f64,
    trend0: f64,
    ring: &mut [f64],
    limit: f64,
) -> (f64, f64, f64) {
    match (shape.trend, shape.seasonal) {
        (false, Season::None) => run_shape::<false, 0>(y, c, level0, trend0, ring, limit),
        (false, Season::Add) => run_shape::<false, 1>(y, c, level0, trend0, ring, limit),
        (false, Season::Mul) => run_shape::<false, 2>(y, c, level0, trend0, ring, limit),
        (true, Season::None) => run_shape::<true, 0>(y, c, level0, trend0, ring, limit),
        (true, Season::Add) => run_shape::<true, 1>(y, c, level0, trend0, ring, limit),
        (true, Season::Mul) => run_shape::<true, 2>(y, c, level0, trend0, ring, limit),
    }
}

#[inline(always)]
fn run_shape<const TREND: bool, const SEASON: u8>(
    y: &[f64],
    c: Coefficients,
    level0: f64,
    trend0: f64,
    ring: &mut [f64],
    limit: f64,
) -> (f64, f64, f64) {
    let Coefficients {
        alpha,
        beta,
        gamma,
        phi,
    } = c;
    let alphac = 1.0 - alpha;
    let betac = 1.0 - beta;
    let gammac = 1.0 - gamma;
    let (mut l, mut b) = (level0, if TREND { trend0 } else { 0.0 });
    let mut sse = 0.0;
    let mut step = |yk: f64, s: &mut f64| {
        let lb = if TREND { l + phi * b } else { l };
        let (pred, l_new) = match SEASON {
            0 => (lb, alpha * yk + alphac * lb),
            1 => {
                let s0 = *s;
                let l_new = alpha * yk - alpha * s0 + alphac * lb;
                *s = gamma * yk - gamma * lb + gammac * s0;
                (lb + s0, l_new)
            }
            _ => {
                let s0 = *s;
                let l_new = alpha * yk / s0 + alphac * lb;
                *s = gamma * yk / lb + gammac * s0;
                (lb * s0, l_new)
            }
        };
        if TREND {
            b = beta * (l_new - l) + betac * phi * b;
        }
        l = l_new;
        let e = yk - pred;
        e * e
    };
    if SEASON == 0 {
        let mut unused = 0.0;
        for chunk in y.chunks(32) {
            for &yk in chunk {
                sse += step(yk, &mut unused);
            }
            if sse > limit {
                break;
            }
        }
    } else {
        // Walk the observations one season at a time: slot i of the ring is position i.
        'seasons: for chunk in y.chunks(ring.len().max(1)) {
            for (ys, ss) in chunk.chunks(16).zip(ring.chunks_mut(16)) {
                for (&yk, s) in ys.iter().zip(ss.iter_mut()) {
                    sse += step(yk, s);
                }
                if sse > limit {
                    break 'seasons;
                }
            }
        }
    }
    (sse, l, b)
}

/// Point forecasts for steps 1..=h from the final state after `n` observations.
pub(crate) fn forecast(
    shape: Shape,
    c: Coefficients,
    n: usize,
    state: &FinalState,
    h: usize,
) -> Vec<f64> {
    let m = state.ring.len().max(1);
    let mut out = Vec::with_capacity(h);
    let mut damp_sum = 0.0;
    let mut damp_pow = 1.0;
    for step in 1..=h {
        let trend_part = if shape.trend {
            if shape.damped {
                damp_pow *= c.phi;
                damp_sum += damp_pow;
                state.level + damp_sum * state.trend
            } else {
                state.level + step as f64 * state.trend
            }
        } else {
            state.level
        };
        let slot = (n + step - 1) % m;
        let v = match shape.seasonal {
            Season::None => trend_part,
            Season::Add => trend_part + state.ring.get(slot).copied().unwrap_or(0.0),
            Season::Mul => trend_part * state.ring.get(slot).copied().unwrap_or(1.0),
        };
        out.push(v);
    }
    out
}

/// Standard deviation of the h-step forecast error for h = 1..=steps, from the one-step
/// residual σ and the additive-error state-space coefficients
/// c_j = α + αβ·φ_j + γ·[j ≡ 0 (mod m)] (φ_j = φ + … + φ^j, or j undamped):
/// σ_h = σ·√(1 + Σ_{j<h} c_j²) (Hyndman et al. 2008, Table 6.1, class 1). For multiplicative
/// seasonality the same coefficients are used as an approximation, scaled by the step's
/// seasonal factor.
pub(crate) fn spread(
    shape: Shape,
    c: Coefficients,
    sigma: f64,
    n: usize,
    state: &FinalState,
    steps: usize,
) -> Vec<f64> {
    let m = state.ring.len().max(1);
    let mut out = Vec::with_capacity(steps);
    let mut acc: f64 = 1.0;
    let mut damp_sum = 0.0;
    let mut damp_pow = 1.0;
    for h in 1..=steps {
        let scale = match shape.seasonal {
            Season::Mul => state
                .ring
                .get((n + h - 1) % m)
                .copied()
                .unwrap_or(1.0)
                .abs(),
            _ => 1.0,
        };
        out.push(sigma * acc.sqrt() * scale);
        // c_h for the next step's variance.
        let j = h;
        let trend_term = if shape.trend {
            if shape.damped {
                damp_pow *= c.phi;
                damp_sum += damp_pow;
                c.alpha * c.beta * damp_sum
            } else {
                c.alpha * c.beta * j as f64
            }
        } else {
            0.0
        };
        let season_term = if shape.seasonal != Season::None && shape.m > 0 && j % shape.m == 0 {
            c.gamma
        } else {
            0.0
        };
        let cj = c.alpha + trend_term + season_term;
        acc += cj * cj;
    }
    out
}
