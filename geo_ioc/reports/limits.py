"""Abuse limits per client address: writes an hour, counted by the platform's shared throttle.

`check(request, action)` raises 429 (with Retry-After) when the address is over its limit. The
address is the platform's `throttle.client_ip`: X-Forwarded-For is read only from the trusted
proxies (GEO_IOC_TRUSTED_PROXIES), never from whoever sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from geo_ioc.core import throttle
from geo_ioc.reports.errors import TooManyRequests

HOUR = 3600


def client_ip(request: HttpRequest) -> str:
    """The client's address (behind trusted proxies, the one they saw)."""
    return throttle.client_ip(request)


def check(request: HttpRequest, action: str, per_hour: int | None = None) -> None:
    """Count one `action` for the request's address; over the hourly limit is a 429."""
    limit = per_hour or settings.GEO_IOC_REPORTS_PER_IP_HOUR
    wait = throttle.hit(throttle.Rule(f"reports_{action}", limit, HOUR), client_ip(request))
    if wait is not None:
        raise TooManyRequests(
            wait,
            f"Quá nhiều phản ánh từ địa chỉ này / More than {limit} reports an hour from this "
            "address; try again later.",
        )
