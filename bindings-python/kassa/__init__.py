"""Kassa for Python: the commerce domain of the Rust core, typed.

* ``kassa.call(op, request)``: every pure operation by name on its serde form (the form of
  the cross-host vectors); ``kassa.operations()`` lists them.
* Typed modules: :mod:`kassa.money`, :mod:`kassa.catalog`, :mod:`kassa.cart`,
  :mod:`kassa.pricing`, :mod:`kassa.order`, :mod:`kassa.inventory`, :mod:`kassa.supply`,
  :mod:`kassa.forecast`, :mod:`kassa.access`, :mod:`kassa.identity`,
  :mod:`kassa.ratelimit`, :mod:`kassa.optimize`, :mod:`kassa.billing`.
* Money is :class:`Money` with a ``decimal.Decimal`` amount; a float is a ``TypeError``.
* Errors: :class:`KassaError` and one subclass per code.

Thread safety: every function is safe to call from many threads at once; the pure functions
hold no state and release the GIL while Rust works. ``Money`` and ``Record`` are immutable.
"""

from __future__ import annotations

from . import _native
from .errors import (
    ERROR_CLASSES,
    HTTP_STATUS,
    ConflictError,
    FieldError,
    ForbiddenError,
    InternalError,
    KassaError,
    NotFoundError,
    OutOfStockError,
    PaymentDeclinedError,
    RateLimitedError,
    UnauthenticatedError,
    UnavailableError,
    UnsupportedError,
    ValidationError,
)
from ._serde import Money, Record, call, call_json, operations, to_serde
from . import ports
from .engine import Engine, actor
from . import (
    access,
    billing,
    cart,
    catalog,
    forecast,
    identity,
    inventory,
    money,
    optimize,
    order,
    pricing,
    ratelimit,
    supply,
)

__version__: str = _native.core_version()

__all__ = [
    "ERROR_CLASSES",
    "HTTP_STATUS",
    "ConflictError",
    "Engine",
    "FieldError",
    "ForbiddenError",
    "InternalError",
    "KassaError",
    "Money",
    "NotFoundError",
    "OutOfStockError",
    "PaymentDeclinedError",
    "RateLimitedError",
    "Record",
    "UnauthenticatedError",
    "UnavailableError",
    "UnsupportedError",
    "ValidationError",
    "access",
    "actor",
    "billing",
    "call",
    "call_json",
    "cart",
    "catalog",
    "forecast",
    "identity",
    "inventory",
    "money",
    "operations",
    "optimize",
    "order",
    "ports",
    "pricing",
    "ratelimit",
    "supply",
    "to_serde",
]
