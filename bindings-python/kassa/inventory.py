"""Inventory: reorder policies (EOQ, reorder point, min/max, (s, S)), a whole reorder run
over many items and suppliers, stock adjustments, GTIN validation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ._serde import Money, Record, _op

__all__ = ["eoq", "reorder_point", "min_max", "s_s", "reorder_run", "adjust", "gtin"]

Data = Mapping[str, Any] | Record
Number = Decimal | int | str


def _money(value: object, what: str) -> object:
    if isinstance(value, float):
        raise TypeError(f"{what} must be kassa.Money, never float")
    return value


def eoq(*, annual_demand: Number, ordering_cost: Money, holding_cost_per_unit: Money) -> Record:
    """Economic order quantity ``sqrt(2 D S / H)`` and the whole-unit order quantity."""
    out: Record = _op(
        "inventory.eoq",
        {
            "annual_demand": annual_demand,
            "ordering_cost": _money(ordering_cost, "ordering_cost"),
            "holding_cost_per_unit": _money(holding_cost_per_unit, "holding_cost_per_unit"),
        },
    )
    return out


def reorder_point(
    *, demand_per_period: Number, demand_std_dev: Number, lead_time_periods: Number, service_level: Number
) -> Record:
    """Reorder point and safety stock for a service level (normal demand)."""
    out: Record = _op(
        "inventory.reorder_point",
        {
            "demand_per_period": demand_per_period,
            "demand_std_dev": demand_std_dev,
            "lead_time_periods": lead_time_periods,
            "service_level": service_level,
        },
    )
    return out


def min_max(
    *,
    projected: int,
    min: int,  # noqa: A002
    max: int,  # noqa: A002
    order_multiple: int | None = None,
    minimum_order_quantity: int | None = None,
) -> Record:
    """Min/max policy: how much to order when the projected position is at or below min."""
    out: Record = _op(
        "inventory.min_max",
        {
            "projected": projected,
            "min": min,
            "max": max,
            "order_multiple": order_multiple,
            "minimum_order_quantity": minimum_order_quantity,
        },
    )
    return out


def s_s(*, position: int, s: int, S: int, order_multiple: int | None = None) -> Record:  # noqa: N803
    """(s, S) policy: order up to ``S`` when the position falls to ``s`` or below."""
    out: Record = _op(
        "inventory.s_s", {"position": position, "s": s, "S": S, "order_multiple": order_multiple}
    )
    return out


def reorder_run(*, items: Sequence[Data], suppliers: Sequence[Data]) -> Record:
    """A reorder run over many items: suggested purchase orders grouped by supplier.
    Releases the GIL while it runs."""
    out: Record = _op("inventory.reorder_run", {"items": items, "suppliers": suppliers})
    return out


def adjust(*, level: Data, adjustment: Data, id: str, at: datetime) -> Record:  # noqa: A002
    """Applies a stock adjustment (count, damage, ...) to a stock level; never below reserved."""
    out: Record = _op("inventory.adjust", {"level": level, "adjustment": adjustment, "id": id, "at": at})
    return out


def gtin(code: str) -> Record:
    """Validates a GTIN-8/12/13/14 (check digit) and gives its GTIN-14 form."""
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, not {type(code).__name__}")
    from ._serde import _from_serde, call

    out: Record = _from_serde(call("inventory.gtin", code))
    return out
