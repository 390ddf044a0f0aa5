"""The search: places and streets from the catalogue, parcels by number, incidents.

Each kind is searched only where the caller may see its layer; results are merged and ranked by
match quality (exact, prefix, word prefix, substring), then by kind and catalogue order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from geo_ioc.land.models import Parcel
from geo_ioc.operations.models import Incident
from geo_ioc.search import sql as search_sql
from geo_ioc.search.schemas import Result, Results
from geo_ioc.search.text import fold, words
from layers.access import User, entry_fields, entry_of, visible_layers
from layers.models import Layer

PARCELS, INCIDENTS = "parcels", "incidents"
OPEN = (Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.DISPATCHED)
KIND_ORDER = {"incident": 0, "parcel": 1, "place": 2, "street": 3}
LINES = {"LineString", "MultiLineString"}
# Among equal matches, points of interest first, then areas, then lines.
GEOMETRY_ORDER = {"Point": 0, "MultiPoint": 0, "Polygon": 1, "MultiPolygon": 1}
SAME_PLACE_DEG = 0.002  # about 200 m

# "672.01/3/45", "672.01 3 45", "tờ 3 thửa 45", "3/45": ward code optional, sheet then parcel.
_WARD = re.compile(r"\b(\d{3}\.\d{2})\b")
_SHEET_PARCEL = re.compile(
    r"(?:(?:tờ|to|sheet)\s*(\d{1,4})\D+?(?:thửa|thua|parcel)\s*(\d{1,6}))"
    r"|(?:^|\s|/)(\d{1,4})\s*[/\s,-]\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)


def _titles(layer: Layer) -> dict[str, str]:
    return {"vi": layer.title_vi, "en": layer.title_en}


def named_layers(layers: Iterable[Layer], user: User) -> list[search_sql.NamedLayer]:
    """The visible layers with a visible `name` text field (and `name_en` when they have one)."""
    out = []
    for layer in layers:
        entry = entry_of(layer)
        fields = {f.name: f for f in entry_fields(user, entry)}
        name = fields.get("name")
        # One statement searches every layer: only sources whose rows sit in a relation join it.
        if name is None or name.type != "string" or not entry.source.has_relation:
            continue
        try:
            relation = entry.relation
        except (LookupError, ValueError):
            continue
        out.append(
            search_sql.NamedLayer(
                slug=layer.slug,
                relation=relation,
                name="name",
                name_en="name_en" if "name_en" in fields else None,
                group_by_name=layer.geometry_type in LINES,
            )
        )
    return out


def places(layers: list[Layer], user: User, text: str, limit: int) -> list[Result]:
    """Features of the catalogue whose name holds every word of the text."""
    named = named_layers(layers, user)
    found = words(text)
    if not named or not found:
        return []
    by_slug = {layer.slug: layer for layer in layers}
    query = search_sql.places_query(named, limit)
    params: dict[str, Any] = {
        "q": text.strip(),
        "qlike": search_sql.escape_like(text.strip()),
        "words": [search_sql.escape_like(w) for w in found],
    }
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection), params)
        rows = [dict(zip(search_sql.COLUMNS, row, strict=True)) for row in cur.fetchall()]
    return [_place(row, by_slug[row["layer"]]) for row in rows if row["lon"] is not None]


def _place(row: dict[str, Any], layer: Layer) -> Result:
    bbox = None
    if row["xmin"] is not None and (row["xmin"] != row["xmax"] or row["ymin"] != row["ymax"]):
        bbox = (row["xmin"], row["ymin"], row["xmax"], row["ymax"])
    return Result(
        kind=row["kind"],
        layer=layer.slug,
        layer_title=_titles(layer),
        id=row["id"],
        title=row["title"],
        title_en=row["title_en"],
        lon=row["lon"],
        lat=row["lat"],
        bbox=bbox,
        rank=row["rank"],
        features=row["features"],
    )


def parcel_key(text: str) -> tuple[str | None, int, int] | None:
    """(ward code or None, sheet, parcel number) when the text names a parcel."""
    ward_match = _WARD.search(text)
    rest = _WARD.sub(" ", text).strip(" /,-")
    match = _SHEET_PARCEL.search(rest)
    if match is None:
        return None
    sheet, number = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
    return (ward_match.group(1) if ward_match else None, int(sheet), int(number))


def parcels(layer: Layer, text: str, limit: int) -> list[Result]:
    """Parcels named by ward/sheet/number (every ward's when no ward code is given)."""
    key = parcel_key(text)
    if key is None:
        return []
    ward, sheet, number = key
    qs = Parcel.objects.filter(sheet=sheet, number=number)
    if ward:
        qs = qs.filter(ward_code=ward)
    out = []
    for parcel in qs.order_by("ward_code")[:limit]:
        point = parcel.geom.point_on_surface
        xmin, ymin, xmax, ymax = parcel.geom.extent
        out.append(
            Result(
                kind="parcel",
                layer=layer.slug,
                layer_title=_titles(layer),
                id=str(parcel.pk),
                title=parcel.label,
                subtitle=parcel.address or None,
                lon=point.x,
                lat=point.y,
                bbox=(xmin, ymin, xmax, ymax),
                rank=0 if ward else 1,
                properties={
                    "land_use": parcel.land_use,
                    "land_use_vi": parcel.land_use_vi,
                    "land_use_en": parcel.land_use_en,
                },
            )
        )
    return out


def _incident_matches(text: str) -> QuerySet[Incident]:
    """Incidents by code, by every word in their description, road or unit, or by type name."""
    folded = fold(text.strip())
    types = [
        t.value
        for t in Incident.Type
        if folded and (folded in fold(str(t.label)) or folded in t.value.replace("_", " "))
    ]
    by_words = Q()
    for word in words(text):
        by_words &= (
            Q(description__unaccent__icontains=word)
            | Q(road_name__unaccent__icontains=word)
            | Q(responsible_unit__unaccent__icontains=word)
        )
    condition = Q(code__istartswith=text.strip()) | Q(type__in=types)
    if words(text):
        condition |= by_words
    return Incident.objects.filter(condition)


def _incident_rank(code: str, text: str) -> int:
    """0 for the incident's own code, 1 for a code prefix, 3 (a substring) for the rest."""
    if code == text:
        return 0
    return 1 if code.startswith(text) else 3


def incidents(layer: Layer, text: str, limit: int) -> list[Result]:
    """Matching incidents, open ones first, newest first."""
    qs = _incident_matches(text).annotate(
        is_open=Case(
            When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    exact = text.strip().upper()
    out = []
    for incident in qs.order_by("is_open", "-reported_at")[:limit]:
        out.append(
            Result(
                kind="incident",
                layer=layer.slug,
                layer_title=_titles(layer),
                id=str(incident.pk),
                title=incident.code,
                subtitle=incident.description or incident.road_name or None,
                lon=incident.geom.x,
                lat=incident.geom.y,
                rank=_incident_rank(incident.code.upper(), exact),
                properties={
                    "type": incident.type,
                    "severity": incident.severity,
                    "status": incident.status,
                    "reported_at": incident.reported_at.isoformat(),
                    "road_name": incident.road_name,
                },
            )
        )
    return out


def search(user: User, text: str, limit: int) -> Results:
    """Every kind the caller may see, merged: best rank first, then kind and catalogue order."""
    layers = visible_layers(user)
    by_slug = {layer.slug: layer for layer in layers}
    found = places(layers, user, text, limit)
    if PARCELS in by_slug:
        found += parcels(by_slug[PARCELS], text, limit)
    if INCIDENTS in by_slug:
        found += incidents(by_slug[INCIDENTS], text, limit)
    order = {
        layer.slug: (GEOMETRY_ORDER.get(layer.geometry_type, 9), i)
        for i, layer in enumerate(layers)
    }
    found.sort(key=lambda r: (r.rank, KIND_ORDER[r.kind], order.get(r.layer), len(r.title)))
    return Results(query=text, results=distinct(found)[:limit])


def distinct(results: list[Result]) -> list[Result]:
    """Drop a hit that repeats a better one: the same name within `SAME_PLACE_DEG` of it.

    (A point of interest and the building it stands in often share a name.)
    """
    kept: list[Result] = []
    for r in results:
        name = fold(r.title)
        if not any(
            fold(k.title) == name
            and abs(k.lon - r.lon) < SAME_PLACE_DEG
            and abs(k.lat - r.lat) < SAME_PLACE_DEG
            for k in kept
        ):
            kept.append(r)
    return kept
