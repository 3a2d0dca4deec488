"""The engine with its embedded in-memory defaults: catalog browsing, carts, checkout,
orders, payments, admin, identity flows, as whole operations.

Synchronous by design: each call runs the async Rust core to completion on the calling
thread with the GIL released (Python ports re-acquire it while they run). From asyncio use
:meth:`Engine.acall` (a thread via ``asyncio.to_thread``). ``Engine`` is safe to share
between threads.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
from typing import Any, Mapping

from . import _native
from ._serde import Record, _encode, _from_serde, camel
from .ports import Clock, EventSink, OrderStore, PaymentGateway

__all__ = ["Engine", "Actor", "actor"]

#: The acting principal every request that touches someone's data carries.
Actor = Mapping[str, Any]


def actor(id: str, *roles: str) -> dict[str, Any]:  # noqa: A002
    """``{"id": id, "roles": [...]}`` (e.g. ``actor("alice", "customer")``)."""
    return {"id": id, "roles": list(roles)}


class Engine:
    """A Kassa engine.

    ``Engine.in_memory(setup)`` builds the embedded defaults (in-memory stores, sandbox
    gateway, manual clock, sequential ids, collecting outbox) from a setup in serde form
    (``catalog``, ``rules``, ``start``, ``seed``, ``engine``, ``stock``, ``auth``; ``{}``
    gives the sample catalog). Pass Python objects to substitute ports: ``gateway``
    (:class:`kassa.ports.PaymentGateway`), ``orders`` (:class:`kassa.ports.OrderStore`),
    ``events`` (:class:`kassa.ports.EventSink`), ``clock`` (:class:`kassa.ports.Clock`).
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Engine) -> None:
        self._native = native

    @classmethod
    def in_memory(
        cls,
        setup: Mapping[str, Any] | None = None,
        *,
        gateway: PaymentGateway | None = None,
        orders: OrderStore | None = None,
        events: EventSink | None = None,
        clock: Clock | None = None,
    ) -> Engine:
        """The embedded defaults (see the class docs)."""
        return cls(
            _native.Engine.in_memory(
                _encode(dict(setup or {})), gateway=gateway, orders=orders, events=events, clock=clock
            )
        )

    @staticmethod
    def operations() -> list[str]:
        """Every engine operation name (``cart.add``, ``checkout.run``, ``auth.login``, ...)."""
        return list(_native.Engine.operations())

    def call(self, operation: str, request: Any = None) -> Any:
        """Runs one operation on a request in serde form; returns the serde-form result
        (plain JSON values). Raises the :class:`~kassa.KassaError` subclass of the code."""
        if not isinstance(operation, str):
            raise TypeError(f"operation must be a str, not {type(operation).__name__}")
        text = self._native.call(operation, _encode({} if request is None else request))
        return json.loads(text)

    def run(self, operation: str, **fields: Any) -> Any:
        """Like :meth:`call` with snake_case keyword fields (``None`` = left out); the
        result comes back as :class:`~kassa.Record` / :class:`~kassa.Money` values."""
        request = {camel(k): v for k, v in fields.items() if v is not None}
        return _from_serde(self.call(operation, request))

    async def acall(self, operation: str, request: Any = None) -> Any:
        """:meth:`call` from asyncio, in a worker thread (the GIL is released while Rust runs)."""
        return await asyncio.to_thread(self.call, operation, request)

    # ---- conveniences over the in-memory defaults ------------------------------------
    def now(self) -> _dt.datetime:
        """The in-memory clock's time."""
        return _dt.datetime.fromisoformat(self.call("memory.now"))

    def advance_clock(self, seconds: int) -> None:
        """Moves the in-memory clock forward."""
        self.call("memory.advance_clock", {"seconds": seconds})

    def drain_events(self) -> list[Record]:
        """The outbox events published since the last drain (in-memory outbox)."""
        out = self.call("memory.drain_events")
        return [Record(e) for e in out]

    def health(self) -> Record:
        """Every port's health."""
        out: Record = _from_serde(self.call("health"))
        return out
