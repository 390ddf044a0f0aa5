"""The operations app's parts of the KPI strip: incidents and alerts (`/indicators`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncHour

from geo_ioc.indicators import schemas
from geo_ioc.indicators.parts import KpiPart
from geo_ioc.indicators.queries import hours_ending
from geo_ioc.operations.models import Alert, Incident

OPEN = (Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.DISPATCHED)


def incident_stats(now: datetime, hours: int) -> schemas.Incidents:
    """Open incidents by severity and status; reported and resolved per hour of the window."""
    buckets = hours_ending(now, hours)
    start = buckets[0]
    by_severity = {str(s): 0 for s in range(1, 5)}
    by_status = {str(s): 0 for s in OPEN}
    rows = (
        Incident.objects.filter(status__in=OPEN)
        .values("severity", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        by_severity[str(row["severity"])] += row["n"]
        by_status[row["status"]] += row["n"]
    per_hour = dict.fromkeys(buckets, 0)
    counted = (
        Incident.objects.filter(reported_at__gte=start, reported_at__lte=now)
        .annotate(hour=TruncHour("reported_at", tzinfo=UTC))
        .values("hour")
        .annotate(n=Count("id"))
    )
    for bucket in counted:
        if bucket["hour"] in per_hour:
            per_hour[bucket["hour"]] = bucket["n"]
    to_ack = ExpressionWrapper(
        F("acknowledged_at") - F("reported_at"), output_field=DurationField()
    )
    window = Incident.objects.filter(reported_at__gte=start, reported_at__lte=now).aggregate(
        reported=Count("id"),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        ack=Avg(to_ack, filter=Q(acknowledged_at__isnull=False)),
    )
    ack: timedelta | None = window["ack"]
    return schemas.Incidents(
        open=sum(by_status.values()),
        by_severity=by_severity,
        by_status=by_status,
        reported=window["reported"],
        resolved=window["resolved"],
        minutes_to_acknowledge=round(ack.total_seconds() / 60, 1) if ack is not None else None,
        per_hour=[schemas.HourCount(hour=h.isoformat(), count=n) for h, n in per_hour.items()],
    )


def alert_stats() -> schemas.Alerts:
    """Alerts by status, and when the newest open one was sent."""
    counts = dict(
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    latest = (
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .order_by("-sent")
        .values_list("sent", flat=True)
        .first()
    )
    return schemas.Alerts(
        active=counts.get(Alert.Status.ACTIVE, 0),
        acknowledged=counts.get(Alert.Status.ACKNOWLEDGED, 0),
        latest=latest.isoformat() if latest else None,
    )


class IncidentsPart(KpiPart):
    """Open incidents by severity and status, the flow of the window."""

    key = "incidents"
    layer = "incidents"

    def compute(self, now: datetime, hours: int) -> schemas.Incidents:
        """Incident figures."""
        return incident_stats(now, hours)


class AlertsPart(KpiPart):
    """Alerts waiting for a person."""

    key = "alerts"
    layer = "alerts"

    def compute(self, now: datetime, hours: int) -> schemas.Alerts:
        """Alert figures."""
        return alert_stats()
