"""Pricing: a whole cart in one call (promotions, coupons, stacking, shipping, tax, rounding)
with the explanation of every discount.

Two ways in (docs/python.md, "Pricing without conversion"):

* :func:`price_cart`: rules and cart in one request, a :class:`~kassa.Record` back; simple,
  and every call converts the whole request and the whole result.
* :class:`Pricer` (the rules, converted once) and :class:`PricingCart` (a cart held on the
  Rust side and changed by whole operations): ``pricer.price(cart)`` converts nothing going
  in and returns a :class:`PricedCart` whose fields convert only when read. ``price`` also
  takes a cart mapping or a list of line mappings per call. Same values, same errors and
  field paths as :func:`price_cart`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ._native import PricedCart, PricedLine, Pricer, PricingCart
from ._serde import Record, _op

__all__ = ["PricedCart", "PricedLine", "Pricer", "PricingCart", "price_cart"]

Data = Mapping[str, Any] | Record


def price_cart(
    *,
    context: Data,
    lines: Sequence[Data],
    promotions: Sequence[Data] | None = None,
    coupons: Sequence[Data] | None = None,
    coupon_codes: Sequence[str] | None = None,
    stacking: Data | None = None,
    shipping_rates: Sequence[Data] | None = None,
    shipping_method: str | None = None,
    tax_rules: Any = None,
    **more: Any,
) -> Record:
    """Prices a cart: returns lines, totals, applied promotions and coupons, shipping, tax.

    Further request fields of ``pricing.price_cart`` may be passed in snake_case (``more``).
    The GIL is released while the cart is priced.
    """
    fields: dict[str, Any] = {
        "context": context,
        "lines": lines,
        "promotions": promotions,
        "coupons": coupons,
        "coupon_codes": coupon_codes,
        "stacking": stacking,
        "shipping_rates": shipping_rates,
        "shipping_method": shipping_method,
        "tax_rules": tax_rules,
    }
    fields.update(more)
    out: Record = _op("pricing.price_cart", fields)
    return out
