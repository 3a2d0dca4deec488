"""Python binding benchmarks (docs/performance.md, "Python binding").

1. A 20-line cart (category 10 % off, 5.00 off the order over a minimum subtotal spread by
   net, VAT included at 19 % / 7 % per line, weight-tier vs flat shipping with free-over)
   priced through the binding (typed ``kassa.pricing.price_cart``, the JSON-text
   ``kassa.call_json``, and ``kassa.pricing.Pricer`` with the rules held on the Rust side:
   per-call line dicts, or a ``PricingCart`` handle held on the Rust side, results read
   lazily) vs a plain-Python ``decimal`` implementation of the same rules. Every path's
   result is compared with the reference first (every line's net and tax, shipping, grand
   total).
2. Call overhead: ``kassa.identity.normalize_email`` and ``kassa.call_json`` of a tiny op.
3. Portfolio (max Sharpe, long-only) through the binding vs PyPortfolioOpt on identical
   inputs, when PyPortfolioOpt is installed.

Run: python bench/bench_pricing.py [--quick]
"""

from __future__ import annotations

import json
import statistics
import sys
import timeit
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Callable

import kassa

CENT = Decimal("0.01")


def cart(n: int = 20) -> dict[str, Any]:
    lines = [
        {
            "lineId": f"line-{i:04}",
            "sku": f"SKU-{i % 37}",
            "productId": f"P-{i % 23}",
            "categoryIds": [f"C-{i % 5}", "all"],
            "quantity": 1 + (i % 4),
            "unitPrice": {"amount": f"{3 + (i * 7) % 90}.{(i * 13) % 100:02}", "currency": "EUR"},
            "taxInclusive": True,
            "taxClass": "reduced" if i % 3 == 0 else "standard",
            "weightGrams": 150 + (i % 7) * 100,
        }
        for i in range(n)
    ]
    return {
        "lines": lines,
        "promotions": [
            {"id": "cat10", "priority": 1, "target": {"type": "categories", "ids": ["C-1", "C-3"]},
             "action": {"type": "percent_off", "percent": "10"}},
            {"id": "order5", "priority": 3, "conditions": {"minSubtotal": {"amount": "50.00", "currency": "EUR"}},
             "target": {"type": "order"}, "action": {"type": "amount_off", "amount": {"amount": "5.00", "currency": "EUR"}}},
        ],
        "taxRules": [
            {"id": "de-std", "region": "DE", "taxClass": "standard", "rate": "0.19"},
            {"id": "de-red", "region": "DE", "taxClass": "reduced", "rate": "0.07"},
        ],
        "shippingRates": [
            {"id": "dhl", "calculation": {"type": "weight_tiers", "tiers": [
                {"maxGrams": 2000, "price": {"amount": "4.99", "currency": "EUR"}},
                {"maxGrams": 1000000, "price": {"amount": "9.99", "currency": "EUR"}}]},
             "freeOver": {"amount": "500.00", "currency": "EUR"}},
            {"id": "express", "calculation": {"type": "flat", "price": {"amount": "14.90", "currency": "EUR"}}},
        ],
        "context": {"region": "DE", "currency": "EUR", "customerId": "c-1", "now": "2026-03-15T12:00:00Z"},
    }


# ---- the same rules in plain Python decimal (this cart's promotion, tax and shipping kinds) --
def _allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Largest remainder in cents; ties to the earlier weight."""
    total = sum(weights)
    cents = int((amount / CENT).to_integral_value())
    raw = [Decimal(cents) * w / total for w in weights]
    floors = [int(r.to_integral_value(rounding=ROUND_DOWN)) for r in raw]
    left = cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def price_python(data: dict[str, Any]) -> dict[str, Any]:
    lines = []
    for raw in data["lines"]:
        unit = Decimal(raw["unitPrice"]["amount"])
        qty = raw["quantity"]
        subtotal = (unit * qty).quantize(CENT, ROUND_HALF_UP)
        lines.append({"id": raw["lineId"], "raw": raw, "qty": qty, "subtotal": subtotal, "net": subtotal})
    merch = sum((ln["subtotal"] for ln in lines), Decimal(0))
    promos = sorted(data["promotions"], key=lambda p: (p.get("priority", 0), p["id"]))
    for p in promos:
        action, target = p["action"], p["target"]
        cond = p.get("conditions", {})
        if "minSubtotal" in cond and merch < Decimal(cond["minSubtotal"]["amount"]):
            continue
        if target["type"] == "categories" and action["type"] == "percent_off":
            ids = set(target["ids"])
            pct = Decimal(action["percent"]) / 100
            for ln in lines:
                if ids.intersection(ln["raw"]["categoryIds"]):
                    d = min((ln["net"] * pct).quantize(CENT, ROUND_HALF_UP), ln["net"])
                    ln["net"] -= d
        elif target["type"] == "order" and action["type"] == "amount_off":
            ordered = sorted(lines, key=lambda ln: ln["id"])
            base = sum((ln["net"] for ln in ordered), Decimal(0))
            amount = min(Decimal(action["amount"]["amount"]), base)
            for ln, share in zip(ordered, _allocate(amount, [ln["net"] for ln in ordered])):
                ln["net"] -= share
        else:
            raise NotImplementedError(p["id"])
    rates = {(r["region"], r["taxClass"]): Decimal(r["rate"]) for r in data["taxRules"]}
    region = data["context"]["region"]
    for ln in lines:
        rate = rates.get((region, ln["raw"].get("taxClass", "standard")), Decimal(0))
        if ln["raw"].get("taxInclusive"):
            ln["tax"] = min((ln["net"] * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP), ln["net"])
            ln["total"] = ln["net"]
        else:
            ln["tax"] = (ln["net"] * rate).quantize(CENT, ROUND_HALF_UP)
            ln["total"] = ln["net"] + ln["tax"]
    discounted = sum((ln["net"] for ln in lines), Decimal(0))
    grams = sum(ln["raw"]["weightGrams"] * ln["qty"] for ln in lines)
    options = []
    for r in data["shippingRates"]:
        calc = r["calculation"]
        if calc["type"] == "flat":
            price = Decimal(calc["price"]["amount"])
        else:
            fitting = [t for t in calc["tiers"] if grams <= t["maxGrams"]]
            if not fitting:
                continue
            price = Decimal(min(fitting, key=lambda t: t["maxGrams"])["price"]["amount"])
        if "freeOver" in r and discounted >= Decimal(r["freeOver"]["amount"]):
            price = Decimal("0.00")
        options.append((price, r["id"]))
    shipping = min(options)[0]
    grand = sum((ln["total"] for ln in lines), Decimal(0)) + shipping
    return {
        "lines": {ln["id"]: (ln["net"], ln["tax"]) for ln in lines},
        "shipping": shipping,
        "grand": grand,
    }


def summary_of_kassa(priced: kassa.Record) -> dict[str, Any]:
    d = priced.to_dict()
    return {
        "lines": {ln["lineId"]: (Decimal(ln["net"]["amount"]), Decimal(ln["tax"]["amount"])) for ln in d["lines"]},
        "shipping": Decimal(d["shipping"]["price"]["amount"]) if d.get("shipping") else None,
        "grand": Decimal(d["totals"]["grandTotal"]["amount"]),
    }


def summary_of_lazy(priced: kassa.pricing.PricedCart) -> dict[str, Any]:
    """The same summary read through the lazy accessors (no ``to_dict``)."""
    shipping = priced.shipping
    return {
        "lines": {ln.line_id: (ln.net.amount, ln.tax.amount) for ln in priced.lines},
        "shipping": shipping.price.amount if shipping is not None else None,
        "grand": priced.grand_total.amount,
    }


def best_us(fn: Callable[[], object], number: int, repeat: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    quick = "--quick" in sys.argv
    number, repeat = (200, 3) if quick else (2000, 7)
    data = cart(20)
    text = json.dumps(data)
    priced = kassa.pricing.price_cart(**{kassa._serde.snake(k): v for k, v in data.items()})
    mine = summary_of_kassa(priced)
    ref = price_python(data)
    if mine != ref:
        print("MISMATCH between kassa and the Python reference:")
        print(" kassa :", mine)
        print(" python:", ref)
        sys.exit(1)
    print(f"20-line cart: identical results (grand total {ref['grand']} EUR, shipping {ref['shipping']})")

    kw = {kassa._serde.snake(k): v for k, v in data.items()}
    pricer = kassa.pricing.Pricer(data)  # the rules, converted once
    lines, context = data["lines"], data["context"]
    handle = kassa.pricing.PricingCart(lines, context=context)  # the cart, held on the Rust side
    for name, priced_cart in [
        ("Pricer.price(handle)", pricer.price(handle)),
        ("Pricer.price(lines dicts)", pricer.price(lines, context=context)),
    ]:
        if summary_of_lazy(priced_cart) != ref or summary_of_kassa(priced_cart.to_record()) != ref:
            print(f"MISMATCH between {name} and the Python reference")
            sys.exit(1)
        if priced_cart.to_dict() != kassa.call("pricing.price_cart", data):
            print(f"MISMATCH between {name}.to_dict() and kassa.call")
            sys.exit(1)
    print("Pricer paths: identical results")

    def handle_all_lines() -> object:
        priced_cart = pricer.price(handle)
        for ln in priced_cart.lines:
            ln.net.amount
            ln.tax.amount
        return priced_cart.grand_total.amount

    rows: list[tuple[str, Callable[[], object]]] = [
        ("Pricer.price(handle) -> grand_total", lambda: pricer.price(handle).grand_total),
        ("Pricer.price(handle) -> every line's net+tax, grand_total", handle_all_lines),
        ("Pricer.price(handle).to_dict()", lambda: pricer.price(handle).to_dict()),
        ("Pricer.price(lines dicts) -> grand_total", lambda: pricer.price(lines, context=context).grand_total),
        ("Pricer._price_via_serde(lines dicts) -> grand_total",
         lambda: pricer._price_via_serde(lines, context=context).grand_total),
    ]
    rows += [
        ("kassa.pricing.price_cart (typed, dict in, Record out)", lambda: kassa.pricing.price_cart(**kw)),
        ("kassa.call('pricing.price_cart', dict) -> dict", lambda: kassa.call("pricing.price_cart", data)),
        ("kassa.call_json (JSON text in/out)", lambda: kassa.call_json("pricing.price_cart", text)),
        ("plain Python decimal, same rules", lambda: price_python(data)),
    ]
    results = {name: best_us(fn, number, repeat) for name, fn in rows}
    py = results["plain Python decimal, same rules"]
    print(f"{'20-line cart pricing':58} {'µs/call':>9} {'vs Python':>10}")
    for name, us in results.items():
        print(f"{name:58} {us:9.1f} {py / us:9.1f}x")

    priced_once = pricer.price(handle)
    steps: dict[str, Callable[[], object]] = {
        "PricingCart(lines dicts) (convert the cart once)": lambda: kassa.pricing.PricingCart(lines, context=context),
        # line-0003 has quantity 4 already: the cart stays the same.
        "handle.set_quantity (one mutation)": lambda: handle.set_quantity("line-0003", 4),
        "priced.grand_total (one Money)": lambda: priced_once.grand_total,
        "priced.lines (20 lazy line objects)": lambda: priced_once.lines,
    }
    print(f"\n{'Pricer pieces':58} {'µs/call':>9}")
    for name, fn in steps.items():
        print(f"{name:58} {best_us(fn, number, repeat):9.2f}")

    small = json.dumps({"email": " A@B.io "})
    overhead = {
        "kassa.identity.normalize_email (typed)": best_us(lambda: kassa.identity.normalize_email(" A@B.io "), number * 5, repeat),
        "kassa.call_json('identity.normalize_email')": best_us(lambda: kassa.call_json("identity.normalize_email", small), number * 5, repeat),
        "kassa._native.core_version() (bare pyo3 call)": best_us(kassa._native.core_version, number * 5, repeat),
        "Python: str.strip().lower()": best_us(lambda: " A@B.io ".strip().lower(), number * 5, repeat),
    }
    print(f"\n{'call overhead':58} {'µs/call':>9}")
    for name, us in overhead.items():
        print(f"{name:58} {us:9.2f}")

    portfolio(quick)


def portfolio(quick: bool) -> None:
    try:
        import numpy as np  # type: ignore[import-not-found, unused-ignore]
        import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]
        from pypfopt import EfficientFrontier  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        print("\nportfolio: PyPortfolioOpt not installed (pip install pyportfolioopt packaging) - skipped")
        return
    rng = np.random.default_rng(7)
    n = 20
    a = rng.normal(size=(n, n)) * 0.05
    cov = a @ a.T + np.eye(n) * 0.01
    mu = rng.uniform(0.02, 0.15, size=n)
    names = [f"A{i}" for i in range(n)]
    req = {"assets": names, "expectedReturns": mu.tolist(), "covariance": cov.tolist(), "riskFreeRate": 0.02}

    def kassa_run() -> Any:
        return kassa.call("optimize.max_sharpe", req)

    def pypfopt_run() -> Any:
        ef = EfficientFrontier(pd.Series(mu, index=names), pd.DataFrame(cov, index=names, columns=names))
        ef.max_sharpe(risk_free_rate=0.02)
        return ef.portfolio_performance(risk_free_rate=0.02)

    k = kassa_run()
    perf = pypfopt_run()
    w = np.array(k["weights"]) if isinstance(k.get("weights"), list) else None
    k_sharpe = k.get("sharpe", k.get("sharpeRatio"))
    reps = 3 if quick else 7
    num = 5 if quick else 20
    tk = best_us(kassa_run, num, reps)
    tp = best_us(pypfopt_run, num, reps)
    print(f"\nportfolio max Sharpe, {n} assets: kassa Sharpe {k_sharpe}, PyPortfolioOpt Sharpe {perf[2]:.6f}")
    if w is not None:
        print(f"  kassa weights sum {w.sum():.6f}")
    print(f"{'kassa.call(optimize.max_sharpe)':58} {tk:9.1f} µs")
    print(f"{'PyPortfolioOpt EfficientFrontier.max_sharpe':58} {tp:9.1f} µs   ({tp / tk:.1f}x)")
    _ = statistics


if __name__ == "__main__":
    main()
