"""The search: places and streets from the catalogue, and what the apps' providers find.

Each kind is searched only where the caller may see its layer; results are merged and ranked by
match quality (exact, prefix, word prefix, substring), then by kind and catalogue order. The
providers (parcels by number, incidents, …) are contributed by the domain apps
(`geo_ioc.search.providers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from geo_ioc.search import sql as search_sql
from geo_ioc.search.providers import providers
from geo_ioc.search.schemas import Result, Results
from geo_ioc.search.text import fold, words
from layers.access import User, entry_fields, entry_of, visible_layers
from layers.models import Layer

# Among equal matches, the kinds of the catalogue's own search; providers declare theirs.
KIND_ORDER = {"place": 2, "street": 3}
LINES = {"LineString", "MultiLineString"}
# Among equal matches, points of interest first, then areas, then lines.
GEOMETRY_ORDER = {"Point": 0, "MultiPoint": 0, "Polygon": 1, "MultiPolygon": 1}
SAME_PLACE_DEG = 0.002  # about 200 m


def titles(layer: Layer) -> dict[str, str]:
    """A layer's title in Vietnamese and English, as results carry it."""
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
        layer_title=titles(layer),
        id=row["id"],
        title=row["title"],
        title_en=row["title_en"],
        lon=row["lon"],
        lat=row["lat"],
        bbox=bbox,
        rank=row["rank"],
        features=row["features"],
    )


def search(user: User, text: str, limit: int) -> Results:
    """Every kind the caller may see, merged: best rank first, then kind and catalogue order."""
    layers = visible_layers(user)
    by_slug = {layer.slug: layer for layer in layers}
    found = places(layers, user, text, limit)
    kind_order = dict(KIND_ORDER)
    for provider in providers():
        if provider.layer in by_slug:
            found += provider.search(by_slug[provider.layer], user, text, limit)
            kind_order.setdefault(provider.kind, provider.order)
    order = {
        layer.slug: (GEOMETRY_ORDER.get(layer.geometry_type, 9), i)
        for i, layer in enumerate(layers)
    }
    found.sort(key=lambda r: (r.rank, kind_order.get(r.kind, 9), order.get(r.layer), len(r.title)))
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
