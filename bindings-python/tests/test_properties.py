"""Hypothesis properties: every exported function, called with arbitrary inputs, gives a
valid result or raises KassaError / TypeError, never anything else (no crash, no
PanicException, no ValueError/KeyError leaking from the binding)."""

from __future__ import annotations

import inspect
import json
import math
from decimal import Decimal
from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kassa
from kassa import Money, Record
from conftest import load_vector, vector_files

MODULES = [
    kassa.money,
    kassa.catalog,
    kassa.cart,
    kassa.pricing,
    kassa.order,
    kassa.inventory,
    kassa.supply,
    kassa.forecast,
    kassa.access,
    kassa.identity,
    kassa.ratelimit,
    kassa.optimize,
]

EXPORTED: list[tuple[str, Callable[..., Any]]] = [
    (f"{m.__name__}.{name}", getattr(m, name))
    for m in MODULES
    for name in m.__all__
    if inspect.isfunction(getattr(m, name))
]

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["USD", "EUR", "JPY", "KWD", "half_even", "order", "pending", "1.00", "sum", "2026-01-01T00:00:00Z"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.builds(Money, st.decimals(allow_nan=False, allow_infinity=False, places=2), st.sampled_from(["USD", "EUR", "ZZZ", ""])),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
        st.builds(Record, st.dictionaries(st.sampled_from(["amount", "currency", "id", "sku"]), children, max_size=3)),
    ),
    max_leaves=12,
)


def _valid_result(out: Any) -> bool:
    if isinstance(out, (Record, Money, str, bool, int, float, type(None))):
        return True
    if isinstance(out, (list, tuple)):
        return all(_valid_result(v) for v in out)
    if isinstance(out, dict):  # the generic call's serde form
        return all(isinstance(k, str) and _valid_result(v) for k, v in out.items())
    return False


def _check(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        out = fn(*args, **kwargs)
    except (kassa.KassaError, TypeError):
        return
    assert _valid_result(out), f"{fn.__name__} returned {type(out).__name__}"


def test_every_module_function_is_covered() -> None:
    names = {n for n, _ in EXPORTED}
    assert len(names) >= 40
    assert {"kassa.pricing.price_cart", "kassa.money.round", "kassa.optimize.var"} <= names


def _make_property(name: str, fn: Callable[..., Any]) -> Callable[[], None]:
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    ]

    @SETTINGS
    @given(st.fixed_dictionaries({p.name: values for p in params}), st.dictionaries(st.sampled_from(["extra", "more_field"]), values, max_size=1))
    def prop(kwargs: dict[str, Any], extra: dict[str, Any]) -> None:
        positional = [kwargs.pop(p.name) for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        _check(fn, *positional, **kwargs)
        has_var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())
        if has_var_kw:
            _check(fn, *positional, **kwargs, **extra)

    prop.__name__ = f"test_arbitrary_{name.replace('.', '_')}"
    return prop


for _name, _fn in EXPORTED:
    globals()[f"test_arbitrary_{_name.replace('.', '_')}"] = _make_property(_name, _fn)


@SETTINGS
@given(st.sampled_from(kassa.operations() + ["nope", ""]), values)
def test_generic_call_arbitrary(op: str, request: Any) -> None:
    _check(kassa.call, op, request)


@SETTINGS
@given(st.text(max_size=8), st.text(max_size=40))
def test_call_json_arbitrary_text(op: str, text: str) -> None:
    try:
        json.loads(kassa.call_json(op, text))
    except kassa.KassaError:
        pass


CASES = [load_vector(f) for f in vector_files()]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, path + (k,))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, path + (i,))] or [path]
    return [path]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


@SETTINGS
@given(st.data())
def test_mutated_vectors_give_result_or_kassa_error(data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(CASES))
    leaves = _leaves(case["input"])
    path = data.draw(st.sampled_from(leaves))
    new = data.draw(st.one_of(st.integers(-(2**64), 2**64), st.text(max_size=6), st.just("-1"), st.just("99999999999999999999999999.999"), st.none(), st.floats(), st.lists(st.integers(0, 3), max_size=2)))
    _check(kassa.call, case["operation"], _replace(case["input"], path, new))


@SETTINGS
@given(
    st.decimals(min_value=-10**9, max_value=10**9, places=2),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8),
)
def test_allocate_parts_sum_to_amount(amount: Decimal, weights: list[int]) -> None:
    money = Money(amount, "USD")
    try:
        parts = kassa.money.allocate(money, weights)
    except kassa.ValidationError:
        assert sum(weights) == 0
        return
    assert len(parts) == len(weights)
    assert sum((p.amount for p in parts), Decimal(0)) == amount
    assert all(p.currency == "USD" and p.amount == p.amount.quantize(Decimal("0.01")) for p in parts)
    for p, w in zip(parts, weights):
        if w == 0:
            assert p.amount == 0


@SETTINGS
@given(st.decimals(min_value=-10**12, max_value=10**12, places=6), st.sampled_from(["half_even", "half_up", "half_down", "up", "down"]))
def test_round_matches_python_decimal(amount: Decimal, mode: str) -> None:
    import decimal

    py_modes = {
        "half_even": decimal.ROUND_HALF_EVEN,
        "half_up": decimal.ROUND_HALF_UP,
        "half_down": decimal.ROUND_HALF_DOWN,
        "up": decimal.ROUND_UP,
        "down": decimal.ROUND_DOWN,
    }
    out = kassa.money.round(Money(amount, "EUR"), mode)
    want = amount.quantize(Decimal("0.01"), rounding=py_modes[mode])
    assert out.amount == want and out.currency == "EUR"
    assert not math.isnan(float(out.amount))
