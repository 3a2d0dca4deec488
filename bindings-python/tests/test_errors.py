"""The error boundary: classes per code, HTTP statuses, field paths, panics."""

from __future__ import annotations

import json
import threading

import pytest

import kassa
from kassa import _native


def test_one_class_per_code_with_http_status() -> None:
    codes = dict(_native.error_codes())
    assert set(kassa.ERROR_CLASSES) == set(codes)
    expected_names = {
        "VALIDATION_ERROR": "ValidationError",
        "UNAUTHENTICATED": "UnauthenticatedError",
        "FORBIDDEN": "ForbiddenError",
        "NOT_FOUND": "NotFoundError",
        "CONFLICT": "ConflictError",
        "OUT_OF_STOCK": "OutOfStockError",
        "PAYMENT_DECLINED": "PaymentDeclinedError",
        "RATE_LIMITED": "RateLimitedError",
        "UNAVAILABLE": "UnavailableError",
        "INTERNAL": "InternalError",
        "UNSUPPORTED": "UnsupportedError",
    }
    for code, cls in kassa.ERROR_CLASSES.items():
        assert cls.__name__ == expected_names[code]
        assert issubclass(cls, kassa.KassaError) and issubclass(cls, Exception)
        err = cls("boom")
        assert err.code == code
        assert err.http_status == codes[code]
    assert kassa.NotFoundError("x").http_status == 404
    assert kassa.OutOfStockError("x").http_status == 409
    assert kassa.RateLimitedError("x").http_status == 429


def test_base_class_needs_a_known_code() -> None:
    assert kassa.KassaError("m", code="CONFLICT").http_status == 409
    with pytest.raises(TypeError):
        kassa.KassaError("m")
    with pytest.raises(ValueError):
        kassa.KassaError("m", code="NOPE")
    with pytest.raises(ValueError):
        kassa.NotFoundError("m", code="CONFLICT")


def test_unknown_operation_is_not_found() -> None:
    with pytest.raises(kassa.NotFoundError) as info:
        kassa.call("nope.nothing", {})
    assert "nope.nothing" in info.value.message
    assert info.value.meta == {"resource": "operation"}


def test_decode_error_names_the_field_path() -> None:
    line = {"lineId": "a", "sku": "A", "productId": "P", "quantity": 1,
            "unitPrice": {"amount": "1.00", "currency": "USD"}}
    req = {"context": {"currency": "USD", "region": "US", "now": "2026-01-01T00:00:00Z"},
           "lines": [line, {**line, "lineId": "b", "quantity": "two"}]}
    with pytest.raises(kassa.ValidationError) as info:
        kassa.call("pricing.price_cart", req)
    err = info.value
    assert err.code == "VALIDATION_ERROR" and err.http_status == 400
    assert [d.field for d in err.details] == ["lines[1].quantity"]
    assert err.to_dict()["details"][0]["field"] == "lines[1].quantity"


def test_invalid_json_text_is_validation_error() -> None:
    with pytest.raises(kassa.ValidationError) as info:
        kassa.call_json("money.round", "{not json")
    assert info.value.details[0].field == "input"


def test_panic_becomes_internal_error_not_panic_exception() -> None:
    with pytest.raises(kassa.InternalError) as info:
        _native._debug_panic("deliberate")
    assert info.value.code == "INTERNAL"
    assert "deliberate" in info.value.message
    assert info.value.http_status == 500
    # The module still works afterwards.
    assert kassa.identity.normalize_email(" A@B.io ") == "a@b.io"


def test_errors_from_many_threads() -> None:
    failures: list[str] = []

    def work() -> None:
        for _ in range(50):
            try:
                kassa.call("money.round", {"amount": {"amount": "1.005", "currency": "XXX1"}, "mode": "up"})
                failures.append("no error")
            except kassa.ValidationError:
                pass
            except Exception as e:  # noqa: BLE001
                failures.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_error_payload_round_trip() -> None:
    err = kassa.errors._from_payload(
        json.dumps({"code": "OUT_OF_STOCK", "message": "m", "meta": {"sku": "A", "available": 2}})
    )
    assert isinstance(err, kassa.OutOfStockError)
    assert err.meta == {"sku": "A", "available": 2}
