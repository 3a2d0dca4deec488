"""Rate limiting: the GCRA limiter per endpoint class and subject, replayed over a scripted
sequence of requests (what each request would get, with the RateLimit headers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from ._serde import Record, _op

__all__ = ["sequence"]


def sequence(
    *,
    start: datetime,
    requests: Sequence[Mapping[str, Any] | Record],
    config: Mapping[str, Any] | Record | None = None,
) -> tuple[Record, ...]:
    """The limiter's answer to each request (``atMs`` after ``start``)."""
    out: tuple[Record, ...] = _op(
        "ratelimit.sequence", {"start": start, "requests": requests, "config": config}
    )
    return out
