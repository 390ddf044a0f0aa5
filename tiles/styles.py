"""MapLibre style documents assembled from the layer catalogue, one per domain view.

The only place the map's look is made; the map client draws these documents as they are. Style
layer ids are `{slug}:{fragment id}`, `source-layer` = slug (an area layer's text draws its label
points, `{slug}_label`), and each style layer names its catalogue layer in
`metadata["geo-ioc:layer"]` (what the client's toggles and opacity act on).
Draw order is areas → lines → points → labels with the basemap first; a layer without fragments
gets the catalogue's one default look (`layers.styles`). Around the fragments: label layers with
the server's own glyphs, composite tiles for the basemap, and in `metadata` the legend named in
the requested language, the domains' colours and the bounds to open on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from layers.access import User, visible_fields, visible_layers
from layers.definitions import Domain, FieldDef
from layers.models import Layer
from layers.styles import BACKGROUND, DOMAIN_COLOURS, fragments_or_default
from tiles.errors import UnknownStyle
from tiles.expressions import portable, split
from tiles.labels import label_fragment, source_layer, with_fonts
from tiles.legend import Names, legend_rows, named
from tiles.tms import MAX_LAYERS

# Languages a style's legend is named in; the first is the default.
LANGS = ("vi", "en")
# Layers of these domains make the basemap, under every domain view.
BASEMAP_DOMAINS = frozenset({Domain.BASE.value, Domain.TRANSPORT.value})
BASEMAP = "basemap"
# Source ids of the basemap's composite tiles; a slug cannot hold '-', so no layer takes them.
BASEMAP_SOURCE = "basemap-tiles"
# How catalogue attributions list several credits in one line.
_CREDIT_SEPARATOR = re.compile(r"\s+[·|]\s+")
ALL = "all"
# Draw order by style-layer type: areas below lines below points below labels.
TYPE_RANK = {
    "background": 0,
    "raster": 1,
    "hillshade": 1,
    "color-relief": 1,
    "fill": 2,
    "fill-extrusion": 3,
    "line": 4,
    "heatmap": 5,
    "circle": 6,
    "symbol": 7,
}


@dataclass(frozen=True)
class StyleUrls:
    """Absolute URL templates of this server; a style is often loaded from another origin."""

    tilejson: str  # with `{layers}`
    glyphs: str  # with MapLibre's `{fontstack}` and `{range}`

    def tilejson_for(self, slugs: list[str]) -> str:
        """TileJSON URL of one layer or of a composite of several."""
        return self.tilejson.replace("{layers}", ",".join(slugs))


@dataclass(frozen=True)
class Placed:
    """A catalogue layer in a style: the source that carries it and its drawn fragments."""

    layer: Layer
    source: str
    fragments: list[dict[str, Any]]
    label: dict[str, Any] | None
    fields: list[FieldDef]  # those the caller may see


def style_names() -> list[str]:
    """Every style the server assembles: the basemap, one per domain, and everything."""
    # Transport is part of the basemap, and also a view of its own.
    domains = [d.value for d in Domain if d.value != Domain.BASE.value]
    return [BASEMAP, *domains, ALL]


def layers_of(name: str, layers: list[Layer]) -> list[Layer]:
    """The layers a style shows: the basemap plus the named domain (all of them for `all`)."""
    if name not in style_names():
        raise UnknownStyle(
            f"Unknown style {name!r}; styles are {', '.join(style_names())}.", field="name"
        )
    if name == ALL:
        return layers
    return [layer for layer in layers if layer.domain in BASEMAP_DOMAINS or layer.domain == name]


def fragments_of(layer: Layer) -> list[dict[str, Any]]:
    """The fragments a layer is drawn with (its own or the default look), drawable offline."""
    raw = fragments_or_default(layer.style, layer.geometry_type, layer.domain)
    return [f for f in map(with_fonts, raw) if f is not None]


def style_layer_id(slug: str, fragment: dict[str, Any], index: int, count: int) -> str:
    """`{slug}` for a single unnamed fragment, else `{slug}:{id or index}`."""
    suffix = fragment.get("id")
    if suffix is None or suffix == "":
        return slug if count == 1 else f"{slug}:{index}"
    if suffix == slug or str(suffix).startswith(f"{slug}:"):
        return str(suffix)
    return f"{slug}:{suffix}"


def place(user: User, layers: list[Layer]) -> list[Placed]:
    """Each layer with its source: the basemap shares composite sources, others get their own.

    The basemap changes only on imports, so its layers travel together (one tile request instead
    of one per layer). Other layers keep a source named by their slug, which is what the client
    reloads when a live change arrives.
    """
    base = [layer.slug for layer in layers if layer.domain in BASEMAP_DOMAINS]
    chunks = [base[i : i + MAX_LAYERS] for i in range(0, len(base), MAX_LAYERS)]
    source_of = {
        slug: BASEMAP_SOURCE if n == 0 else f"{BASEMAP_SOURCE}-{n + 1}"
        for n, chunk in enumerate(chunks)
        for slug in chunk
    }
    placed = []
    for layer in layers:
        fragments = fragments_of(layer)
        fields = visible_fields(user, layer)
        label = label_fragment(layer.geometry_type, layer.min_zoom, fields, fragments)
        source = source_of.get(layer.slug, layer.slug)
        placed.append(Placed(layer, source, fragments, label, fields))
    return placed


def _attribution(layers: list[Layer]) -> str:
    """Each credit once: layers of one source often share parts ("OSM · synthetic data")."""
    parts = (p.strip() for layer in layers for p in _CREDIT_SEPARATOR.split(layer.attribution))
    return " | ".join(dict.fromkeys(p for p in parts if p))


def sources(placed: list[Placed], urls: StyleUrls) -> dict[str, dict[str, Any]]:
    """Vector sources pointing at the server's TileJSON, keeping every layer's attribution."""
    grouped: dict[str, list[Layer]] = {}
    for p in placed:
        grouped.setdefault(p.source, []).append(p.layer)
    out: dict[str, dict[str, Any]] = {}
    for source_id, members in grouped.items():
        source: dict[str, Any] = {
            "type": "vector",
            "url": urls.tilejson_for([m.slug for m in members]),
        }
        attribution = _attribution(members)
        if attribution:
            source["attribution"] = attribution
        out[source_id] = source
    return out


def _style_layer(p: Placed, fragment: dict[str, Any], index: int, count: int) -> dict[str, Any]:
    layer = p.layer
    out = {
        **fragment,
        "id": style_layer_id(layer.slug, fragment, index, count),
        "source": p.source,
        "source-layer": source_layer(layer.slug, layer.geometry_type, fragment),
        "metadata": {**(fragment.get("metadata") or {}), "geo-ioc:layer": layer.slug},
    }
    if "minzoom" not in out and layer.min_zoom:
        out["minzoom"] = layer.min_zoom
    return portable(out)


def style_layers(placed: list[Placed]) -> list[dict[str, Any]]:
    """Style layers of every placed layer, in draw order (areas, lines, points, labels)."""
    keyed = []
    for layer_index, p in enumerate(placed):
        drawn = p.fragments + ([p.label] if p.label else [])
        in_base = 0 if p.layer.domain in BASEMAP_DOMAINS else 1
        for i, fragment in enumerate(drawn):
            key = (TYPE_RANK.get(fragment["type"], 8), in_base, layer_index, i)
            for part in split(_style_layer(p, fragment, i, len(drawn))):
                keyed.append((key, part))
    keyed.sort(key=lambda item: item[0])
    return [style_layer for _, style_layer in keyed]


def _names(p: Placed, lang: str) -> Names:
    """Titles and value labels of a placed layer in one language; only fields the caller sees."""
    layer = p.layer

    def pick(vi: str | None, en: str | None, fallback: str) -> str:
        return (vi or en if lang == "vi" else en or vi) or fallback

    seen = {f.name for f in p.fields}
    return Names(
        lang=lang,
        title=pick(layer.title_vi, layer.title_en, layer.slug),
        field_titles={f.name: pick(f.title_vi, f.title_en, f.name) for f in p.fields},
        labels={k: v for k, v in (layer.labels or {}).items() if k in seen},
    )


def legend(placed: list[Placed], lang: str) -> list[dict[str, Any]]:
    """Legend entries in catalogue order: titles, domain, source and named swatches."""
    entries = []
    for p in placed:
        names = _names(p, lang)
        entries.append(
            {
                "layer": p.layer.slug,
                "source": p.source,
                "title": names.title,
                "title_vi": p.layer.title_vi,
                "title_en": p.layer.title_en,
                "domain": p.layer.domain,
                "geometry_type": p.layer.geometry_type,
                "rows": named(legend_rows(p.fragments), names),
            }
        )
    return entries


def _extent(value: Any) -> list[float] | None:
    """A stored extent as [minx, miny, maxx, maxy] when it is a sane one in degrees."""
    if not isinstance(value, list | tuple) or len(value) != 4:
        return None
    if not all(isinstance(v, int | float) for v in value):
        return None
    minx, miny, maxx, maxy = map(float, value)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None
    return [minx, miny, maxx, maxy]


def view_bounds(layers: list[Layer]) -> list[float] | None:
    """The union of the layers' extents, leaving out extents far larger than typical.

    A province boundary would otherwise zoom the city out of sight.
    """
    extents = [e for e in (_extent(layer.extent) for layer in layers) if e is not None]
    if not extents:
        return None

    def area(e: list[float]) -> float:
        return max((e[2] - e[0]) * (e[3] - e[1]), 1e-12)

    median = sorted(map(area, extents))[(len(extents) - 1) // 2]
    kept = [e for e in extents if area(e) <= median * 25] if len(extents) > 2 else extents
    return [
        min(e[0] for e in kept),
        min(e[1] for e in kept),
        max(e[2] for e in kept),
        max(e[3] for e in kept),
    ]


def initial_view(bounds: list[float]) -> tuple[list[float], float]:
    """Centre and zoom that show the bounds on a screen of about two tiles."""
    minx, miny, maxx, maxy = bounds
    # 512-px tiles: the span fills one tile at log2(360 / span); a screen is about two tiles.
    span = max(maxx - minx, maxy - miny, 1e-6)
    zoom = min(max(math.log2(360 / span) + 1, 0), 18)
    return [round((minx + maxx) / 2, 6), round((miny + maxy) / 2, 6)], round(zoom, 2)


def build_style(
    user: User,
    name: str,
    urls: StyleUrls,
    lang: str = LANGS[0],
    only: list[str] | None = None,
) -> dict[str, Any]:
    """The style document `name` for this user, its legend in `lang`; only layers the user sees.

    `only` narrows it to the named layers (a wall view's); names it does not hold are skipped, as
    a layer the caller may not see is, so the answer does not tell the two apart.
    """
    layers = layers_of(name, visible_layers(user))
    if only is not None:
        wanted = set(only)
        layers = [layer for layer in layers if layer.slug in wanted]
    placed = place(user, layers)
    style: dict[str, Any] = {
        "version": 8,
        "name": f"geo-ioc {name}",
        "metadata": {
            "geo-ioc:style": name,
            "geo-ioc:lang": lang,
            "geo-ioc:legend": legend(placed, lang),
            "geo-ioc:domains": DOMAIN_COLOURS,
        },
        "sources": sources(placed, urls),
        "glyphs": urls.glyphs,
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND}},
            *style_layers(placed),
        ],
    }
    bounds = view_bounds(layers)
    if bounds is not None:
        style["metadata"]["geo-ioc:bounds"] = [round(v, 6) for v in bounds]
        style["center"], style["zoom"] = initial_view(bounds)
    return style
