"""Kassa's exceptions: one base class, one subclass per stable error code.

Every failure Kassa reports is a :class:`KassaError` with ``.code`` (the stable string, e.g.
``"OUT_OF_STOCK"``), ``.message``, ``.details`` (field problems) and ``.http_status``. Catch
the subclass of the code you care about (``except kassa.OutOfStockError``) or the base class.

Python code serving as a port may raise these too: the code survives the trip through the
Rust engine, and the original exception is chained as ``__cause__`` of the error the caller
sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Sequence

from . import _native

__all__ = [
    "FieldError",
    "KassaError",
    "ValidationError",
    "UnauthenticatedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "OutOfStockError",
    "PaymentDeclinedError",
    "RateLimitedError",
    "UnavailableError",
    "UnsupportedError",
    "InternalError",
    "ERROR_CLASSES",
    "HTTP_STATUS",
]

#: HTTP status per error code, taken from the Rust core so the two can never disagree.
HTTP_STATUS: dict[str, int] = dict(_native.error_codes())


@dataclass(frozen=True)
class FieldError:
    """A problem with one input field (``field`` is a JSON path such as ``items[2].quantity``)."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The serde form ``{"field": ..., "message": ...}``."""
        return {"field": self.field, "message": self.message}


class KassaError(Exception):
    """Base class of every Kassa error.

    ``KassaError("text", code="CONFLICT")`` makes an error of any code; the subclasses fix the
    code (``NotFoundError("no such order")``).
    """

    #: The code of the subclass; ``None`` on the base class.
    default_code: ClassVar[str | None] = None

    code: str
    message: str
    details: list[FieldError]
    meta: dict[str, Any]

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Sequence[FieldError | Mapping[str, str]] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        resolved = code if code is not None else self.default_code
        if resolved is None:
            raise TypeError("KassaError needs a code (or use a subclass such as NotFoundError)")
        if resolved not in HTTP_STATUS:
            raise ValueError(f"unknown Kassa error code {resolved!r}")
        if self.default_code is not None and resolved != self.default_code:
            raise ValueError(f"{type(self).__name__} has code {self.default_code}, not {resolved}")
        super().__init__(f"{resolved}: {message}")
        self.code = resolved
        self.message = message
        self.details = [
            d if isinstance(d, FieldError) else FieldError(str(d["field"]), str(d["message"]))
            for d in details
        ]
        self.meta = dict(meta or {})

    @property
    def http_status(self) -> int:
        """The HTTP status a service should answer with (400, 404, 409, ...)."""
        return HTTP_STATUS[self.code]

    def to_dict(self) -> dict[str, Any]:
        """The seed's error body ``{"code", "message", "details": [{"field", "message"}]}``."""
        return {
            "code": self.code,
            "message": self.message,
            "details": [d.to_dict() for d in self.details],
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, details={self.details!r})"


class ValidationError(KassaError):
    """``VALIDATION_ERROR`` (400): malformed input or a broken rule; see ``.details``."""

    default_code = "VALIDATION_ERROR"


class UnauthenticatedError(KassaError):
    """``UNAUTHENTICATED`` (401): missing or invalid credentials."""

    default_code = "UNAUTHENTICATED"


class ForbiddenError(KassaError):
    """``FORBIDDEN`` (403): authenticated but not allowed."""

    default_code = "FORBIDDEN"


class NotFoundError(KassaError):
    """``NOT_FOUND`` (404): no such thing, or not visible to the caller."""

    default_code = "NOT_FOUND"


class ConflictError(KassaError):
    """``CONFLICT`` (409): illegal transition, stale version, duplicate key, changed totals."""

    default_code = "CONFLICT"


class OutOfStockError(KassaError):
    """``OUT_OF_STOCK`` (409): not enough stock; ``.meta`` names the sku and what is available."""

    default_code = "OUT_OF_STOCK"


class PaymentDeclinedError(KassaError):
    """``PAYMENT_DECLINED`` (422): the payment provider declined."""

    default_code = "PAYMENT_DECLINED"


class RateLimitedError(KassaError):
    """``RATE_LIMITED`` (429): retry after ``.meta["retryAfterSeconds"]``."""

    default_code = "RATE_LIMITED"


class UnavailableError(KassaError):
    """``UNAVAILABLE`` (503): a dependency is down; safe to retry."""

    default_code = "UNAVAILABLE"


class UnsupportedError(KassaError):
    """``UNSUPPORTED`` (501): not in this build of the library (``.meta["feature"]`` names the
    cargo feature that is off). The Python extension is built with every feature, so it does
    not raise this; the size-budgeted browser module does."""

    default_code = "UNSUPPORTED"


class InternalError(KassaError):
    """``INTERNAL`` (500): a bug (a Rust panic is reported as this, never as a crash)."""

    default_code = "INTERNAL"


#: The exception class of every error code.
ERROR_CLASSES: dict[str, type[KassaError]] = {
    cls.default_code: cls
    for cls in (
        ValidationError,
        UnauthenticatedError,
        ForbiddenError,
        NotFoundError,
        ConflictError,
        OutOfStockError,
        PaymentDeclinedError,
        RateLimitedError,
        UnavailableError,
        InternalError,
        UnsupportedError,
    )
    if cls.default_code is not None
}


def _from_payload(payload: str) -> KassaError:
    """Builds the exception for an error payload coming from Rust (registered as factory)."""
    data = json.loads(payload)
    code = str(data.get("code", "INTERNAL"))
    cls = ERROR_CLASSES.get(code, InternalError)
    return cls(
        str(data.get("message", "")),
        details=data.get("details") or (),
        meta=data.get("meta") or {},
    )


_native._set_error_factory(_from_payload)
