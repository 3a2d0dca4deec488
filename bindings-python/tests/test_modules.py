"""The typed modules: every operation through its typed function (fed from the vectors and
compared with the expected serde form), plus the idiomatic conversions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest

import kassa
from kassa import Money, Record
from kassa._serde import snake
from conftest import VECTORS, load_vector, vector_files


def _kwargs(request: dict[str, Any]) -> dict[str, Any]:
    return {snake(k) if k not in ("S",) else k: v for k, v in request.items()}


def _order_transition(req: dict[str, Any]) -> Any:
    return kassa.order.check_transition(
        machine=req["machine"], from_state=req["from"], to_state=req["to"], facts=req.get("facts")
    )


def _money_round(req: dict[str, Any]) -> Any:
    return kassa.money.round(Money.from_dict(req["amount"]), req["mode"])


def _money_allocate(req: dict[str, Any]) -> Any:
    return kassa.money.allocate(Money.from_dict(req["amount"]), req["weights"])


def _refund(req: dict[str, Any]) -> Any:
    return kassa.order.check_refund(payment=req["payment"], amount=Money.from_dict(req["amount"]))


def _registration(req: dict[str, Any]) -> Any:
    return kassa.identity.validate_registration(**req["registration"])


TYPED: dict[str, Callable[[Any], Any]] = {
    "money.round": _money_round,
    "money.allocate": _money_allocate,
    "order.check_transition": _order_transition,
    "payment.apply_event": lambda r: kassa.order.apply_payment_event(**_kwargs(r)),
    "payment.check_refund": _refund,
    "catalog.validate": lambda r: kassa.catalog.validate(**_kwargs(r)),
    "catalog.resolve_price": lambda r: kassa.catalog.resolve_price(**_kwargs(r)),
    "catalog.query": lambda r: kassa.catalog.query(**_kwargs(r)),
    "catalog.related": lambda r: kassa.catalog.related(**_kwargs(r)),
    "catalog.validate_image": lambda r: kassa.catalog.validate_image(**_kwargs(r)),
    "cart.apply": lambda r: kassa.cart.apply(**_kwargs(r)),
    "cart.merge": lambda r: kassa.cart.merge(**_kwargs(r)),
    "cart.pricing_lines": lambda r: kassa.cart.pricing_lines(**_kwargs(r)),
    "cart.check_stock": lambda r: kassa.cart.check_stock(**_kwargs(r)),
    "pricing.price_cart": lambda r: kassa.pricing.price_cart(**_kwargs(r)),
    "inventory.eoq": lambda r: kassa.inventory.eoq(
        annual_demand=r["annualDemand"],
        ordering_cost=Money.from_dict(r["orderingCost"]),
        holding_cost_per_unit=Money.from_dict(r["holdingCostPerUnit"]),
    ),
    "inventory.reorder_point": lambda r: kassa.inventory.reorder_point(**_kwargs(r)),
    "inventory.min_max": lambda r: kassa.inventory.min_max(**_kwargs(r)),
    "inventory.s_s": lambda r: kassa.inventory.s_s(**_kwargs(r)),
    "inventory.reorder_run": lambda r: kassa.inventory.reorder_run(**_kwargs(r)),
    "inventory.adjust": lambda r: kassa.inventory.adjust(**_kwargs(r)),
    "inventory.gtin": lambda r: kassa.inventory.gtin(r),
    "supply.apply_tracking": lambda r: kassa.supply.apply_tracking(**_kwargs(r)),
    "supply.receive": lambda r: kassa.supply.receive(**_kwargs(r)),
    "supply.transition": lambda r: kassa.supply.transition(**_kwargs(r)),
    "supply.fulfillment_progress": lambda r: kassa.supply.fulfillment_progress(**_kwargs(r)),
    "forecast.holt_winters": lambda r: kassa.forecast.holt_winters(**_kwargs(r)),
    "optimize.min_variance": lambda r: kassa.optimize.min_variance(**_kwargs(r)),
    "optimize.max_sharpe": lambda r: kassa.optimize.max_sharpe(**_kwargs(r)),
    "optimize.efficient_return": lambda r: kassa.optimize.efficient_return(**_kwargs(r)),
    "optimize.efficient_risk": lambda r: kassa.optimize.efficient_risk(**_kwargs(r)),
    "optimize.frontier": lambda r: kassa.optimize.frontier(**_kwargs(r)),
    "optimize.var": lambda r: kassa.optimize.var(**_kwargs(r)),
    "optimize.qubo_exact": lambda r: kassa.optimize.qubo_exact(**_kwargs(r)),
    "optimize.select": lambda r: kassa.optimize.select(**_kwargs(r)),
    "optimize.estimate": lambda r: kassa.optimize.estimate(**_kwargs(r)),
    "optimize.scenario": lambda r: kassa.optimize.scenario(**_kwargs(r)),
    "access.authorize": lambda r: kassa.access.authorize(**_kwargs(r)),
    "identity.validate_registration": _registration,
    "identity.normalize_email": lambda r: kassa.identity.normalize_email(r["email"]),
    "ratelimit.sequence": lambda r: kassa.ratelimit.sequence(**_kwargs(r)),
    "billing.periods": lambda r: kassa.billing.periods(
        schedule=r["schedule"], start_index=r["from"], count=r["count"]
    ),
    "billing.period_at": lambda r: kassa.billing.period_at(**_kwargs(r)),
    "billing.prorate": lambda r: kassa.billing.prorate(**_kwargs(r)),
    "billing.invoice": lambda r: kassa.billing.invoice(**_kwargs(r)),
    "billing.usage_charge": lambda r: kassa.billing.usage_charge(**_kwargs(r)),
    "billing.transition": lambda r: kassa.billing.transition(
        status=r["from"], action=r["action"]
    ),
    "billing.dunning_step": lambda r: kassa.billing.dunning_step(**_kwargs(r)),
}


def test_every_operation_has_a_typed_function() -> None:
    assert set(TYPED) == set(kassa.operations())


def _serde_of(value: Any) -> Any:
    if isinstance(value, (Record, Money)):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_serde_of(v) for v in value]
    return value


FILES = vector_files()


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(VECTORS)) for f in FILES])
def test_typed_function_matches_vector(path: Path) -> None:
    case = load_vector(path)
    fn = TYPED[case["operation"]]
    if "expected" in case:
        assert _serde_of(fn(case["input"])) == case["expected"]
    else:
        with pytest.raises((kassa.KassaError, TypeError)) as info:
            fn(case["input"])
        if isinstance(info.value, kassa.KassaError):
            assert info.value.code == case["expectedError"]["code"]
        else:
            # A float money amount is refused by the typed layer before Rust sees it.
            assert "float" in str(info.value)


def test_money_is_decimal_and_float_is_type_error() -> None:
    m = Money(Decimal("10.005"), "USD")
    assert kassa.money.round(m, "half_up") == Money(Decimal("10.01"), "USD")
    assert kassa.money.round(m, "down").amount == Decimal("10.00")
    assert isinstance(kassa.money.round(m).amount, Decimal)
    assert Money(5, "EUR").amount == Decimal(5)
    assert Money("1.10", "EUR").amount == Decimal("1.10")
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "USD")
    with pytest.raises(TypeError):
        kassa.money.round(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kassa.money.allocate(Money(Decimal("1.00"), "USD"), [0.5, 0.5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        kassa.inventory.eoq(annual_demand=10, ordering_cost=1.0, holding_cost_per_unit=Money("1", "USD"))  # type: ignore[arg-type]


def test_allocate_sums_exactly() -> None:
    parts = kassa.money.allocate(Money(Decimal("100.00"), "USD"), [1, 1, 1])
    assert parts == [Money(Decimal("33.34"), "USD"), Money(Decimal("33.33"), "USD"), Money(Decimal("33.33"), "USD")]
    assert sum(p.amount for p in parts) == Decimal("100.00")


def test_records_convert_money_and_timestamps() -> None:
    case = load_vector(VECTORS / "pricing" / "amount_off_across.json")
    priced = kassa.pricing.price_cart(**_kwargs(case["input"]))
    assert isinstance(priced, Record)
    first = priced.lines[0]
    assert first.line_id == "a"
    assert first["lineId"] == "a"
    assert first.net == Money(Decimal("24.00"), "USD")
    assert isinstance(first.unit_price.amount, Decimal)
    assert priced.applied_promotions[0].promotion_id == "ten"
    assert priced.to_dict() == case["expected"]
    assert Record(case["expected"]) == priced
    assert "lineId='a'" not in repr(first) and "line_id='a'" in repr(first)
    with pytest.raises(AttributeError):
        first.no_such_field  # noqa: B018
    with pytest.raises(AttributeError):
        first.line_id = "b"

    seq = load_vector(VECTORS / "ratelimit" / "keys_are_separate.json")["input"]
    start = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    steps = kassa.ratelimit.sequence(start=start, requests=seq["requests"], config=seq["config"])
    assert [s.allowed for s in steps][:2] == [True, False]
    with pytest.raises(kassa.ValidationError):
        kassa.ratelimit.sequence(start=dt.datetime(2026, 3, 1), requests=seq["requests"])


def test_dataclasses_and_enums_are_sent_in_serde_form() -> None:
    import dataclasses
    import enum

    class Mode(enum.Enum):
        HALF_UP = "half_up"

    @dataclasses.dataclass
    class Req:
        amount: Money
        mode: Mode

    out = kassa.call("money.round", Req(Money("0.125", "USD"), Mode.HALF_UP))
    assert out == {"amount": "0.13", "currency": "USD"}
    with pytest.raises(TypeError):
        kassa.call("money.round", object())


def test_gtin_and_email() -> None:
    g = kassa.inventory.gtin("4006381333931")
    assert g.kind == "gtin13" and g.gtin14 == "04006381333931"
    with pytest.raises(kassa.ValidationError):
        kassa.inventory.gtin("4006381333932")
    assert kassa.identity.normalize_email(" Bob@Shop.Example.IO") == "bob@shop.example.io"
