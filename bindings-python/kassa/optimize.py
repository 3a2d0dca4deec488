"""Optimization: portfolio (min variance, max Sharpe, efficient return/risk, frontier),
value at risk, QUBO selection, estimation and scenarios. Inputs and outputs are floats
(these are statistics, not money); every function releases the GIL while it solves."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ._serde import Record, _op

__all__ = [
    "min_variance",
    "max_sharpe",
    "efficient_return",
    "efficient_risk",
    "frontier",
    "var",
    "qubo_exact",
    "select",
    "estimate",
    "scenario",
]

Data = Mapping[str, Any] | Record
Matrix = Sequence[Sequence[float]]


def _problem(
    expected_returns: Sequence[float], covariance: Matrix, assets: Sequence[str] | None, more: Mapping[str, Any]
) -> dict[str, Any]:
    return {"expected_returns": expected_returns, "covariance": covariance, "assets": assets, **more}


def min_variance(
    *, expected_returns: Sequence[float], covariance: Matrix, assets: Sequence[str] | None = None, **more: Any
) -> Record:
    """Minimum-variance weights (long-only, bounds and groups in ``more``: ``upper``,
    ``max_weight``, ``groups``, ...)."""
    out: Record = _op("optimize.min_variance", _problem(expected_returns, covariance, assets, more))
    return out


def max_sharpe(
    *, expected_returns: Sequence[float], covariance: Matrix, assets: Sequence[str] | None = None, **more: Any
) -> Record:
    """Maximum-Sharpe weights (``risk_free_rate`` and constraints in ``more``)."""
    out: Record = _op("optimize.max_sharpe", _problem(expected_returns, covariance, assets, more))
    return out


def efficient_return(*, problem: Data, target: float) -> Record:
    """Minimum variance for a target return."""
    out: Record = _op("optimize.efficient_return", {"problem": problem, "target": target})
    return out


def efficient_risk(*, problem: Data, target: float) -> Record:
    """Maximum return for a target volatility."""
    out: Record = _op("optimize.efficient_risk", {"problem": problem, "target": target})
    return out


def frontier(*, problem: Data, points: int) -> Record:
    """``points`` portfolios along the efficient frontier."""
    out: Record = _op("optimize.frontier", {"problem": problem, "points": points})
    return out


def var(*, weights: Sequence[float], returns: Matrix, **more: Any) -> Record:
    """Value at risk (``method``: historical, parametric, monte_carlo; ``confidence_levels``,
    ``simulations``, ``seed`` in ``more``)."""
    out: Record = _op("optimize.var", {"weights": weights, "returns": returns, **more})
    return out


def qubo_exact(*, matrix: Matrix, offset: float | None = None) -> Record:
    """Exact minimum of a small QUBO by enumeration."""
    out: Record = _op("optimize.qubo_exact", {"matrix": matrix, "offset": offset})
    return out


def select(*, expected_returns: Sequence[float], covariance: Matrix, budget: int, **more: Any) -> Record:
    """Chooses ``budget`` assets (QUBO: return vs risk with ``risk_aversion``)."""
    out: Record = _op(
        "optimize.select",
        {"expected_returns": expected_returns, "covariance": covariance, "budget": budget, **more},
    )
    return out


def estimate(**fields: Any) -> Record:
    """Expected returns and covariance from price observations (``observations`` or
    ``prices``, ``estimator``, ``return_kind``, ``periods_per_year``)."""
    out: Record = _op("optimize.estimate", fields)
    return out


def scenario(**fields: Any) -> Record:
    """A stress scenario (``prices``, ``weights``, ``shocks``, ...) and its impact."""
    out: Record = _op("optimize.scenario", fields)
    return out
