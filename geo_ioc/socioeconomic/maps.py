"""Every indicator as a map layer of today's units, served by the catalogue's own tiles.

An indicator's map is a `table` layer `ind_<code>` over a table in the schema
`socioeconomic_maps` with one row per commune and one number column per period
(`v_202611`; with a disaggregation `v_202611_sex_female`). One tile thus carries every period,
and the console's period slider switches the column its style reads, with no new request and
no new endpoint. The style comes from the server: class breaks (quantiles, equal intervals or
Fisher-Jenks natural breaks, by mapclassify) computed over all periods of the series, so colours
mean the same thing at every position of the slider, and the legend follows from the `step`
expression. The table is rebuilt, and the catalogue entry saved, whenever values change, so
every process drops the layer's cached tiles.

A comparison of two periods uses the same tiles: the fill's metadata carries diverging stops
(`compare`) and the client writes the change expression for the two periods it shows. A count
also gets proportional symbols, `ind_<code>_sym`: the same columns at the units' label points.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from django.db import connection, transaction
from psycopg import sql

from geo_ioc.socioeconomic.models import Indicator
from layers.changes import record_whole_layer
from layers.definitions import FieldDef, FieldType, LayerDefinition, ZoomRule
from layers.models import Layer
from layers.services import register

SCHEMA = "socioeconomic_maps"
CLASSES = 5
SCHEMES = ("quantile", "equal", "jenks")
# Sequential ramps: blue where higher is better, red where higher is worse.
RAMP_UP = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
RAMP_DOWN = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
# Diverging ramp of a comparison of two periods, from a fall to a rise (RdBu): blue where the
# change is for the better, red where it is for the worse.
DIVERGING = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]
MAX_PERIODS = 60
JENKS_SAMPLE = 200
# Units of measure of counts, drawn also as proportional symbols (circles at label points).
COUNT_UNITS = frozenset(
    {
        "persons",
        "households",
        "enterprises",
        "visits",
        "rooms",
        "beds",
        "pupils",
        "children",
        "dossiers",
        "accidents",
        "offences",
    }
)
SYMBOL_MAX_RADIUS = 22


def slug(ind: Indicator) -> str:
    """The catalogue slug of an indicator's map."""
    return f"ind_{ind.code}"[:63]


def symbols_slug(ind: Indicator) -> str:
    """The catalogue slug of an indicator's proportional symbols."""
    return f"ind_{ind.code}"[:59] + "_sym"


def is_count(ind: Indicator) -> bool:
    """A count (people, enterprises, cases …) summed up the tree: drawn also as symbols."""
    return ind.aggregation == "sum" and ind.unit_en in COUNT_UNITS


def column(period_key: str, disaggregation: str = "") -> str:
    """The column of a period (and disaggregation) in a map table."""
    suffix = "_" + disaggregation.replace(":", "_") if disaggregation else ""
    return f"v_{period_key}{suffix}"


def _periods(ind: Indicator) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT to_char(period, 'YYYYMM') FROM socioeconomic_value"
            " WHERE indicator_id = %s ORDER BY 1 DESC LIMIT %s",
            [ind.pk, MAX_PERIODS],
        )
        return sorted(r[0] for r in cur.fetchall())


def _build_table(ind: Indicator, columns: list[tuple[str, str, str]]) -> None:
    """(Re)create the map table: today's communes × one column per period/disaggregation."""
    cols = sql.SQL("").join(
        sql.SQL(
            ", max(v.value) FILTER (WHERE v.period = to_date({p}, 'YYYYMM')"
            " AND v.disaggregation = {d}) AS {c}"
        ).format(p=sql.Literal(p), d=sql.Literal(d), c=sql.Identifier(c))
        for c, p, d in columns
    )
    table = sql.Identifier(SCHEMA, slug(ind))
    statements = [
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)),
        sql.SQL("DROP TABLE IF EXISTS {}").format(table),
        sql.SQL(
            "CREATE TABLE {t} AS SELECT u.id, u.code, u.name_vi, u.name_en, u.synthetic,"
            " u.geom, u.geom_3857{cols} FROM socioeconomic_adminunit u"
            " LEFT JOIN socioeconomic_value v ON v.unit_id = u.id AND v.indicator_id = {ind}"
            " WHERE u.valid_to IS NULL AND u.level = 'commune'"
            " GROUP BY u.id"
        ).format(t=table, cols=cols, ind=sql.Literal(ind.pk)),
        sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)").format(table),
        sql.SQL("CREATE INDEX ON {} USING gist (geom_3857)").format(table),
    ]
    symbols = sql.Identifier(SCHEMA, symbols_slug(ind))
    statements.append(sql.SQL("DROP TABLE IF EXISTS {}").format(symbols))
    if is_count(ind):
        # The same rows at each unit's label point (a point inside it, not the centroid).
        names = sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c)) for c, _, _ in columns)
        statements += [
            sql.SQL(
                "CREATE TABLE {s} AS SELECT id, code, name_vi, name_en, synthetic,"
                " ST_PointOnSurface(geom)::geometry(Point, 4326) AS geom,"
                " ST_Transform(ST_PointOnSurface(geom), 3857)::geometry(Point, 3857) AS geom_3857"
                "{names} FROM {t}"
            ).format(s=symbols, names=names, t=table),
            sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)").format(symbols),
            sql.SQL("CREATE INDEX ON {} USING gist (geom_3857)").format(symbols),
        ]
    with connection.cursor() as cur:
        for s in statements:
            cur.execute(s.as_string(cur.connection))


def _classify(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
    """Upper bounds of the k classes by mapclassify."""
    import mapclassify  # with scipy and scikit-learn: seconds to import, so only when used

    if scheme == "equal":
        return np.asarray(mapclassify.EqualInterval(values, k=k).bins)
    if scheme == "jenks":
        # Fisher-Jenks is quadratic (and pure Python without numba): run it on evenly spaced
        # quantiles of the values, a deterministic sample that keeps the distribution's shape.
        if len(values) > JENKS_SAMPLE:
            values = np.quantile(values, np.linspace(0, 1, JENKS_SAMPLE))
        return np.asarray(mapclassify.FisherJenks(values, k=k).bins)
    return np.asarray(mapclassify.Quantiles(values, k=k).bins)


def breaks(values: np.ndarray, scheme: str, k: int = CLASSES) -> list[float]:
    """Upper bounds of the classes below the top one (the `step` stops), rounded for legends."""
    values = values[~np.isnan(values)]
    if len(np.unique(values)) < 2:
        return []
    k = min(k, len(np.unique(values)))
    with warnings.catch_warnings():  # "Numba not installed": pure Python is enough for this size
        warnings.simplefilter("ignore")
        bins = _classify(values, scheme, k)
    out: list[float] = []
    for b in bins[:-1]:
        # Three significant digits: legends read "≥ 93.4", not "≥ 93.41827".
        digits = 3 - int(math.floor(math.log10(abs(b)))) - 1 if b else 0
        r = round(float(b), max(digits, 0))
        if not out or r > out[-1]:
            out.append(r)
    return out


def _values(ind: Indicator, columns: list[str]) -> np.ndarray:
    if not columns:
        return np.array([], dtype=float)
    query = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(SCHEMA, slug(ind))
    )
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        rows = cur.fetchall()
    return np.array([v for r in rows for v in r], dtype=float)


def _round3(x: float) -> float:
    """Three significant digits, for legends."""
    if not x:
        return 0.0
    return round(float(x), max(3 - int(math.floor(math.log10(abs(x)))) - 1, 0))


def symmetric_breaks(changes: np.ndarray) -> list[float]:
    """Stops of a diverging `step` centred on 0: ± the terciles of the changes' magnitudes."""
    mags = np.abs(changes[~np.isnan(changes)])
    mags = mags[mags > 0]
    if len(mags) == 0:
        return [0.0]
    q1, q2 = (_round3(q) for q in np.quantile(mags, [1 / 3, 2 / 3]))
    if q2 <= 0:
        return [0.0]
    if q1 <= 0 or q1 >= q2:
        return [-q2, 0.0, q2]
    return [-q2, -q1, 0.0, q1, q2]


def changes(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Absolute and % changes of units × periods, each period against a year before it.

    Against the previous period when the series is shorter than 13: the comparisons the
    console offers by default.
    """
    lag = 12 if matrix.shape[1] > 12 else 1
    if matrix.shape[1] <= lag:
        return np.array([]), np.array([])
    a, b = matrix[:, :-lag], matrix[:, lag:]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(a != 0, (b - a) / np.abs(a) * 100, np.nan)
    return (b - a).ravel(), pct.ravel()


def compare(matrix: np.ndarray, higher_is_better: bool) -> dict[str, Any]:
    """The parameters of a comparison of two periods, as the fill layer's metadata.

    The stops and colours of the change and of the % change. The client writes the expression
    (`["-", ["get", b], ["get", a]]`) for the two periods it shows; the tile already carries
    every period, so a comparison needs no other tile.
    """
    absolute, pct = changes(matrix)
    colours = DIVERGING if higher_is_better else DIVERGING[::-1]

    def entry(stops: list[float]) -> dict[str, Any]:
        # One colour per class; with fewer stops the ramp's outer and middle colours.
        picked = colours if len(stops) == 5 else [colours[0], colours[2], colours[3], colours[5]]
        return {"stops": stops, "colours": picked[: len(stops) + 1]}

    return {"abs": entry(symmetric_breaks(absolute)), "pct": entry(symmetric_breaks(pct))}


def style(field: str, stops: list[float], higher_is_better: bool) -> list[dict[str, Any]]:
    """MapLibre fragments: a `step` fill on the period's column, and the units' outlines."""
    ramp = RAMP_UP if higher_is_better else RAMP_DOWN
    colours = ramp[-(len(stops) + 1) :] if stops else [ramp[2]]
    expr: list[Any] = ["step", ["get", field], colours[0]]
    for stop, colour in zip(stops, colours[1:], strict=True):
        expr += [stop, colour]
    # Hidden until chosen (the console's indicator panel shows one map at a time): MapLibre
    # loads no tiles for a source whose layers are all hidden.
    hidden = {"visibility": "none"}
    return [
        {
            "id": "fill",
            "type": "fill",
            "layout": hidden,
            "filter": ["has", field],
            "paint": {"fill-color": expr, "fill-opacity": 0.75},
        },
        {
            "id": "line",
            "type": "line",
            "layout": hidden,
            "metadata": {"geo-ioc:legend": False},
            "paint": {"line-color": "#555555", "line-width": 0.8},
        },
    ]


def symbol_style(field: str, top: float) -> list[dict[str, Any]]:
    """A circle per unit whose area is proportional to the period's value (radius ∝ √value)."""
    return [
        {
            "id": "circle",
            "type": "circle",
            "layout": {"visibility": "none"},
            "filter": ["has", field],
            "metadata": {"geo-ioc:symbol-max": top},
            "paint": {
                "circle-radius": [
                    "interpolate",
                    ["linear"],
                    ["sqrt", ["max", ["get", field], 0]],
                    0,
                    0,
                    math.sqrt(max(top, 1e-9)),
                    SYMBOL_MAX_RADIUS,
                ],
                "circle-color": "#f59e0b",
                "circle-opacity": 0.55,
                "circle-stroke-color": "#7c2d12",
                "circle-stroke-width": 1,
            },
        }
    ]


def symbol_definition(ind: Indicator, base: LayerDefinition, top: float) -> LayerDefinition:
    """The catalogue entry of a count indicator's proportional symbols (label points)."""
    latest = next(
        f for f in reversed(base.fields) if f.name.startswith("v_") and "_" not in f.name[2:]
    )
    return LayerDefinition.model_validate(
        base.model_dump(by_alias=True)
        | {
            "slug": symbols_slug(ind),
            "title_vi": f"Ký hiệu tỷ lệ: {ind.name_vi}",
            "title_en": f"Proportional symbols: {ind.name_en}",
            "geometry_type": "Point",
            "source": {"kind": "table", "table": symbols_slug(ind), "schema": SCHEMA},
            "style": symbol_style(latest.name, top),
            "labels": {},
            "generalize": [],
            "sort_order": base.sort_order + 1,
            "description": (
                f"{ind.name_vi} theo xã, phường: vòng tròn có diện tích tỷ lệ với giá trị. "
                f"{ind.name_en} by commune: circle area proportional to the value."
            ),
        }
    )


def class_labels(stops: list[float]) -> dict[str, dict[str, str]]:
    """Legend names of the `step` classes, keyed as the legend keys them (`< 80.5`, `≥ 80.5`)."""

    def vi(x: float) -> str:
        return f"{x:,}".replace(",", " ").replace(".", ",").replace(" ", ".")

    out = (
        {f"< {stops[0]}": {"vi": f"dưới {vi(stops[0])}", "en": f"under {stops[0]:,}"}}
        if stops
        else {}
    )
    for s in stops:
        out[f"≥ {s}"] = {"vi": f"từ {vi(s)}", "en": f"{s:,} and over"}
    return out


def definition(
    ind: Indicator,
    columns: list[tuple[str, str, str]],
    stops: list[float],
    latest: str,
    comparison: dict[str, Any] | None = None,
) -> LayerDefinition:
    """The catalogue entry of an indicator's map."""
    fields = [
        FieldDef(name="code", title_vi="Mã đơn vị", title_en="Unit code"),
        FieldDef(name="name_vi", title_vi="Tên đơn vị", title_en="Unit (Vietnamese)"),
        FieldDef(name="name_en", title_vi="Tên (không dấu)", title_en="Unit"),
        FieldDef(
            name="synthetic",
            type=FieldType.BOOLEAN,
            title_vi="Dữ liệu giả lập",
            title_en="Synthetic",
        ),
    ] + [
        FieldDef(
            name=c,
            type=FieldType.NUMBER,
            title_vi=f"{ind.name_vi} ({ind.unit_vi}) {p[4:]}/{p[:4]}{' ' + d if d else ''}",
            title_en=f"{ind.name_en} ({ind.unit_en}) {p[:4]}-{p[4:]}{' ' + d if d else ''}",
        )
        for c, p, d in columns
    ]
    return LayerDefinition.model_validate(
        {
            "slug": slug(ind),
            "title_vi": f"Bản đồ chỉ tiêu: {ind.name_vi}",
            "title_en": f"Indicator map: {ind.name_en}",
            "domain": "economy",
            "geometry_type": "MultiPolygon",
            "source": {"kind": "table", "table": slug(ind), "schema": SCHEMA},
            "min_zoom": 5,
            "max_zoom": 16,
            "sort_order": 300,
            "fields": [f.model_dump() for f in fields],
            "style": _with_compare(style(latest, stops, ind.higher_is_better), comparison),
            "synthetic": ind.synthetic,
            "attribution": f"{ind.agency.name_vi} / {ind.agency.name_en}"
            + (" (số liệu giả lập / synthetic)" if ind.synthetic else ""),
            "labels": {latest: class_labels(stops)},
            "cache_max_age": 300,
            "generalize": [ZoomRule(zooms=(5, 10), tolerance=1.0).model_dump()],
            "description": (
                f"{ind.name_vi} theo xã, phường; kỳ mới nhất {latest[2:]}, phân lớp "
                f"{ind.map_scheme}. {ind.name_en} by commune; classes: {ind.map_scheme}."
            ),
        }
    )


def _with_compare(
    fragments: list[dict[str, Any]], comparison: dict[str, Any] | None
) -> list[dict[str, Any]]:
    if comparison:
        fill = fragments[0]
        fill["metadata"] = {**fill.get("metadata", {}), "geo-ioc:compare": comparison}
    return fragments


@transaction.atomic
def refresh(ind: Indicator) -> str | None:
    """Rebuild an indicator's map table and catalogue entry; its slug (None: no values)."""
    periods = _periods(ind)
    if not periods:
        return None
    columns = [(column(p), p, "") for p in periods]
    for dim, members in sorted(ind.disaggregations.items()):
        columns += [(column(p, f"{dim}:{m}"), p, f"{dim}:{m}") for p in periods for m in members]
    _build_table(ind, columns)
    totals = [c for c, _, d in columns if not d]
    values = _values(ind, totals)
    stops = breaks(values, ind.map_scheme)
    matrix = values.reshape(-1, len(totals))  # units × periods, in the columns' order
    defn = definition(ind, columns, stops, totals[-1], compare(matrix, ind.higher_is_better))
    layer = register(defn)
    # A dropped and re-created table leaves no rows for the change triggers to report: the
    # whole layer changed (tile caches, the console and wall screens following it hear of it).
    record_whole_layer(layer)
    if is_count(ind):
        symbols = register(
            symbol_definition(ind, defn, float(np.nanmax(values)) if len(values) else 1.0)
        )
        record_whole_layer(symbols)
    else:
        Layer.objects.filter(slug=symbols_slug(ind)).delete()
    return layer.slug


def refresh_all() -> int:
    """Rebuild every indicator's map; how many have one."""
    return sum(refresh(ind) is not None for ind in Indicator.objects.order_by("code"))
