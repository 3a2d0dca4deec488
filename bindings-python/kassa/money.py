"""Money: exact rounding and allocation (``decimal.Decimal`` amounts, ISO currencies)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, Sequence

from ._serde import Money, _decimal_of, _op

__all__ = ["Money", "RoundingMode", "round", "allocate"]

#: The rounding modes of the core (serde strings).
RoundingMode = Literal["half_even", "half_up", "half_down", "up", "down"]


def _money(value: Money | Any, what: str) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, float):
        raise TypeError(f"{what} must be kassa.Money, never float")
    if isinstance(value, dict):
        return Money.from_dict(value)
    raise TypeError(f"{what} must be kassa.Money, not {type(value).__name__}")


def round(amount: Money, mode: RoundingMode | str = "half_even") -> Money:  # noqa: A001
    """Rounds ``amount`` to its currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD)."""
    out: Money = _op("money.round", {"amount": _money(amount, "amount"), "mode": mode})
    return out


def allocate(amount: Money, weights: Sequence[Decimal | int | str]) -> list[Money]:
    """Splits ``amount`` (already rounded to minor units) over ``weights`` exactly: the parts
    sum to the amount; leftover minor units go to the largest remainders (ties: earlier)."""
    ws = [str(_decimal_of(w, f"weights[{i}]")) for i, w in enumerate(weights)]
    out = _op("money.allocate", {"amount": _money(amount, "amount"), "weights": ws})
    return list(out)
