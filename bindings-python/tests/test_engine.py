"""The engine through Python, with Python-implemented ports: a declining gateway, a
dict-backed order store, a list outbox, a Python clock; host exceptions come back chained."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest

import kassa
from kassa import Engine, Money, Record, actor
from kassa.ports import approved, declined

ALICE = actor("alice", "customer")
ADMIN = actor("root", "admin")
SKU = "TEE-ORG-WHT-S"
SETUP: dict[str, Any] = {
    "start": "2026-03-02T09:00:00Z",
    "engine": {"defaultRegion": "DE"},
    "stock": [{"sku": SKU, "onHand": 5}],
    "rules": {
        "taxRules": [{"id": "de-vat", "rate": "0.19", "region": "DE", "taxClass": "standard"}],
        "shippingRates": [{"id": "dhl", "regions": ["DE"],
                           "calculation": {"type": "flat", "price": {"amount": "4.90", "currency": "EUR"}}}],
    },
    "auth": {"issuer": "kassa-test", "audience": "shop", "hs256Secret": "0123456789abcdef0123456789abcdef",
             "config": {"argon2": {"memoryKib": 1024, "iterations": 1, "parallelism": 1}}},
}


def checkout(engine: Engine, quantity: int = 2, key: str = "k1") -> Any:
    cart = engine.call("cart.create", {"actor": ALICE, "currency": "EUR"})
    engine.call("cart.add", {"actor": ALICE, "cartId": cart["id"], "sku": SKU, "quantity": quantity})
    request = {"cartId": cart["id"], "paymentToken": "tok_approve"}
    quote = engine.call("checkout.quote", {"actor": ALICE, "request": request})
    paid = {**request, "expectedTotal": quote["totals"]["grandTotal"]}
    return engine.call("checkout.run", {"actor": ALICE, "idempotencyKey": key, "request": paid})


def test_in_memory_shop_day() -> None:
    engine = Engine.in_memory(SETUP)
    assert "checkout.run" in Engine.operations()
    order = checkout(engine)
    assert order["payment"]["status"] == "captured"
    assert order["totals"]["total"]["currency"] == "EUR"
    # Typed access through run(): money as Decimal.
    got = engine.run("order.get", actor=ALICE, order_id=order["id"])
    assert isinstance(got, Record)
    assert isinstance(got.totals.total, Money) and isinstance(got.totals.total.amount, Decimal)
    # A foreign order is NOT_FOUND, never FORBIDDEN.
    with pytest.raises(kassa.NotFoundError):
        engine.call("order.get", {"actor": actor("mallory", "customer"), "orderId": order["id"]})
    # Out of stock.
    cart = engine.call("cart.create", {"actor": ALICE, "currency": "EUR"})
    with pytest.raises(kassa.OutOfStockError) as info:
        engine.call("cart.add", {"actor": ALICE, "cartId": cart["id"], "sku": SKU, "quantity": 50})
    assert info.value.http_status == 409
    # Clock and outbox.
    engine.advance_clock(3600)
    assert engine.now() == dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
    assert any(e.event_type == "order_placed" for e in engine.drain_events())
    assert engine.health() is not None


def test_identity_flows() -> None:
    engine = Engine.in_memory(SETUP)
    account = engine.call("auth.register", {"email": "Ada@Example.com", "password": "correct horse battery staple"})
    assert account["email"] == "ada@example.com"
    session = engine.call("auth.login", {"email": "ada@example.com", "password": "correct horse battery staple", "clientAddress": "10.0.0.1"})
    claims = engine.call("auth.authenticate", {"token": session["tokens"]["accessToken"]})
    assert claims["roles"] == ["customer"]
    with pytest.raises(kassa.UnauthenticatedError):
        engine.call("auth.login", {"email": "ada@example.com", "password": "wrong password here", "clientAddress": "10.0.0.1"})
    # Purging: nothing is due until the session's 7 days and the access lifetime have passed.
    assert engine.call("auth.purge_expired_tokens") == {"families": 0, "oneTime": 0}
    engine.advance_clock(7 * 86_400 + 1_801)
    assert engine.call("auth.purge_expired_tokens") == {"families": 1, "oneTime": 1}


class DecliningGateway:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def authorize(self, request: Record) -> dict[str, Any]:
        self.calls.append(("authorize", request))
        assert isinstance(request.amount, Money)
        return declined("card_declined", "insufficient funds")

    def capture(self, idempotency_key: str, gateway_ref: str, amount: Money) -> dict[str, Any]:
        return approved(gateway_ref)

    def void(self, idempotency_key: str, gateway_ref: str) -> dict[str, Any]:
        return approved(gateway_ref)

    def refund(self, idempotency_key: str, gateway_ref: str, amount: Money) -> dict[str, Any]:
        return approved(gateway_ref)


class BrokenGateway(DecliningGateway):
    def authorize(self, request: Record) -> dict[str, Any]:
        raise ConnectionError("provider unreachable")


class DictOrderStore:
    """An order store on a dict (atomic: no method releases the GIL midway)."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.sequence = 0

    def insert(self, order: Record) -> dict[str, Any]:
        data = order.to_dict()
        if data["id"] in self.orders:
            raise kassa.ConflictError(f"order {data['id']} exists")
        data["version"] = 1
        self.orders[data["id"]] = data
        return data

    def get(self, id: str) -> dict[str, Any] | None:  # noqa: A002
        return self.orders.get(id)

    def get_by_number(self, number: str) -> dict[str, Any] | None:
        return next((o for o in self.orders.values() if o["number"] == number), None)

    def compare_and_set(self, order: Record) -> dict[str, Any]:
        data = order.to_dict()
        stored = self.orders.get(data["id"])
        if stored is None:
            raise kassa.NotFoundError(f"order {data['id']}")
        if stored["version"] != data["version"]:
            raise kassa.ConflictError("order changed meanwhile")
        data["version"] += 1
        self.orders[data["id"]] = data
        return data

    def list(self, filter: Record, page: Record) -> dict[str, Any]:  # noqa: A002
        f = filter.to_dict()
        hits = [o for o in self.orders.values()
                if ("customerId" not in f or o["customerId"] == f["customerId"])
                and ("status" not in f or o["status"] == f["status"])]
        hits.sort(key=lambda o: (o["createdAt"], o["number"]), reverse=True)
        start = (page.page - 1) * page.page_size
        return {"items": hits[start:start + page.page_size], "total": len(hits)}

    def next_number(self) -> int:
        self.sequence += 1
        return self.sequence


class ListOutbox:
    def __init__(self) -> None:
        self.events: list[Record] = []

    def publish(self, event: Record) -> None:
        if all(e.id != event.id for e in self.events):
            self.events.append(event)


class FixedClock:
    def now(self) -> dt.datetime:
        return dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.timezone.utc)


def test_ports_protocols_are_satisfied() -> None:
    assert isinstance(DecliningGateway(), kassa.ports.PaymentGateway)
    assert isinstance(DictOrderStore(), kassa.ports.OrderStore)
    assert isinstance(ListOutbox(), kassa.ports.EventSink)
    assert isinstance(FixedClock(), kassa.ports.Clock)


def test_declining_gateway_and_dict_store() -> None:
    gateway, store, outbox = DecliningGateway(), DictOrderStore(), ListOutbox()
    engine = Engine.in_memory(SETUP, gateway=gateway, orders=store, events=outbox, clock=FixedClock())
    with pytest.raises(kassa.PaymentDeclinedError) as info:
        checkout(engine)
    assert info.value.http_status == 422
    assert [name for name, _ in gateway.calls] == ["authorize"]
    # The order lives in the Python dict, cancelled after the decline, written via CAS.
    assert len(store.orders) == 1
    (order,) = store.orders.values()
    assert order["status"] == "cancelled"
    assert order["version"] >= 2
    assert order["createdAt"].startswith("2026-05-01T08:30:00")
    # The engine reads it back through the Python store.
    got = engine.call("order.get", {"actor": ALICE, "orderId": order["id"]})
    assert got["id"] == order["id"] and got["status"] == "cancelled"
    mine = engine.call("order.mine", {"actor": ALICE})
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert "payment_failed" in {e.event_type for e in outbox.events}


def test_unreachable_gateway_leaves_the_payment_pending() -> None:
    # A gateway failure is an unknown outcome, not a decline: the order waits for the
    # provider's webhook (payment.gateway_event) instead of failing the checkout.
    engine = Engine.in_memory(SETUP, gateway=BrokenGateway())
    order = checkout(engine)
    assert order["status"] == "pending" and order["payment"]["status"] == "pending"


def test_host_exception_is_chained() -> None:
    class DownStore(DictOrderStore):
        def insert(self, order: Record) -> dict[str, Any]:
            raise ConnectionError("database unreachable")

    class BuggyStore(DictOrderStore):
        def insert(self, order: Record) -> dict[str, Any]:
            return {"not": "an order"}

    engine = Engine.in_memory(SETUP, orders=DownStore())
    with pytest.raises(kassa.UnavailableError) as info:
        checkout(engine)
    cause = info.value.__cause__
    assert isinstance(cause, ConnectionError) and "database unreachable" in str(cause)
    assert "hostErrorId" not in info.value.meta

    engine = Engine.in_memory(SETUP, orders=BuggyStore())
    with pytest.raises(kassa.InternalError) as info2:
        checkout(engine)
    assert "orders port: insert returned a value of the wrong shape" in info2.value.message


def test_kassa_error_from_a_port_keeps_its_code() -> None:
    class FullStore(DictOrderStore):
        def insert(self, order: Record) -> dict[str, Any]:
            raise kassa.UnavailableError("database is in maintenance")

    engine = Engine.in_memory(SETUP, orders=FullStore())
    with pytest.raises(kassa.UnavailableError) as info:
        checkout(engine)
    assert isinstance(info.value.__cause__, kassa.UnavailableError)
    assert "maintenance" in info.value.message


def test_engine_from_threads() -> None:
    engine = Engine.in_memory({**SETUP, "stock": [{"sku": SKU, "onHand": 1000}]})
    errors: list[BaseException] = []

    def shop(i: int) -> None:
        try:
            for j in range(3):
                checkout(engine, 1, key=f"t{i}-{j}")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=shop, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = engine.call("order.history", {"actor": ADMIN, "page": {"page": 1, "pageSize": 50}})
    assert history["pagination"]["total"] == 12 if "pagination" in history else len(history["items"]) == 12
