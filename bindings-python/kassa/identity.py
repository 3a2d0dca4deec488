"""Identity: registration rules (email, password policy) and email normalization."""

from __future__ import annotations

from typing import Any, Mapping

from ._serde import Record, _op

__all__ = ["validate_registration", "normalize_email"]


def validate_registration(*, email: str, password: str, **more: Any) -> Record:
    """Validates a registration (NFKC, length in characters, common passwords) and returns
    the normalized form; problems are a ``ValidationError`` listing every field."""
    registration: Mapping[str, Any] = {"email": email, "password": password, **more}
    out: Record = _op("identity.validate_registration", {"registration": registration})
    return out


def normalize_email(email: str) -> str:
    """Trims and lowercases an email address as Kassa stores it."""
    if not isinstance(email, str):
        raise TypeError(f"email must be a str, not {type(email).__name__}")
    out: str = _op("identity.normalize_email", {"email": email})
    return out
