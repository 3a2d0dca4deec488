"""The engine with its embedded in-memory defaults: catalog browsing, carts, checkout,
orders, payments, admin, identity flows, as whole operations.

Synchronous by design: each call runs the async Rust core to completion on the calling
thread with the GIL released (Python ports re-acquire it while they run). From asyncio use
:meth:`Engine.acall` (a thread via ``asyncio.to_thread``). ``Engine`` is safe to share
between threads.

:meth:`Engine.open` runs the same engine on PostgreSQL or SQLite, opened by URL.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import math
from typing import Any, Mapping

from . import _native
from ._serde import Record, _encode, _from_serde, camel
from .errors import ValidationError
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

    ``Engine.open(url, setup)`` runs on a database instead (PostgreSQL or SQLite); see
    :meth:`open`. An opened engine is a context manager that closes its pool on exit.
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

    @classmethod
    def open(
        cls,
        url: str,
        setup: Mapping[str, Any] | None = None,
        *,
        schema: str | None = None,
        max_connections: int | None = None,
        acquire_timeout: float | None = None,
        idempotency_lock_timeout: int | None = None,
        sqlite_busy_timeout: float | None = None,
        gateway: PaymentGateway | None = None,
    ) -> Engine:
        """The engine on the database at ``url``: ``postgres://user:pw@host:5432/db`` (also
        ``postgresql://``; TLS with ``?sslmode=require``), ``sqlite:///abs/path/kassa.db``,
        ``sqlite://relative/path.db`` or ``sqlite::memory:``. Opening connects, applies the
        migrations (idempotent, safe from several processes at once) and returns when the
        database is ready; the GIL is released meanwhile.

        ``setup`` (serde form, all optional): ``engine``, ``auth``, ``billing`` settings as
        for :meth:`in_memory`, and ``catalog``, ``rules``, ``stock`` loaded **only into a
        fresh database** (one whose catalog was never written); on later opens the database
        is the source of truth and they are ignored. No ``start`` / ``seed``: an opened
        engine uses the system clock, UUID ids and the OS random source.

        Options: ``schema`` (PostgreSQL schema for the tables, created if missing),
        ``max_connections`` (PostgreSQL pool size, default 10), ``acquire_timeout`` (seconds
        to wait for a connection, default 5; also bounds connecting here),
        ``idempotency_lock_timeout`` (seconds, default 60), ``sqlite_busy_timeout``
        (seconds, default 5). ``gateway``: the payment provider as a Python object
        (default: the sandbox gateway, for development).

        Raises :class:`~kassa.ValidationError` naming ``url`` (unknown scheme, malformed),
        ``schema``, an option (``maxConnections``, ...) or a setup field, and
        :class:`~kassa.UnavailableError` when the database cannot be reached in time.
        """
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        options: dict[str, Any] = {
            "schema": schema,
            "maxConnections": max_connections,
            "acquireTimeoutSeconds": acquire_timeout,
            "idempotencyLockTimeoutSeconds": idempotency_lock_timeout,
            "sqliteBusyTimeoutSeconds": sqlite_busy_timeout,
        }
        for key, value in options.items():
            # JSON has no inf / nan: refuse them here with the error Rust gives other bad values
            if isinstance(value, float) and not math.isfinite(value):
                message = "must be a positive number of seconds"
                raise ValidationError(f"{key}: {message}", details=[{"field": key, "message": message}])
        text = json.dumps({k: v for k, v in options.items() if v is not None})
        return cls(_native.Engine.open(url, _encode(dict(setup or {})), text, gateway=gateway))

    @property
    def persistent(self) -> bool:
        """Whether the engine runs on a database (:meth:`open`) rather than in memory."""
        return self._native.persistent

    def close(self) -> None:
        """Closes the database pool (waits for calls in flight); later calls raise
        :class:`~kassa.UnavailableError`. Does nothing for an in-memory engine."""
        self._native.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
