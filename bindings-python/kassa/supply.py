"""Supply: purchase orders (transitions, receiving goods), shipment tracking, fulfillment
progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from ._serde import Record, _op

__all__ = ["apply_tracking", "receive", "transition", "fulfillment_progress"]

Data = Mapping[str, Any] | Record


def apply_tracking(*, shipment: Data, events: Sequence[Data], now: datetime) -> Record:
    """Applies carrier tracking events (out of order, duplicated) to a shipment."""
    out: Record = _op("supply.apply_tracking", {"shipment": shipment, "events": events, "now": now})
    return out


def receive(*, purchase_order: Data, request: Data) -> Record:
    """Receives goods against a purchase order (partial, rest, over-receipt rules)."""
    out: Record = _op("supply.receive", {"purchase_order": purchase_order, "request": request})
    return out


def transition(
    *, purchase_order: Data, to: str, actor: str, at: datetime, reason: str | None = None
) -> Record:
    """Moves a purchase order to status ``to``; an illegal move is a ``ConflictError``."""
    out: Record = _op(
        "supply.transition",
        {"purchase_order": purchase_order, "to": to, "actor": actor, "at": at, "reason": reason},
    )
    return out


def fulfillment_progress(*, ordered: Sequence[Data], shipments: Sequence[Data]) -> Record:
    """How much of an order is shipped / delivered across its shipments."""
    out: Record = _op("supply.fulfillment_progress", {"ordered": ordered, "shipments": shipments})
    return out
