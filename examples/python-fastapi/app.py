"""A FastAPI shop on Kassa with the embedded defaults (in-memory stores, sandbox gateway).

Run: ``uvicorn app:app --reload`` (after ``pip install ./bindings-python fastapi uvicorn``).
Every answer uses the seed's envelope: ``{"success": true, "data": ...}`` or
``{"success": false, "error": {"code", "message", "details"}}`` with the error's HTTP status.
Endpoints are plain ``def``: FastAPI runs them in its threadpool, and Kassa releases the GIL
while the engine works.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import kassa
from kassa import Engine

SETUP: dict[str, Any] = {
    "engine": {"defaultRegion": "DE"},
    "stock": [
        {"sku": "TEE-ORG-WHT-S", "onHand": 25},
        {"sku": "TEE-ORG-WHT-M", "onHand": 25},
    ],
    "rules": {
        "taxRules": [{"id": "de-vat", "rate": "0.19", "region": "DE", "taxClass": "standard"}],
        "shippingRates": [{"id": "dhl", "regions": ["DE"],
                           "calculation": {"type": "flat", "price": {"amount": "4.90", "currency": "EUR"}}}],
    },
    "auth": {
        "issuer": "kassa-fastapi",
        "audience": "shop",
        "hs256Secret": os.environ.get("KASSA_JWT_SECRET", "dev-only-secret-0123456789abcdef!"),
    },
}


# Request bodies (module level: FastAPI resolves the annotations by name).
class Credentials(BaseModel):
    email: str
    password: str


class Refresh(BaseModel):
    refreshToken: str


class AddItem(BaseModel):
    sku: str
    quantity: int


class SetQuantity(BaseModel):
    quantity: int


class CheckoutBody(BaseModel):
    cartId: str
    paymentToken: str
    couponCodes: list[str] = []
    expectedTotal: dict[str, str] | None = None


class StockBody(BaseModel):
    onHand: int
    locationId: str = "main"


def create_app(setup: dict[str, Any] | None = None) -> FastAPI:
    engine = Engine.in_memory(setup or SETUP)
    app = FastAPI(title="Kassa shop (Python)")

    @app.exception_handler(kassa.KassaError)
    def kassa_error(_: Request, exc: kassa.KassaError) -> JSONResponse:
        return JSONResponse({"success": False, "error": exc.to_dict()}, status_code=exc.http_status)

    def ok(data: Any, status: int = 200) -> JSONResponse:
        return JSONResponse({"success": True, "data": data}, status_code=status)

    def actor(authorization: str | None = Header(default=None)) -> dict[str, Any]:
        if not authorization or not authorization.startswith("Bearer "):
            raise kassa.UnauthenticatedError("missing bearer token")
        claims = engine.call("auth.authenticate", {"token": authorization.removeprefix("Bearer ")})
        return {"id": claims["userId"], "roles": claims["roles"]}

    def admin(who: dict[str, Any] = Depends(actor)) -> dict[str, Any]:
        if "admin" not in who["roles"]:
            raise kassa.ForbiddenError("admin role required")
        return who

    # ---- auth -------------------------------------------------------------------------
    @app.post("/api/auth/register")
    def register(body: Credentials) -> JSONResponse:
        return ok(engine.call("auth.register", body.model_dump()), 201)

    @app.post("/api/auth/login")
    def login(body: Credentials, request: Request) -> JSONResponse:
        client = request.client.host if request.client else ""
        return ok(engine.call("auth.login", {**body.model_dump(), "clientAddress": client}))

    @app.post("/api/auth/refresh")
    def refresh(body: Refresh) -> JSONResponse:
        return ok(engine.call("auth.refresh", {"token": body.refreshToken}))

    # ---- products ---------------------------------------------------------------------
    def browse(query: dict[str, Any]) -> Any:
        return engine.call("catalog.browse", {"query": {"context": {"currency": "EUR"}, **query}})

    @app.get("/api/products")
    def products(page: int = 1, pageSize: int = 20, category: str | None = None,
                 sort: str | None = None, featured: bool = False) -> JSONResponse:
        q: dict[str, Any] = {"page": page, "pageSize": pageSize, "featured": featured}
        if category:
            q["categoryId"] = category
        if sort:
            q["sort"] = sort
        return ok(browse(q))

    @app.get("/api/products/search")
    def search(q: str, page: int = 1, pageSize: int = 20) -> JSONResponse:
        return ok(browse({"text": q, "page": page, "pageSize": pageSize}))

    @app.get("/api/products/{key}")
    def product(key: str) -> JSONResponse:
        # The engine has no single-product operation yet: walk the pages.
        page = 1
        while True:
            found = browse({"page": page, "pageSize": 100})
            for item in found["items"]:
                if key in (item.get("id"), item.get("slug")):
                    return ok(item)
            if page * 100 >= found["pagination"]["total"]:
                raise kassa.NotFoundError(f"product '{key}' not found")
            page += 1

    # ---- cart and checkout ------------------------------------------------------------
    @app.post("/api/cart")
    def create_cart(who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("cart.create", {"actor": who, "currency": "EUR"}), 201)

    @app.get("/api/cart/{cart_id}")
    def get_cart(cart_id: str, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("cart.get", {"actor": who, "cartId": cart_id}))

    @app.post("/api/cart/{cart_id}/items")
    def add_item(cart_id: str, body: AddItem, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("cart.add", {"actor": who, "cartId": cart_id, **body.model_dump()}))

    @app.patch("/api/cart/{cart_id}/items/{line_id}")
    def set_quantity(cart_id: str, line_id: str, body: SetQuantity,
                     who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("cart.set_quantity",
                              {"actor": who, "cartId": cart_id, "lineId": line_id, "quantity": body.quantity}))

    @app.delete("/api/cart/{cart_id}/items/{line_id}")
    def remove_item(cart_id: str, line_id: str, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("cart.remove", {"actor": who, "cartId": cart_id, "lineId": line_id}))

    @app.post("/api/checkout/quote")
    def quote(body: CheckoutBody, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("checkout.quote", {"actor": who, "request": body.model_dump(exclude_none=True)}))

    @app.post("/api/orders")
    def place_order(body: CheckoutBody, who: dict[str, Any] = Depends(actor),
                    idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        req: dict[str, Any] = {"actor": who, "request": body.model_dump(exclude_none=True)}
        if idempotency_key:
            req["idempotencyKey"] = idempotency_key
        return ok(engine.call("checkout.run", req), 201)

    @app.get("/api/orders")
    def my_orders(page: int = 1, pageSize: int = 20, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("order.mine", {"actor": who, "page": {"page": page, "pageSize": pageSize}}))

    @app.get("/api/orders/{order_id}")
    def get_order(order_id: str, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("order.get", {"actor": who, "orderId": order_id}))

    @app.post("/api/orders/{order_id}/cancel")
    def cancel(order_id: str, who: dict[str, Any] = Depends(actor)) -> JSONResponse:
        return ok(engine.call("order.cancel", {"actor": who, "orderId": order_id, "reason": "customer request"}))

    # ---- admin ------------------------------------------------------------------------
    @app.post("/api/admin/products")
    def create_product(product: dict[str, Any], who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        return ok(engine.call("catalog.create_product", {"actor": who, "product": product}), 201)

    @app.put("/api/admin/products/{product_id}")
    def update_product(product_id: str, product: dict[str, Any],
                       who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        return ok(engine.call("catalog.update_product", {"actor": who, "product": {**product, "id": product_id}}))

    @app.get("/api/admin/inventory")
    def inventory(who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        return ok(engine.call("inventory.availability", {}))

    @app.put("/api/admin/inventory/{sku}")
    def set_stock(sku: str, body: StockBody, who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        return ok(engine.call("inventory.set_stock", {"actor": who, "sku": sku, **body.model_dump()}))

    @app.get("/api/admin/orders")
    def all_orders(page: int = 1, pageSize: int = 20, status: str | None = None,
                   who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        req: dict[str, Any] = {"actor": who, "page": {"page": page, "pageSize": pageSize}}
        if status:
            req["filter"] = {"status": status}
        return ok(engine.call("order.history", req))

    @app.patch("/api/admin/orders/{order_id}/status")
    def update_status(order_id: str, update: dict[str, Any], who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        return ok(engine.call("order.update_status", {"actor": who, "orderId": order_id, "update": update}))

    @app.get("/api/admin/stats")
    def stats(start: str, end: str, who: dict[str, Any] = Depends(admin)) -> JSONResponse:
        return ok(engine.call("admin.dashboard",
                              {"actor": who, "request": {"from": start, "to": end, "currency": "EUR"}}))

    app.state.engine = engine
    return app


app = create_app()
