"""Query-parameter parsers shared by the API views: each refuses with a JSON 400 naming it."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest

from geo_ioc.core.errors import InvalidParameter
from geo_ioc.core.inputs import parse_int

BBox = tuple[float, float, float, float]


def int_param[D](request: HttpRequest, name: str, default: D, low: int, high: int) -> int | D:
    """A whole number within [low, high]; `default` when absent or empty."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    return parse_int(raw, name, low=low, high=high)


def time_param(request: HttpRequest, name: str) -> datetime | None:
    """An ISO 8601 date-time with a time zone, or None when absent."""
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be an ISO 8601 date-time.", field=name) from None
    if value.tzinfo is None:
        raise InvalidParameter(f"{name} needs a time zone (e.g. +07:00 or Z).", field=name)
    return value


def bbox_param(request: HttpRequest, name: str = "bbox") -> BBox | None:
    """minLon,minLat,maxLon,maxLat in WGS 84, or None when absent."""
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        minx, miny, maxx, maxy = (float(v) for v in raw.split(","))
    except ValueError:
        raise InvalidParameter(f"{name} is minLon,minLat,maxLon,maxLat.", field=name) from None
    if not (minx < maxx and miny < maxy):
        raise InvalidParameter(f"{name} minimums must be below its maximums.", field=name)
    return (minx, miny, maxx, maxy)
