"""The FastAPI example end to end with TestClient: auth, products, cart, checkout, orders,
admin, error envelopes."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from app import SETUP, create_app

FAST_ARGON2 = {"argon2": {"memoryKib": 1024, "iterations": 1, "parallelism": 1}}


def client(*roles: str) -> TestClient:
    setup: dict[str, Any] = copy.deepcopy(SETUP)
    setup["auth"]["config"] = {**FAST_ARGON2, **({"defaultRoles": list(roles)} if roles else {})}
    return TestClient(create_app(setup))


def login(c: TestClient, email: str = "ada@example.com") -> dict[str, str]:
    password = "correct horse battery staple"
    r = c.post("/api/auth/register", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    r = c.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    tokens = r.json()["data"]["tokens"]
    return {"Authorization": f"Bearer {tokens['accessToken']}", "refresh": tokens["refreshToken"]}


def test_auth_flow_and_errors() -> None:
    c = client()
    headers = login(c)
    r = c.post("/api/auth/refresh", json={"refreshToken": headers["refresh"]})
    assert r.status_code == 200 and r.json()["success"] is True
    r = c.post("/api/auth/login", json={"email": "ada@example.com", "password": "wrong password!!"})
    assert r.status_code == 401
    body = r.json()
    assert body["success"] is False and body["error"]["code"] == "UNAUTHENTICATED"
    r = c.post("/api/auth/register", json={"email": "not-an-email", "password": "short"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["details"]
    assert c.post("/api/cart").status_code == 401


def test_products() -> None:
    c = client()
    r = c.get("/api/products", params={"pageSize": 5})
    data = r.json()["data"]
    assert r.status_code == 200 and 0 < len(data["items"]) <= 5
    r = c.get("/api/products/search", params={"q": "tee"})
    items = r.json()["data"]["items"]
    assert items and all("tee" in (i["name"] + i.get("slug", "")).lower() for i in items)
    first = items[0]
    r = c.get(f"/api/products/{first['id']}")
    assert r.status_code == 200 and r.json()["data"]["id"] == first["id"]
    r = c.get("/api/products/no-such-product")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_cart_checkout_orders() -> None:
    c = client()
    h = {"Authorization": login(c)["Authorization"]}
    cart = c.post("/api/cart", headers=h).json()["data"]
    r = c.post(f"/api/cart/{cart['id']}/items", headers=h, json={"sku": "TEE-ORG-WHT-S", "quantity": 2})
    assert r.status_code == 200, r.text
    line = r.json()["data"]["cart"]["lines"][0]
    r = c.patch(f"/api/cart/{cart['id']}/items/{line['lineId']}", headers=h, json={"quantity": 3})
    assert r.json()["data"]["cart"]["lines"][0]["quantity"] == 3
    r = c.post(f"/api/cart/{cart['id']}/items", headers=h, json={"sku": "TEE-ORG-WHT-S", "quantity": 500})
    assert r.status_code == 409 and r.json()["error"]["code"] in ("OUT_OF_STOCK", "VALIDATION_ERROR", "CONFLICT")
    body = {"cartId": cart["id"], "paymentToken": "tok_approve"}
    total = c.post("/api/checkout/quote", headers=h, json=body).json()["data"]["totals"]["grandTotal"]
    r = c.post("/api/orders", headers={**h, "Idempotency-Key": "o-1"}, json={**body, "expectedTotal": total})
    assert r.status_code == 201, r.text
    order = r.json()["data"]
    assert order["payment"]["status"] == "captured"
    assert order["totals"]["total"] == total
    # Replay with the same key gives the same order.
    again = c.post("/api/orders", headers={**h, "Idempotency-Key": "o-1"}, json={**body, "expectedTotal": total})
    assert again.json()["data"]["id"] == order["id"]
    mine = c.get("/api/orders", headers=h).json()["data"]
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert c.get(f"/api/orders/{order['id']}", headers=h).json()["data"]["id"] == order["id"]
    # Someone else cannot see it: 404, never 403.
    other = {"Authorization": login(c, "eve@example.com")["Authorization"]}
    assert c.get(f"/api/orders/{order['id']}", headers=other).status_code == 404
    # Customers are not admins.
    assert c.get("/api/admin/orders", headers=h).status_code == 403


def test_admin() -> None:
    c = client("customer", "admin")
    h = {"Authorization": login(c, "root@example.com")["Authorization"]}
    r = c.put("/api/admin/inventory/TEE-ORG-WHT-M", headers=h, json={"onHand": 7})
    assert r.status_code == 200, r.text
    inv = c.get("/api/admin/inventory", headers=h)
    assert inv.status_code == 200 and "TEE-ORG-WHT-M" in inv.text
    cart = c.post("/api/cart", headers=h).json()["data"]
    c.post(f"/api/cart/{cart['id']}/items", headers=h, json={"sku": "TEE-ORG-WHT-M", "quantity": 1})
    order = c.post("/api/orders", headers=h, json={"cartId": cart["id"], "paymentToken": "tok_approve"})
    assert order.status_code == 201, order.text
    orders = c.get("/api/admin/orders", headers=h).json()["data"]
    assert orders["items"][0]["id"] == order.json()["data"]["id"]
    r = c.get("/api/admin/stats", headers=h, params={"start": "2025-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True
    product = c.get("/api/products", params={"pageSize": 1}).json()["data"]["items"][0]
    assert c.post("/api/admin/products", headers=h, json={"id": "bad"}).status_code == 400
    _ = product
