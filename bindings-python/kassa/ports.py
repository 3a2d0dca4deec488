"""Ports implemented in Python: the protocols a host object must follow to serve as a port
of the engine (``kassa.Engine.in_memory(..., gateway=..., orders=..., events=..., clock=...)``).

Any object with these methods works (structural typing, no base class needed). Arguments
arrive as Python values: records as :class:`~kassa.Record` (read-only; ``.to_dict()`` gives the
serde form), money as :class:`~kassa.Money`, timestamps as aware ``datetime``. Results may be
``Record``/``Money``/dataclasses or plain dicts in serde form (camelCase keys).

Errors: raise a :class:`~kassa.KassaError` subclass to report a domain outcome (e.g.
``ConflictError`` from ``compare_and_set`` on a stale version, ``UnavailableError`` when the
database is down); ``OSError``/``TimeoutError`` become ``UNAVAILABLE``, anything else
``INTERNAL``. The caller of the engine gets a ``KassaError`` whose ``__cause__`` is the
exception the port raised.

Threading: the engine calls ports with the GIL held, from the thread that called the engine
method. Each call of a port method is one atomic step for the engine (``compare_and_set``
must check and write in one step: a dict-backed store is atomic as long as the method does
not release the GIL in between, e.g. by doing I/O; a database store uses a conditional
UPDATE).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Mapping, Protocol, runtime_checkable

from . import _native
from ._serde import Money, Record, _encode, _from_serde

__all__ = [
    "PaymentGateway",
    "EventSink",
    "Clock",
    "OrderStore",
    "approved",
    "declined",
]

JsonDict = Mapping[str, Any]


@runtime_checkable
class PaymentGateway(Protocol):
    """A payment provider. Every method returns a gateway response in serde form:
    ``{"outcome": {"type": "approved"}, "gatewayRef": "ch_1"}``,
    ``{"outcome": {"type": "declined", "code": "card_declined", "message": "..."}}`` or
    ``{"outcome": {"type": "unknown"}}`` (see :func:`approved` / :func:`declined`).
    Calls carry an idempotency key: the same key must give the same outcome."""

    def authorize(self, request: Record) -> JsonDict | Record:
        """``request``: ``idempotency_key``, ``order_id``, ``amount`` (Money),
        ``payment_token``, ``capture`` (authorize and capture at once)."""
        ...

    def capture(self, idempotency_key: str, gateway_ref: str, amount: Money) -> JsonDict | Record:
        """Captures (part of) an authorization."""
        ...

    def void(self, idempotency_key: str, gateway_ref: str) -> JsonDict | Record:
        """Releases an authorization."""
        ...

    def refund(self, idempotency_key: str, gateway_ref: str, amount: Money) -> JsonDict | Record:
        """Refunds (part of) a capture."""
        ...


@runtime_checkable
class EventSink(Protocol):
    """The outbox: receives every domain event (``id``, ``event_type``, ``schema_version``,
    ``aggregate_id``, ``occurred_at``, ``payload`` JSON text). Publishing the same ``id``
    twice must store it once."""

    def publish(self, event: Record) -> None: ...


@runtime_checkable
class Clock(Protocol):
    """Time for the engine: ``now()`` returns a timezone-aware ``datetime``."""

    def now(self) -> _dt.datetime: ...


@runtime_checkable
class OrderStore(Protocol):
    """Orders (the order aggregate includes its payment and fulfillment).

    * ``insert(order)``: ``order.version`` is 0; store it with version 1 and return it
      (``ConflictError`` if the id or number exists).
    * ``get(id)`` / ``get_by_number(number)``: the order or ``None``.
    * ``compare_and_set(order)``: if the stored version equals ``order.version``, store it
      with version + 1 and return it; else raise ``ConflictError`` (``NotFoundError`` if
      missing). Must be atomic.
    * ``list(filter, page)``: ``filter`` has optional ``status``, ``payment_status``,
      ``customer_id``, ``from``, ``to`` (created at, ``to`` exclusive); ``page`` has ``page``
      (from 1) and ``page_size``. Newest first (created at, then number, descending). Returns
      ``{"items": [orders of the page], "total": number of matches}``.
    * ``next_number()``: a new, increasing order number sequence value.
    """

    def insert(self, order: Record) -> JsonDict | Record: ...

    def get(self, id: str) -> JsonDict | Record | None: ...  # noqa: A002

    def get_by_number(self, number: str) -> JsonDict | Record | None: ...

    def compare_and_set(self, order: Record) -> JsonDict | Record: ...

    def list(self, filter: Record, page: Record) -> JsonDict: ...  # noqa: A002

    def next_number(self) -> int: ...


def approved(gateway_ref: str) -> dict[str, Any]:
    """A gateway response: approved, with the provider's reference."""
    return {"outcome": {"type": "approved"}, "gatewayRef": gateway_ref}


def declined(code: str, message: str) -> dict[str, Any]:
    """A gateway response: declined by the provider."""
    return {"outcome": {"type": "declined", "code": code, "message": message}}


def _invoke(obj: object, method: str, args_json: str) -> str:
    """Called by Rust: runs ``obj.method(*args)`` with Python values, returns JSON text."""
    args = [_from_serde(a) for a in json.loads(args_json)]
    result = getattr(obj, method)(*args)
    return _encode(result)


_native._set_port_invoker(_invoke)
