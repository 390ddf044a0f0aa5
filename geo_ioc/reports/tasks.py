"""Jobs of reports: the overdue sweep, and closing what can no longer be reopened.

The sweep marks reports past a deadline (alerts follow the flag); reports resolved longer ago
than the citizen may reopen them (7 days) are closed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from geo_ioc.core import jobs
from geo_ioc.reports import notify
from geo_ioc.reports.rules import mark
from geo_ioc.reports.services import close_resolved as close_due


@jobs.periodic(name="reports.sweep_overdue", seconds=settings.GEO_IOC_SWEEP_SECONDS)
def sweep_overdue() -> int:
    """Mark newly overdue reports and clear the others; returns the newly overdue."""
    with transaction.atomic():
        return mark()[0]


# Hourly is plenty: a report closes within the hour after its reopening window ends.
@jobs.periodic(name="reports.close_resolved", seconds=settings.GEO_IOC_REPORTS_CLOSE_SECONDS)
def close_resolved() -> int:
    """Close the reports resolved more than 7 days ago and not reopened; returns how many."""
    total = 0
    while (done := close_due()) > 0:  # batches of 500, each its own transaction
        total += done
    return total


@jobs.task(name=notify.SEND_TASK, retries=settings.GEO_IOC_NOTIFY_RETRIES)
def send_notification(run: jobs.Run, notification_id: int) -> str:
    """Send one outbox row; a failure is recorded on the row and retried with backoff."""
    return notify.deliver(notification_id)


@jobs.periodic(name="reports.notify_sweep", seconds=settings.GEO_IOC_NOTIFY_SWEEP_SECONDS)
def notify_sweep() -> int:
    """Send the notifications still queued after the sweep period; returns how many were sent."""
    return notify.sweep()
