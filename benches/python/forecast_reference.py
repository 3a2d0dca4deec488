#!/usr/bin/env python3
"""Reference forecasts from statsmodels' ExponentialSmoothing for Kassa's forecast module.

Generates deterministic demand series (fixed seeds, values rounded to 2 decimals so the
series itself is exact in JSON), fits statsmodels' ``ExponentialSmoothing`` with
``initialization_method="heuristic"`` (the same initialization Kassa implements) and the
default optimizer (brute-force start + L-BFGS-B), and writes the series, settings, fitted
parameters, SSE and forecasts as JSON.

Usage:
    forecast_reference.py --out core/tests/fixtures/forecast_statsmodels.json
    forecast_reference.py --timing FIXTURE --repeat 20   # prints statsmodels fit times (JSON)
"""
import argparse
import json
import math
import sys
import time
import warnings

import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing


def series_cases():
    """The deterministic series (name, values, settings, horizon)."""
    cases = []

    rng = np.random.default_rng(101)
    level = 120 + rng.normal(0, 8, 60)
    cases.append(("ses_level_noise", level, dict(trend=None, damped=False, seasonal=None, seasonal_periods=None), 12))

    rng = np.random.default_rng(202)
    t = np.arange(80)
    trend = 50 + 1.8 * t + rng.normal(0, 4, 80)
    cases.append(("holt_additive_trend", trend, dict(trend="add", damped=False, seasonal=None, seasonal_periods=None), 12))

    rng = np.random.default_rng(303)
    t = np.arange(80)
    sat = 200 - 150 * np.exp(-t / 20) + rng.normal(0, 3, 80)
    cases.append(("holt_damped_saturating", sat, dict(trend="add", damped=True, seasonal=None, seasonal_periods=None), 12))

    # 3 years of weekly demand, week-of-year seasonality (period 52).
    rng = np.random.default_rng(404)
    t = np.arange(156)
    weekly = 300 + 0.6 * t + 60 * np.sin(2 * np.pi * t / 52) + 25 * np.cos(4 * np.pi * t / 52) + rng.normal(0, 10, 156)
    cases.append(("hw_additive_weekly_3y", weekly, dict(trend="add", damped=False, seasonal="add", seasonal_periods=52), 52))

    rng = np.random.default_rng(505)
    t = np.arange(156)
    mult = (200 + 0.8 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 52)) + rng.normal(0, 6, 156)
    cases.append(("hw_multiplicative_weekly_3y", mult, dict(trend="add", damped=False, seasonal="mul", seasonal_periods=52), 52))

    rng = np.random.default_rng(606)
    t = np.arange(156)
    flat = 80 + 20 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 4, 156)
    cases.append(("hw_seasonal_no_trend_weekly_3y", flat, dict(trend=None, damped=False, seasonal="add", seasonal_periods=52), 26))

    rng = np.random.default_rng(707)
    t = np.arange(60)
    monthly = 1000 + 12 * t + 150 * np.sin(2 * np.pi * t / 12 + 0.5) + rng.normal(0, 25, 60)
    cases.append(("hw_additive_damped_monthly", monthly, dict(trend="add", damped=True, seasonal="add", seasonal_periods=12), 24))

    rng = np.random.default_rng(808)
    t = np.arange(72)
    monthly_mul = (400 + 5 * t) * (1 + 0.25 * np.cos(2 * np.pi * t / 12)) + rng.normal(0, 8, 72)
    cases.append(("hw_multiplicative_monthly", monthly_mul, dict(trend="add", damped=False, seasonal="mul", seasonal_periods=12), 24))

    # Seasonality whose shape drifts, so the fitted gamma is well above zero.
    rng = np.random.default_rng(909)
    t = np.arange(156)
    drift = 500 + 1.5 * t + (40 + 0.8 * t) * np.sin(2 * np.pi * t / 52 + t / 60) + rng.normal(0, 6, 156)
    cases.append(("hw_additive_drifting_season_weekly_3y", drift, dict(trend="add", damped=False, seasonal="add", seasonal_periods=52), 104))

    rng = np.random.default_rng(1010)
    t = np.arange(96)
    drift_m = (300 + 2 * t) * (1 + (0.1 + 0.004 * t) * np.sin(2 * np.pi * t / 12 + t / 40)) + rng.normal(0, 4, 96)
    cases.append(("hw_multiplicative_drifting_season_monthly", drift_m, dict(trend="add", damped=True, seasonal="mul", seasonal_periods=12), 36))

    return [(n, np.round(v, 2), s, h) for n, v, s, h in cases]


def fit(values, settings):
    model = ExponentialSmoothing(
        np.asarray(values, dtype=float),
        trend=settings["trend"],
        damped_trend=settings["damped"],
        seasonal=settings["seasonal"],
        seasonal_periods=settings["seasonal_periods"],
        initialization_method="heuristic",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit()


def opt(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def build_fixture():
    cases = []
    for name, values, settings, horizon in series_cases():
        res = fit(values, settings)
        p = res.params
        seasonal = p.get("initial_seasons")
        cases.append({
            "name": name,
            "series": [float(v) for v in values],
            "settings": {
                "trend": settings["trend"] or "none",
                "damped": settings["damped"],
                "seasonal": settings["seasonal"] or "none",
                "seasonalPeriods": settings["seasonal_periods"],
                "initializationMethod": "heuristic",
            },
            "horizon": horizon,
            "statsmodels": {
                "alpha": opt(p["smoothing_level"]),
                "beta": opt(p.get("smoothing_trend")),
                "gamma": opt(p.get("smoothing_seasonal")),
                "phi": opt(p.get("damping_trend")),
                "initialLevel": opt(p["initial_level"]),
                "initialTrend": opt(p.get("initial_trend")),
                "initialSeasonal": None if seasonal is None or np.ndim(seasonal) == 0 else [float(s) for s in seasonal],
                "sse": float(res.sse),
                "forecast": [float(v) for v in res.forecast(horizon)],
            },
        })
    return {
        "generator": "benches/python/forecast_reference.py",
        "statsmodels": statsmodels.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }


def timing(fixture_path, repeat):
    with open(fixture_path) as f:
        fixture = json.load(f)
    out = {}
    for case in fixture["cases"]:
        s = case["settings"]
        settings = dict(
            trend=None if s["trend"] == "none" else s["trend"],
            damped=s["damped"],
            seasonal=None if s["seasonal"] == "none" else s["seasonal"],
            seasonal_periods=s["seasonalPeriods"],
        )
        fit(case["series"], settings)  # warm-up
        best = math.inf
        for _ in range(repeat):
            start = time.perf_counter()
            fit(case["series"], settings)
            best = min(best, time.perf_counter() - start)
        out[case["name"]] = best * 1e6
    json.dump(out, sys.stdout)
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--timing")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    if args.timing:
        timing(args.timing, args.repeat)
        return
    fixture = build_fixture()
    text = json.dumps(fixture, indent=1) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
