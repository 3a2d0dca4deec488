"""Forecasting: Holt-Winters exponential smoothing (simple, trend, additive/multiplicative
seasonality) with fitted parameters. Releases the GIL while fitting."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ._serde import Record, _op

__all__ = ["holt_winters"]


def holt_winters(
    *, series: Sequence[float], horizon: int, settings: Mapping[str, Any] | Record | None = None
) -> Record:
    """Fits the model in ``settings`` to ``series`` and forecasts ``horizon`` steps."""
    out: Record = _op(
        "forecast.holt_winters", {"series": series, "horizon": horizon, "settings": settings}
    )
    return out
