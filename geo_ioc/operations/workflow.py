"""The incident status workflow: new → acknowledged → dispatched → resolved → closed."""

from __future__ import annotations

from geo_ioc.operations.models import Incident

S = Incident.Status
# The statuses in workflow order.
ORDER: list[str] = [
    S.NEW.value,
    S.ACKNOWLEDGED.value,
    S.DISPATCHED.value,
    S.RESOLVED.value,
    S.CLOSED.value,
]
# Each status and the one it may move to; anything else is refused with a 409.
NEXT: dict[str, str] = {
    S.NEW: S.ACKNOWLEDGED,
    S.ACKNOWLEDGED: S.DISPATCHED,
    S.DISPATCHED: S.RESOLVED,
    S.RESOLVED: S.CLOSED,
}
# The timestamp field each status stamps when it is entered.
STAMP: dict[str, str] = {
    S.ACKNOWLEDGED: "acknowledged_at",
    S.DISPATCHED: "dispatched_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
}


def allowed_next(status: str) -> list[str]:
    """The statuses an incident in `status` may move to."""
    return [NEXT[status]] if status in NEXT else []
