"""Engines opened by URL (``Engine.open``): a checkout on SQLite read back by a second engine
on the same file (persistence), the setup loaded only into a fresh database, typed errors for
bad URLs and options and an unreachable server, and the same checkout on PostgreSQL when
``KASSA_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import kassa
from kassa import Engine, actor
from test_engine import ALICE, SETUP, SKU, DecliningGateway, checkout

SAMPLE_CATALOG: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "data" / "catalog.json").read_text(encoding="utf-8")
)
#: The in-memory test setup without the manual clock's start, with the sample catalog (an
#: opened engine loads no catalog by default).
SQL_SETUP: dict[str, Any] = {**{k: v for k, v in SETUP.items() if k != "start"}, "catalog": SAMPLE_CATALOG}
UNREACHABLE = "postgres://postgres@127.0.0.1:1/test"


def available(engine: Engine) -> int:
    levels: dict[str, int] = engine.call("inventory.availability", {"skus": [SKU]})
    return levels[SKU]


def shop_and_reopen(url: str, **options: Any) -> None:
    """A checkout and an account on one engine; a second engine on the same database reads
    them back, and its setup (stock 5) is not loaded again."""
    with Engine.open(url, SQL_SETUP, **options) as first:
        assert first.persistent
        assert available(first) == 5
        order = checkout(first, quantity=2, key="sql-k1")
        assert order["payment"]["status"] == "captured"
        assert order["customerId"] == "alice"
        assert available(first) == 3
        # The idempotency key is held in the database: another request under it is refused.
        with pytest.raises(kassa.ConflictError) as info:
            first.call("checkout.run", {"actor": ALICE, "idempotencyKey": "sql-k1",
                                        "request": {"cartId": "other", "paymentToken": "tok_approve"}})
        assert info.value.meta["idempotency"] == "key_reused"
        first.call("auth.register", {"email": "ada@example.com", "password": "correct horse battery staple"})
        health = first.call("health")
        assert health["status"] == "up", health
    with pytest.raises(kassa.UnavailableError):  # closed pool
        first.call("order.get", {"actor": ALICE, "orderId": order["id"]})

    with Engine.open(url, SQL_SETUP, **options) as second:
        assert second.call("order.get", {"actor": ALICE, "orderId": order["id"]}) == order
        mine = second.call("order.mine", {"actor": ALICE})
        assert [o["id"] for o in mine["items"]] == [order["id"]]
        assert available(second) == 3  # not reset to the setup's 5
        session = second.call("auth.login", {"email": "ada@example.com", "password": "correct horse battery staple",
                                             "clientAddress": "10.0.0.1"})
        claims = second.call("auth.authenticate", {"token": session["tokens"]["accessToken"]})
        assert claims["roles"] == ["customer"]
        # A foreign order stays NOT_FOUND on a database too.
        with pytest.raises(kassa.NotFoundError):
            second.call("order.get", {"actor": actor("mallory", "customer"), "orderId": order["id"]})
        # memory.* operations need the in-memory ports.
        with pytest.raises(kassa.ConflictError):
            second.now()


def test_sqlite_checkout_persists_across_engines(tmp_path: Path) -> None:
    shop_and_reopen(f"sqlite://{tmp_path}/kassa.db", sqlite_busy_timeout=2.0)
    assert (tmp_path / "kassa.db").exists()


def test_calls_from_several_threads(tmp_path: Path) -> None:
    """The shared runtime serves engine calls from many Python threads at once (each call
    releases the GIL); stock is decremented exactly once per checkout."""
    with Engine.open(f"sqlite://{tmp_path}/threads.db", SQL_SETUP) as engine:
        errors: list[BaseException] = []

        def shopper(n: int) -> None:
            try:
                order = checkout(engine, 1, key=f"t-{n}")
                assert order["payment"]["status"] == "captured"
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=shopper, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert available(engine) == 1


def test_sqlite_memory_and_empty_setup() -> None:
    engine = Engine.open("sqlite::memory:")
    assert engine.persistent and not Engine.in_memory({}).persistent
    # No catalog in the setup: the database starts empty (no sample catalog).
    found = engine.call("catalog.browse", {"query": {"context": {"currency": "EUR"}}})
    assert found["items"] == [], found
    engine.close()


def test_python_gateway_on_an_opened_engine() -> None:
    gateway = DecliningGateway()
    with Engine.open("sqlite::memory:", SQL_SETUP, gateway=gateway) as engine:
        with pytest.raises(kassa.PaymentDeclinedError):
            checkout(engine)
        assert available(engine) == 5  # the reservation was released
    assert [name for name, _ in gateway.calls] == ["authorize"]


@pytest.mark.parametrize(
    ("url", "options", "field"),
    [
        ("mysql://root@127.0.0.1/shop", {}, "url"),
        ("not a url", {}, "url"),
        ("postgres://postgres@127.0.0.1:1/test", {"schema": "bad-name; DROP"}, "schema"),
        ("sqlite::memory:", {"max_connections": 0}, "maxConnections"),
        ("sqlite::memory:", {"acquire_timeout": -1.0}, "acquireTimeoutSeconds"),
        ("sqlite::memory:", {"sqlite_busy_timeout": float("inf")}, "sqliteBusyTimeoutSeconds"),
    ],
)
def test_bad_url_or_option_is_a_validation_error(url: str, options: dict[str, Any], field: str) -> None:
    with pytest.raises(kassa.ValidationError) as info:
        Engine.open(url, **options)
    assert info.value.code == "VALIDATION_ERROR"
    assert info.value.http_status == 400
    assert [d.field for d in info.value.details] == [field], info.value.to_dict()


def test_bad_setup_is_a_validation_error() -> None:
    with pytest.raises(kassa.ValidationError) as info:
        Engine.open("sqlite::memory:", {"engine": {"defaultRegion": 7}})
    assert [d.field for d in info.value.details] == ["engine.defaultRegion"]
    # The manual clock's start is an in-memory setting: refused, not ignored.
    with pytest.raises(kassa.ValidationError):
        Engine.open("sqlite::memory:", {"start": "2026-01-01T00:00:00Z"})
    with pytest.raises(TypeError):
        Engine.open(b"sqlite::memory:")  # type: ignore[arg-type]


def test_unreachable_postgres_is_unavailable() -> None:
    started = time.monotonic()
    with pytest.raises(kassa.UnavailableError) as info:
        Engine.open(UNREACHABLE, acquire_timeout=0.5)
    assert info.value.code == "UNAVAILABLE"
    assert info.value.http_status == 503
    assert "retryAfterSeconds" in info.value.meta
    assert time.monotonic() - started < 5


def test_postgres_checkout_persists_across_engines() -> None:
    url = os.environ.get("KASSA_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("KASSA_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
    schema = f"kassa_py_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        shop_and_reopen(url, schema=schema, max_connections=4, acquire_timeout=5.0)
    finally:
        psql = shutil.which("psql")
        if psql:
            subprocess.run([psql, url, "-q", "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                           check=False, capture_output=True, timeout=30)
