"""Access control: role-based permissions with ownership (a foreign order is NOT_FOUND)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ._serde import Record, _op

__all__ = ["authorize"]

Data = Mapping[str, Any] | Record


def authorize(
    *, principal: Data, action: str, resource: Data, roles: Sequence[Data] | None = None
) -> Record:
    """The decision for ``principal`` doing ``action`` on ``resource`` (``.decision`` with
    ``allowed`` and an explanation; ``.error_code`` the code a service should answer)."""
    out: Record = _op(
        "access.authorize",
        {"principal": principal, "action": action, "resource": resource, "roles": roles},
    )
    return out
