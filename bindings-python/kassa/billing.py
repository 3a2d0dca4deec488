"""Subscription billing: billing periods in a customer's calendar, proration, invoices (tax,
coupons, credit), metered usage, the subscription state machine and dunning.

The stateful flows (subscribe, renew, change plan, retry failed payments) run in the engine:
see :class:`kassa.Engine` operations ``billing.*``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from ._serde import Money, Record, _op

__all__ = [
    "periods",
    "period_at",
    "prorate",
    "invoice",
    "usage_charge",
    "transition",
    "dunning_step",
]

Data = Mapping[str, Any] | Record


def periods(*, schedule: Data, start_index: int, count: int) -> list[Record]:
    """``count`` billing periods of ``schedule`` starting at period ``start_index`` (month ends
    clamp to the last day of the month; the anchor day comes back when it can)."""
    out: list[Record] = _op(
        "billing.periods", {"schedule": schedule, "from": start_index, "count": count}
    )
    return out


def period_at(*, schedule: Data, at: datetime) -> Record:
    """The billing period of ``schedule`` that contains ``at``."""
    out: Record = _op("billing.period_at", {"schedule": schedule, "at": at})
    return out


def prorate(
    *,
    period: Data,
    at: datetime,
    old_amount: Money | Data,
    new_amount: Money | Data,
    rounding: Data | None = None,
) -> Record:
    """Credit for the unused part of ``old_amount`` and charge for the rest of the period at
    ``new_amount``, counted in seconds; ``rounding`` names the rounding point and mode."""
    out: Record = _op(
        "billing.prorate",
        {
            "period": period,
            "at": at,
            "old_amount": old_amount,
            "new_amount": new_amount,
            "rounding": rounding,
        },
    )
    return out


def invoice(
    *,
    currency: str,
    lines: Sequence[Data],
    at: datetime,
    region: str | None = None,
    tax_rules: Sequence[Data] | None = None,
    coupon: Data | None = None,
    credit_balance: Money | Data | None = None,
    rounding: Data | None = None,
) -> Record:
    """Computes an invoice: per-line tax (inclusive or exclusive), the coupon, applied credit
    and the amount due; a negative total becomes credit, never a charge."""
    out: Record = _op(
        "billing.invoice",
        {
            "currency": currency,
            "lines": lines,
            "at": at,
            "region": region,
            "tax_rules": tax_rules,
            "coupon": coupon,
            "credit_balance": credit_balance,
            "rounding": rounding,
        },
    )
    return out


def usage_charge(*, pricing: Data, quantity: int, currency: str) -> Record:
    """Prices ``quantity`` metered units under tiered (graduated or volume) ``pricing``."""
    out: Record = _op(
        "billing.usage_charge", {"pricing": pricing, "quantity": quantity, "currency": currency}
    )
    return out


def transition(*, status: str, action: str) -> Record:
    """Where ``action`` takes a subscription in ``status``; an illegal move is a
    ``ConflictError``."""
    out: Record = _op("billing.transition", {"from": status, "action": action})
    return out


def dunning_step(
    *, failed_at: datetime, attempts_made: int, policy: Data | None = None
) -> Record:
    """What dunning does after a failed payment: retry at a time, or give up with the
    policy's final action."""
    out: Record = _op(
        "billing.dunning_step",
        {"failed_at": failed_at, "attempts_made": attempts_made, "policy": policy},
    )
    return out
