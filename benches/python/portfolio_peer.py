#!/usr/bin/env python3
"""Python peer comparison: PyPortfolioOpt (cvxpy) vs kassa on identical inputs.

Creates factor-model problems (long-only, 5% cap, risk-free rate 2%) at the given sizes,
solves min volatility and max Sharpe with PyPortfolioOpt, sends the same expected returns
and covariance to kassa's solver through the `portfolio_peer` binary (JSON on stdin), and
prints per size: both median times, the ratio, and the relative objective difference.

    python benches/python/portfolio_peer.py [--sizes 50,100,250,500,1000] [--repeats 3]
        [--bin PATH] [--check]

With --check the script exits non-zero if kassa's optimum is worse than PyPortfolioOpt's by
more than 1e-6 relative (kassa solves exactly; cvxpy's solvers stop at their tolerances).
"""
import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
from pypfopt import EfficientFrontier

RF = 0.02
CAP = 0.05


def problem(n, seed):
    rng = np.random.default_rng(seed)
    f = 0.08 * rng.standard_normal((n, 5))
    d = 0.01 + 0.06 * rng.random(n)
    cov = f @ f.T + np.diag(d)
    mu = 0.03 + 0.12 * rng.random(n)
    return mu, cov


def stats(mu, cov, w):
    w = np.asarray(w)
    var = float(w @ cov @ w)
    return var, (float(mu @ w) - RF) / np.sqrt(var)


def pypfopt_solve(mu, cov, objective):
    names = [f"a{i}" for i in range(len(mu))]
    ef = EfficientFrontier(pd.Series(mu, index=names), pd.DataFrame(cov, index=names, columns=names),
                           weight_bounds=(0, CAP))
    if objective == "max_sharpe":
        w = ef.max_sharpe(risk_free_rate=RF)
    else:
        w = ef.min_volatility()
    return np.array([w[k] for k in names])


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return out, times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,100,250,500,1000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--bin", default=os.environ.get("KASSA_PORTFOLIO_PEER", "target/release/portfolio_peer"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, failures = [], []
    for n in sizes:
        mu, cov = problem(n, n)
        for objective in ("min_variance", "max_sharpe"):
            w_py, t_py = timed(lambda: pypfopt_solve(mu, cov, objective), args.repeats)
            req = {"repeats": max(args.repeats, 5), "problems": [{"objective": objective, "problem": {
                "expectedReturns": mu.tolist(), "covariance": cov.tolist(), "maxWeight": CAP,
                "riskFreeRate": RF}}]}
            res = subprocess.run([args.bin], input=json.dumps(req), capture_output=True, text=True, check=True)
            out = json.loads(res.stdout)[0]
            w_rs, t_rs = np.array(out["weights"]), out["seconds"]
            (v_py, s_py), (v_rs, s_rs) = stats(mu, cov, w_py), stats(mu, cov, w_rs)
            if objective == "max_sharpe":
                rel = (s_py - s_rs) / abs(s_py)  # > 0: kassa better
                rel = -rel
                worse = rel < -1e-6
            else:
                rel = (v_rs - v_py) / v_py  # < 0: kassa better
                worse = rel > 1e-6
            if worse:
                failures.append(f"n={n} {objective}: kassa worse by {rel:.2e}")
            rows.append((objective, n, t_py * 1e3, t_rs * 1e3, t_py / t_rs, rel))
    print("| objective | n | PyPortfolioOpt (ms) | kassa (ms) | ratio | objective diff (kassa vs PyPortfolioOpt, relative) |")
    print("|---|---|---|---|---|---|")
    for o, n, tp, tr, ratio, rel in rows:
        print(f"| {o} | {n} | {tp:.1f} | {tr:.2f} | {ratio:.1f}x | {rel:+.1e} |")
    if failures:
        print("FAILED:", *failures, sep="\n  ")
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
