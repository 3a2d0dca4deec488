"""Cart: apply operations (add, set quantity, remove, clear), merge a guest cart, build the
pricing lines, check stock. Whole operations: a list of cart operations is one call."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ._serde import Record, _op

__all__ = ["apply", "merge", "pricing_lines", "check_stock"]

Data = Mapping[str, Any] | Record


def apply(
    *,
    catalog: Data,
    operations: Sequence[Data],
    cart: Data | None = None,
    currency: str | None = None,
    availability: Data | None = None,
    rules: Data | None = None,
) -> Record:
    """Applies ``operations`` to ``cart`` (or a new cart in ``currency``); all or nothing."""
    out: Record = _op(
        "cart.apply",
        {
            "catalog": catalog,
            "operations": operations,
            "cart": cart,
            "currency": currency,
            "availability": availability,
            "rules": rules,
        },
    )
    return out


def merge(
    *,
    catalog: Data,
    customer: Data,
    guest: Data,
    policy: str,
    availability: Data | None = None,
    rules: Data | None = None,
) -> Record:
    """Merges a guest cart into the customer's (policy ``sum``, ``max`` or ``replace``)."""
    out: Record = _op(
        "cart.merge",
        {
            "catalog": catalog,
            "customer": customer,
            "guest": guest,
            "policy": policy,
            "availability": availability,
            "rules": rules,
        },
    )
    return out


def pricing_lines(*, catalog: Data, cart: Data, context: Data) -> Any:
    """The cart's lines as pricing lines (resolved prices, tax classes, categories)."""
    return _op("cart.pricing_lines", {"catalog": catalog, "cart": cart, "context": context})


def check_stock(*, cart: Data, availability: Data) -> Any:
    """Lines short of stock (empty when everything is available)."""
    return _op("cart.check_stock", {"cart": cart, "availability": availability})
