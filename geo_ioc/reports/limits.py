"""Abuse limits per client address: a fixed window of writes per hour, shared by all processes.

One small function so the app can move to a shared throttle of the platform without touching
its views: `check(request, action)` raises 429 when the address is over its limit.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from geo_ioc.reports.errors import TooManyRequests

UPSERT = """
INSERT INTO reports_hit (key, "window", count) VALUES (%s, %s, 1)
ON CONFLICT (key, "window") DO UPDATE SET count = reports_hit.count + 1
RETURNING count
"""


def client_ip(request: HttpRequest) -> str:
    """The client's address as the server sees it (a proxy in front must set REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def check(request: HttpRequest, action: str, per_hour: int | None = None) -> None:
    """Count one `action` for the request's address; over the hourly limit is a 429."""
    limit = per_hour or settings.GEO_IOC_REPORTS_PER_IP_HOUR
    window = timezone.now().replace(minute=0, second=0, microsecond=0)
    key = hashlib.sha256(f"{action}:{client_ip(request)}".encode()).hexdigest()[:40]
    with connection.cursor() as cur:
        cur.execute('DELETE FROM reports_hit WHERE "window" < %s', [window])
        cur.execute(UPSERT, [key, window])
        row = cur.fetchone()
    if row is not None and row[0] > limit:
        raise TooManyRequests(
            f"Quá nhiều phản ánh từ địa chỉ này / More than {limit} reports an hour from this "
            "address; try again later."
        )
