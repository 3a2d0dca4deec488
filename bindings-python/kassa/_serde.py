"""Conversion between Python values and Kassa's serde form, and the generic ``call``.

The serde form (docs/architecture.md) is JSON: camelCase fields, snake_case enum strings,
money as ``{"amount": "<decimal string>", "currency": "ISO"}``. Going in, Python values are
converted as follows:

* ``Money`` → ``{"amount": str(amount), "currency": ...}``; ``decimal.Decimal`` → its string
  (scale kept: ``Decimal("10.00")`` is ``"10.00"``);
* aware ``datetime`` → RFC 3339 text (a naive datetime is a ``ValidationError``), ``date`` →
  ``YYYY-MM-DD``, ``uuid.UUID`` → text, ``enum.Enum`` → its value;
* dataclass instances → dicts with their field names turned to camelCase;
* ``Record`` (what the typed functions return) → the serde dict it wraps;
* dicts are taken as already in serde form (keys unchanged: map keys such as SKUs are data).

Coming out, the generic :func:`call` returns plain JSON values; the typed functions wrap them
in :class:`Record` objects that convert money to :class:`Money` on access.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import re
import uuid
from decimal import Decimal
from typing import Any, Iterator, Mapping

from . import _native
from .errors import ValidationError

__all__ = ["Money", "Record", "call", "call_json", "operations", "to_serde", "camel", "snake"]


def camel(name: str) -> str:
    """``unit_price`` → ``unitPrice`` (names without ``_`` are unchanged)."""
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


_SNAKE_RE = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """``unitPrice`` → ``unit_price``."""
    return _SNAKE_RE.sub("_", name).lower()


def _decimal_of(value: object, what: str) -> Decimal:
    """A money amount as ``Decimal``: ``Decimal``, ``int`` or decimal text; float is a TypeError."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a decimal.Decimal, not bool")
    if isinstance(value, float):
        raise TypeError(
            f"{what} must be a decimal.Decimal (or int / decimal string), never float: "
            f"binary floats cannot represent money exactly; use Decimal({str(value)!r})"
        )
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            raise ValidationError(
                f"{what}: not a decimal number", details=[{"field": what, "message": "not a decimal number"}]
            ) from None
    raise TypeError(f"{what} must be a decimal.Decimal, not {type(value).__name__}")


class Money:
    """An amount of money in one ISO 4217 currency; ``amount`` is always a ``Decimal``.

    ``Money(Decimal("9.99"), "EUR")``; ints and decimal strings are accepted and converted,
    a ``float`` is a ``TypeError``. Immutable, hashable, compared by amount and currency
    (``Money("1.0", "EUR") == Money("1.00", "EUR")``, as ``Decimal`` compares). Rounding and
    allocation are core operations (``kassa.money.round``, ``kassa.money.allocate``).
    """

    __slots__ = ("_amount", "_currency")
    __match_args__ = ("amount", "currency")
    _amount: Decimal
    _currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        if not isinstance(currency, str):
            raise TypeError(f"currency must be a str, not {type(currency).__name__}")
        object.__setattr__(self, "_amount", _decimal_of(amount, "amount"))
        object.__setattr__(self, "_currency", currency)

    @property
    def amount(self) -> Decimal:
        """The amount (exact decimal)."""
        return self._amount

    @property
    def currency(self) -> str:
        """The ISO 4217 code."""
        return self._currency

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Money):
            return self._amount == other._amount and self._currency == other._currency
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._amount, self._currency))

    def __repr__(self) -> str:
        return f"Money(amount={self._amount!r}, currency={self._currency!r})"

    def to_dict(self) -> dict[str, str]:
        """The serde form ``{"amount": "9.99", "currency": "EUR"}``."""
        return {"amount": str(self.amount), "currency": self.currency}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Money:
        """From the serde form (a missing field is a ``ValidationError``)."""
        if not isinstance(data, Mapping):
            raise TypeError(f"money must be a mapping, not {type(data).__name__}")
        missing = [k for k in ("amount", "currency") if k not in data]
        if missing:
            raise ValidationError(
                f"money needs {' and '.join(missing)}",
                details=[{"field": k, "message": "missing field"} for k in missing],
            )
        currency = data["currency"]
        if not isinstance(currency, str):
            raise TypeError(f"currency must be a str, not {type(currency).__name__}")
        return cls(_decimal_of(data["amount"], "amount"), currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _is_money(value: Mapping[str, Any]) -> bool:
    return (
        len(value) == 2
        and isinstance(value.get("amount"), str)
        and isinstance(value.get("currency"), str)
    )


_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _from_serde(value: Any) -> Any:
    """A serde value as a Python value: money dict → Money, dict → Record, list → tuple,
    RFC 3339 text → aware datetime; everything else unchanged."""
    if isinstance(value, dict):
        if _is_money(value):
            try:
                return Money.from_dict(value)
            except (ArithmeticError, ValidationError):
                return Record(value)
        return Record(value)
    if isinstance(value, list):
        return tuple(_from_serde(v) for v in value)
    if isinstance(value, str) and _DATETIME_RE.match(value):
        try:
            return _dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


class Record:
    """A read-only view of a core record in its serde form.

    Fields are reachable as attributes in snake_case (``line.unit_price``) or by their serde
    key (``line["unitPrice"]``); money fields come back as :class:`Money`, nested records as
    ``Record``, lists as tuples, timestamps as aware ``datetime``. ``to_dict()`` gives the
    exact serde form back (the form the generic :func:`call` and the JSON vectors use), and a
    ``Record`` can be passed wherever a typed function takes that record. Equality compares
    the serde form; records are immutable and safe to share between threads.
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        """Wraps a serde-form dict."""
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the serde form (JSON-compatible)."""
        copied: dict[str, Any] = json.loads(json.dumps(self._data))
        return copied

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "_data")
        if name in data:
            return _from_serde(data[name])
        key = camel(name)
        if key in data:
            return _from_serde(data[key])
        raise AttributeError(f"record has no field {name!r} (fields: {', '.join(map(snake, data))})")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Kassa records are immutable")

    def __getitem__(self, key: str) -> Any:
        return _from_serde(self._data[key])

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list[str]:
        """The serde keys."""
        return list(self._data)

    def get(self, key: str, default: Any = None) -> Any:
        """The converted value of a serde key, or ``default``."""
        return _from_serde(self._data[key]) if key in self._data else default

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._data == other._data
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{snake(k)}={_from_serde(v)!r}" for k, v in self._data.items())
        return f"Record({inner})"

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {snake(k) for k in self._data})


def _default(value: Any) -> Any:
    """``json.dumps`` hook for the non-JSON Python values (see the module docs)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, Record):
        return value._data
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                "naive datetime: Kassa needs timezone-aware datetimes",
                details=[{"field": "input", "message": "naive datetime"}],
            )
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple,)):
        return list(value)
    raise TypeError(f"Kassa cannot send a {type(value).__name__} value")


_encoder = json.JSONEncoder(default=_default, separators=(",", ":"), ensure_ascii=False)


def to_serde(value: Any) -> Any:
    """A Python value in Kassa's serde form (JSON-compatible dicts, lists, strings, numbers)."""
    parsed: Any = json.loads(_encode(value))
    return parsed


def _encode(value: Any) -> str:
    try:
        return _encoder.encode(value)
    except ValueError as e:  # circular reference
        raise TypeError(str(e)) from None


def call_json(operation: str, request: str) -> str:
    """Runs a pure operation on JSON text and returns JSON text (the fastest path)."""
    if not isinstance(operation, str) or not isinstance(request, str):
        raise TypeError("call_json(operation: str, request: str)")
    return _native.call(operation, request)


def call(operation: str, request: Any) -> Any:
    """Runs one pure domain operation (``"pricing.price_cart"``, ...) on a request in serde
    form and returns the result in serde form (plain JSON values).

    The request may also contain ``Decimal``, ``Money``, ``Record``, dataclasses, aware
    datetimes, ``UUID`` and enums (converted as described in this module). Raises the
    :class:`~kassa.KassaError` subclass of the error code; the GIL is released while Rust
    works.
    """
    if not isinstance(operation, str):
        raise TypeError(f"operation must be a str, not {type(operation).__name__}")
    return json.loads(_native.call(operation, _encode(request)))


def operations() -> list[str]:
    """Every operation name :func:`call` accepts."""
    return list(_native.operations())


def _op(operation: str, fields: Mapping[str, Any]) -> Any:
    """Calls an operation with snake_case keyword fields (``None`` = left out) and wraps the
    result (used by the typed modules)."""
    request = {camel(k): v for k, v in fields.items() if v is not None}
    return _from_serde(call(operation, request))
