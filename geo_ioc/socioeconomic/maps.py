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
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from django.db import connection, transaction
from psycopg import sql

from geo_ioc.socioeconomic.models import Indicator
from layers.definitions import FieldDef, FieldType, LayerDefinition, ZoomRule
from layers.services import register

SCHEMA = "socioeconomic_maps"
CLASSES = 5
SCHEMES = ("quantile", "equal", "jenks")
# Sequential ramps: blue where higher is better, red where higher is worse.
RAMP_UP = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
RAMP_DOWN = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
MAX_PERIODS = 60
JENKS_SAMPLE = 200


def slug(ind: Indicator) -> str:
    """The catalogue slug of an indicator's map."""
    return f"ind_{ind.code}"[:63]


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
    ind: Indicator, columns: list[tuple[str, str, str]], stops: list[float], latest: str
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
            "style": style(latest, stops, ind.higher_is_better),
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
    stops = breaks(_values(ind, totals), ind.map_scheme)
    layer = register(definition(ind, columns, stops, totals[-1]))
    return layer.slug


def refresh_all() -> int:
    """Rebuild every indicator's map; how many have one."""
    return sum(refresh(ind) is not None for ind in Indicator.objects.order_by("code"))
