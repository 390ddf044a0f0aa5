"""The workflow of a report: which step may follow which, and what each stamps.

received → routed → accepted → in_progress → resolved → closed; any open report may be rejected
(duplicate, not the province's responsibility, invalid) with a reason the citizen sees; a
resolved or rejected report may be reopened by its reporter within `REOPEN_DAYS`.
"""

from __future__ import annotations

from datetime import timedelta

from geo_ioc.reports.models import Report

S = Report.Status
OPEN = (S.RECEIVED, S.ROUTED, S.ACCEPTED, S.IN_PROGRESS)
DONE = (S.RESOLVED, S.CLOSED, S.REJECTED)
REOPEN_DAYS = 7
REOPEN_WINDOW = timedelta(days=REOPEN_DAYS)

# action → (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "route": ((S.RECEIVED, S.ROUTED, S.ACCEPTED), S.ROUTED),  # also re-route, with a reason
    "accept": ((S.ROUTED,), S.ACCEPTED),
    "start": ((S.ACCEPTED,), S.IN_PROGRESS),
    "progress": ((S.IN_PROGRESS,), S.IN_PROGRESS),  # a public progress note
    "resolve": ((S.ACCEPTED, S.IN_PROGRESS), S.RESOLVED),
    "close": ((S.RESOLVED,), S.CLOSED),
    "reject": (OPEN, S.REJECTED),
    "reopen": ((S.RESOLVED, S.CLOSED, S.REJECTED), S.ROUTED),
}
# Steps that need a note the citizen reads.
NEEDS_NOTE = {"resolve", "reject", "progress", "reopen"}
# Steps that answer the citizen (the first one stamps answered_at).
ANSWERS = {"accept", "start", "progress", "resolve", "reject"}
STAFF_ACTIONS = tuple(a for a in ACTIONS if a != "reopen")
