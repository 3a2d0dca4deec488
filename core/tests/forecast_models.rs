//! Behaviour of the forecasting models on series with known answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa::forecast::{fit, Initialization, Seasonality, SmoothingSettings, Trend};
use kassa::inventory::reorder::reorder_point;
use rust_decimal_macros::dec;

#[test]
fn a_perfect_line_is_forecast_exactly_by_holt() {
    let y: Vec<f64> = (0..40).map(|t| 10.0 + 2.5 * t as f64).collect();
    let m = fit(
        &y,
        &SmoothingSettings {
            trend: Trend::Add,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(m.sse() < 1e-12, "sse {}", m.sse());
    for (h, f) in m.forecast(5).iter().enumerate() {
        let want = 10.0 + 2.5 * (40 + h) as f64;
        assert!((f - want).abs() < 1e-6, "step {h}: {f} vs {want}");
    }
}

#[test]
fn a_pure_seasonal_pattern_repeats() {
    let pattern = [5.0, 9.0, 14.0, 7.0];
    let y: Vec<f64> = (0..48).map(|t| 100.0 + pattern[t % 4]).collect();
    let m = fit(
        &y,
        &SmoothingSettings {
            seasonal: Seasonality::Add,
            seasonal_periods: Some(4),
            ..Default::default()
        },
    )
    .unwrap();
    for (h, f) in m.forecast(8).iter().enumerate() {
        let want = 100.0 + pattern[(48 + h) % 4];
        assert!((f - want).abs() < 1e-6, "step {h}: {f} vs {want}");
    }
}

#[test]
fn spread_grows_with_the_horizon_and_feeds_the_reorder_point() {
    let y: Vec<f64> = (0..60)
        .map(|t| 50.0 + ((t * 7919) % 13) as f64 - 6.0)
        .collect();
    let m = fit(&y, &SmoothingSettings::default()).unwrap();
    let pts = m.forecast_with_spread(10);
    assert!((pts[0].std_dev - m.sigma()).abs() < 1e-12);
    for w in pts.windows(2) {
        assert!(w[1].std_dev >= w[0].std_dev);
    }
    let input = m.reorder_point_input(4, dec!(0.95)).unwrap();
    let rop = reorder_point(&input).unwrap();
    assert!(rop.reorder_point > input.demand_per_period * dec!(4));
}

#[test]
fn known_initialization_uses_the_given_states() {
    let y: Vec<f64> = (0..30).map(|t| 20.0 + (t % 3) as f64).collect();
    let m = fit(
        &y,
        &SmoothingSettings {
            initialization_method: Initialization::Known,
            initial_level: Some(21.0),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.params().initial_level, 21.0);
    let err = fit(
        &y,
        &SmoothingSettings {
            initialization_method: Initialization::Known,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.details[0].field, "settings.initialLevel");
}

#[test]
fn bad_settings_are_validation_errors() {
    let y: Vec<f64> = (0..30).map(|t| t as f64 + 1.0).collect();
    let e = fit(
        &y,
        &SmoothingSettings {
            damped: true,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.details[0].field, "settings.damped");
    let e = fit(
        &y,
        &SmoothingSettings {
            seasonal: Seasonality::Add,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.details[0].field, "settings.seasonalPeriods");
    let e = fit(&[1.0, f64::NAN], &SmoothingSettings::default()).unwrap_err();
    assert_eq!(e.details[0].field, "series[1]");
    assert!(fit(&[], &SmoothingSettings::default()).is_err());
}
