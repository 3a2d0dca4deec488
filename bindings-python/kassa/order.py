"""Orders and payments: the order/payment/fulfillment transition tables, gateway events
applied to a payment, refund checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Mapping

from ._serde import Money, Record, _op

__all__ = ["check_transition", "apply_payment_event", "check_refund"]

Data = Mapping[str, Any] | Record


def check_transition(
    *,
    machine: Literal["order", "payment", "fulfillment"] | str,
    from_state: str,
    to_state: str,
    facts: Data | None = None,
) -> Record:
    """Whether ``from_state → to_state`` is legal in ``machine`` given the facts (amounts,
    units); an illegal transition raises ``ConflictError``."""
    out: Record = _op(
        "order.check_transition",
        {"machine": machine, "from": from_state, "to": to_state, "facts": facts},
    )
    return out


def apply_payment_event(*, payment: Data, event: Data, actor: str, at: datetime) -> Record:
    """Applies a gateway event (authorized, captured, refunded, failed, ...) to a payment;
    duplicates and stale events are reported, not errors."""
    out: Record = _op(
        "payment.apply_event", {"payment": payment, "event": event, "actor": actor, "at": at}
    )
    return out


def check_refund(*, payment: Data, amount: Money) -> Record:
    """How much may still be refunded; over the captured total is a ``ConflictError``."""
    if not isinstance(amount, Money):
        raise TypeError(f"amount must be kassa.Money, not {type(amount).__name__}")
    out: Record = _op("payment.check_refund", {"payment": payment, "amount": amount})
    return out
