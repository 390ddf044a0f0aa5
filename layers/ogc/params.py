"""Query parameters of the features and export endpoints, parsed and checked before any SQL.

Names (properties, sortby, property filters) are only split here; they are checked against the
layer's queryables when the query is planned (`layers.ogc.plan`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from geo_ioc.core import inputs
from geo_ioc.core.errors import InvalidParameter
from layers.ogc.crs import CRS84, Crs, parse_crs
from layers.ogc.errors import UnsupportedFilterLang

# Parameters with a meaning of their own; any other name is a property equality filter.
STANDARD = {
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "datetime",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
    "properties",
    "sortby",
}
# `cql-text` is the pre-2022 name of cql2-text, still sent by GDAL (its OAPIF driver).
FILTER_LANGS = {"cql2-text": "cql2-text", "cql2-json": "cql2-json", "cql-text": "cql2-text"}


@dataclass(frozen=True)
class BBox:
    """A bounding box as given, in the axis order of its CRS (EPSG:4326: lat, lon)."""

    coords: tuple[float, float, float, float]
    crs: Crs

    def boxes_xy(self) -> list[tuple[float, float, float, float]]:
        """(minx, miny, maxx, maxy) in x/y order; two boxes when it crosses the antimeridian."""
        a, b, c, d = self.coords
        minx, miny, maxx, maxy = (b, a, d, c) if self.crs.lat_first else (a, b, c, d)
        if self.crs.geographic and minx > maxx:
            return [(minx, miny, 180.0, maxy), (-180.0, miny, maxx, maxy)]
        return [(minx, miny, maxx, maxy)]


@dataclass(frozen=True)
class Interval:
    """A time instant or interval; None ends are open. `exact` marks a single instant."""

    start: datetime | None
    end: datetime | None
    exact: bool = False
    end_exclusive: bool = False


@dataclass(frozen=True)
class FilterParams:
    """What selects features: shared by items and exports."""

    bbox: BBox | None = None
    datetime: Interval | None = None
    filter: str | None = None
    filter_lang: str = "cql2-text"  # or cql2-json
    filter_crs: Crs = CRS84
    equals: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ItemsParams:
    """Everything `/items` accepts."""

    filters: FilterParams = field(default_factory=FilterParams)
    limit: int = 10
    offset: int = 0
    crs: Crs = CRS84
    properties: tuple[str, ...] | None = None
    sortby: tuple[tuple[str, bool], ...] = ()  # (name, descending)


def _one(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    return str(value)


def parse_int(raw: str, name: str, minimum: int) -> int:
    """A whole number at least `minimum`."""
    return inputs.parse_int(raw, name, low=minimum)


def parse_bbox(raw: str, crs: Crs, name: str = "bbox") -> BBox:
    """`minx,miny,maxx,maxy` (or 6 numbers with heights) in the axis order of `crs`."""
    parts = [p.strip() for p in raw.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter(
            f"{name} must be 4 (or 6) comma-separated numbers, got {raw!r}.", field=name
        ) from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidParameter(
            f"{name} must be 4 (or 6) comma-separated numbers, got {raw!r}.", field=name
        )
    a, b, c, d = values
    order = "minlat,minlon,maxlat,maxlon" if crs.lat_first else "minx,miny,maxx,maxy"
    if crs.geographic:
        lat = (a, c) if crs.lat_first else (b, d)
        lon = (b, d) if crs.lat_first else (a, c)
        if not all(-90 <= v <= 90 for v in lat) or not all(-180 <= v <= 180 for v in lon):
            raise InvalidParameter(
                f"{name} is out of range for {crs.uri}: give {order}, latitudes within ±90 and "
                "longitudes within ±180.",
                field=name,
            )
        if lat[0] > lat[1]:
            raise InvalidParameter(
                f"{name}: the minimum latitude is above the maximum ({order}).", field=name
            )
        # minlon > maxlon is allowed: the box crosses the antimeridian.
    elif a >= c or b >= d:
        raise InvalidParameter(
            f"{name}: each minimum must be below its maximum ({order}).", field=name
        )
    return BBox((a, b, c, d), crs)


def _instant(raw: str, name: str) -> tuple[datetime, datetime | None]:
    """A timestamp (start, None) or a whole local day (start, next day)."""
    tz = timezone.get_default_timezone()
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day, time.min, tzinfo=tz)
            return start, start + timedelta(days=1)
        stamp = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise InvalidParameter(
            f"{name}: {raw!r} is not an RFC 3339 date or timestamp "
            "(e.g. 2025-01-31 or 2025-01-31T08:00:00Z).",
            field=name,
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=tz)
    return stamp, None


def parse_datetime(raw: str, name: str = "datetime") -> Interval:
    """An instant (`2025-01-31T08:00:00Z`, a whole day `2025-01-31`) or an interval `a/b`.

    Open ends are `..` or empty. A bare date or a timestamp without an offset is read in the
    server's time zone (TIME_ZONE, Asia/Ho_Chi_Minh by default).
    """
    if "/" not in raw:
        instant, day_end = _instant(raw, name)
        if day_end is not None:
            return Interval(instant, day_end, end_exclusive=True)
        return Interval(instant, instant, exact=True)
    left, _, right = raw.partition("/")
    if left.strip() in {"", ".."} and right.strip() in {"", ".."}:
        raise InvalidParameter(f"{name}: an interval needs at least one end.", field=name)
    start = None if left.strip() in {"", ".."} else _instant(left, name)[0]
    end: datetime | None = None
    exclusive = False
    if right.strip() not in {"", ".."}:
        end_start, day_end = _instant(right, name)
        end, exclusive = (day_end, True) if day_end is not None else (end_start, False)
    if start is not None and end is not None and start > end:
        raise InvalidParameter(f"{name}: the start is after the end.", field=name)
    return Interval(start, end, end_exclusive=exclusive)


def parse_names(raw: str, name: str) -> tuple[str, ...]:
    """A comma-separated list of property names (checked later against the layer)."""
    names = tuple(p.strip() for p in raw.split(",") if p.strip())
    return names


def parse_sortby(raw: str) -> tuple[tuple[str, bool], ...]:
    """`+name,-lanes`: ascending by default, `-` for descending."""
    out: list[tuple[str, bool]] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        if not name:
            raise InvalidParameter(f"sortby has an empty name in {raw!r}.", field="sortby")
        out.append((name, descending))
    return tuple(out)


FILTER_MAX_CHARS = 20_000
FILTER_MAX_DEPTH = 40
# Quoted CQL2 strings (and JSON strings) are left out before nesting is counted.
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"", re.DOTALL)
_NOT = re.compile(r"\bNOT\b", re.IGNORECASE)


def _shallow(text: str) -> None:
    """A filter the recursive-descent parser can read without exhausting the stack, or a 400.

    Brackets nest, and so does each NOT (counted all, which is stricter than their depth).
    """
    inputs.parse_text(text, "filter", max_length=FILTER_MAX_CHARS)
    bare = _QUOTED.sub("", text)
    brackets = inputs.json_depth(bare.replace("(", "[").replace(")", "]"))
    if brackets + len(_NOT.findall(bare)) > FILTER_MAX_DEPTH:
        raise InvalidParameter(
            f"filter is nested deeper than {FILTER_MAX_DEPTH} levels.", field="filter"
        )


def parse_filters(params: Mapping[str, str], *, extra: Collection[str] = ()) -> FilterParams:
    """bbox, bbox-crs, datetime, filter, filter-lang, filter-crs and property equality filters."""
    bbox_crs = parse_crs(params["bbox-crs"], "bbox-crs") if params.get("bbox-crs") else CRS84
    raw_bbox = _one(params, "bbox")
    lang = (_one(params, "filter-lang") or "cql2-text").strip().lower()
    if lang not in FILTER_LANGS:
        raise UnsupportedFilterLang(
            f"filter-lang {lang!r} is not supported; use cql2-text or cql2-json.",
            field="filter-lang",
        )
    filter_text = _one(params, "filter")
    if filter_text is not None and not filter_text.strip():
        raise InvalidParameter("filter is empty.", field="filter")
    if filter_text is not None:
        _shallow(filter_text)
    raw_dt = _one(params, "datetime")
    equals = tuple(
        (key, str(params[key])) for key in params if key not in STANDARD and key not in extra
    )
    return FilterParams(
        bbox=parse_bbox(raw_bbox, bbox_crs) if raw_bbox else None,
        datetime=parse_datetime(raw_dt) if raw_dt else None,
        filter=filter_text,
        filter_lang=FILTER_LANGS[lang],
        filter_crs=(
            parse_crs(params["filter-crs"], "filter-crs") if params.get("filter-crs") else CRS84
        ),
        equals=equals,
    )


def parse_items(params: Mapping[str, str]) -> ItemsParams:
    """All parameters of `/items`."""
    fmt = (_one(params, "f") or "json").lower()
    if fmt not in {"json", "geojson"}:
        raise InvalidParameter(f"f={fmt!r} is not offered; use f=json.", field="f")
    limit_max: int = settings.GEO_IOC_OGC_LIMIT_MAX
    raw_limit = _one(params, "limit")
    limit = (
        settings.GEO_IOC_OGC_LIMIT_DEFAULT
        if raw_limit is None
        else parse_int(raw_limit, "limit", 1)
    )
    raw_offset = _one(params, "offset")
    raw_props = _one(params, "properties")
    raw_sort = _one(params, "sortby")
    return ItemsParams(
        filters=parse_filters(params),
        # Above the maximum we answer with the maximum (OGC API Features Part 1, 7.15.3).
        limit=min(limit, limit_max),
        offset=0 if raw_offset is None else parse_int(raw_offset, "offset", 0),
        crs=parse_crs(params["crs"]) if params.get("crs") else CRS84,
        properties=parse_names(raw_props, "properties") if raw_props is not None else None,
        sortby=parse_sortby(raw_sort) if raw_sort else (),
    )


def search_body(body: bytes) -> dict[str, str]:
    """A POSTed search as GET parameters: a bare CQL2-JSON filter, or an object of parameters.

    A JSON `filter` object implies `filter-lang=cql2-json`; arrays (bbox, sortby, properties)
    become comma lists.
    """
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise InvalidParameter("The body is not valid JSON.", field="body") from None
    if isinstance(data, bool) or (isinstance(data, dict) and "op" in data):
        return {"filter": json.dumps(data, ensure_ascii=False), "filter-lang": "cql2-json"}
    if not isinstance(data, dict):
        raise InvalidParameter(
            "The body must be a CQL2-JSON filter or an object of search parameters.", field="body"
        )
    out: dict[str, str] = {}
    for key, value in data.items():
        if key == "filter" and not isinstance(value, str):
            out["filter"] = json.dumps(value, ensure_ascii=False)
            out.setdefault("filter-lang", "cql2-json")
        elif isinstance(value, list):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            out[key] = json.dumps(value, ensure_ascii=False)
        elif value is not None:
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def utc(value: datetime) -> datetime:
    """A timezone-aware timestamp in UTC."""
    return value.astimezone(UTC)
