"""Reporting status per agency and period (DHIS2's reporting rates): expected, received, late."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from geo_ioc.socioeconomic.models import Agency, Submission
from geo_ioc.socioeconomic.periods import Period


@dataclass(frozen=True)
class Status:
    """One agency's report for one period."""

    agency: str
    period: str
    deadline: str
    received_at: str | None
    status: str  # on_time | late | missing (past the deadline) | pending (before it)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


def deadline_of(agency: Agency, period: Period) -> dt.date:
    """The last day a monthly report is on time: its agency's longest indicator deadline."""
    days = agency.indicators.aggregate(d=Max("deadline_days"))["d"] or 10
    return period.end + dt.timedelta(days=days)


def status(periods: list[Period], now: dt.datetime | None = None) -> list[Status]:
    """Every agency with indicators × every period."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    agencies = list(Agency.objects.filter(indicators__isnull=False).distinct().order_by("code"))
    got = {
        (s.agency_id, s.period): s
        for s in Submission.objects.filter(
            period__in=[p.start for p in periods], periodicity="month"
        )
    }
    out = []
    for p in periods:
        for a in agencies:
            due = deadline_of(a, p)
            sub = got.get((a.pk, p.start))
            if sub is not None:
                late = timezone.localdate(sub.received_at) > due
                state, at = ("late" if late else "on_time"), sub.received_at.isoformat()
            else:
                state, at = ("missing" if today > due else "pending"), None
            out.append(Status(a.code, p.key, due.isoformat(), at, state))
    return out


def rates(rows: list[Status]) -> dict[str, Any]:
    """Expected / received / on time / late counts and rates over the rows."""
    expected = sum(r.status != "pending" for r in rows)
    received = sum(r.status in ("on_time", "late") for r in rows)
    on_time = sum(r.status == "on_time" for r in rows)
    return {
        "expected": expected,
        "received": received,
        "on_time": on_time,
        "late": sum(r.status == "late" for r in rows),
        "missing": sum(r.status == "missing" for r in rows),
        "reporting_rate": round(received / expected * 100, 1) if expected else None,
        "on_time_rate": round(on_time / expected * 100, 1) if expected else None,
    }
