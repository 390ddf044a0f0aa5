"""Analytics in DHIS2's data × period × unit shape (`dx`, `pe`, `ou`).

Each indicator rolls up the unit tree by its own rule — a sum, a mean weighted by another
indicator, or a ratio of two sums × a factor — computed from the components that
`sql/rollup.sql` adds up in PostgreSQL; targets roll up by the same rule from the target table.
Each cell carries its target attainment and its change against the previous period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from psycopg import sql

from geo_ioc.socioeconomic.errors import UnknownIndicator, UnknownUnit
from geo_ioc.socioeconomic.models import AdminUnit, Aggregation, Indicator
from geo_ioc.socioeconomic.periods import Period, parse_many
from geo_ioc.socioeconomic.units import sql_text

# (root unit id, period key, indicator id) → (total, count, weighted mean)
Components = dict[tuple[int, str, int], tuple[float, int, float | None]]


@dataclass(frozen=True)
class Query:
    """A parsed analytics request."""

    indicators: list[Indicator]
    periods: list[Period]
    units: list[AdminUnit]
    disaggregation: str = ""


@dataclass(frozen=True)
class Cell:
    """One value of the answer."""

    indicator: str
    period: str
    unit: str
    value: float | None
    target: float | None
    attainment: float | None  # % of target reached (inverted for lower-is-better)
    previous: float | None
    change: float | None  # % change against the previous period

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def components_of(indicators: Iterable[Indicator]) -> dict[int, Indicator]:
    """The indicators and every indicator their rules read (weights, numerators, …)."""
    out: dict[int, Indicator] = {}
    todo = list(indicators)
    while todo:
        ind = todo.pop()
        if ind.pk in out:
            continue
        out[ind.pk] = ind
        for ref in (ind.weight, ind.numerator, ind.denominator):
            if ref is not None:
                todo.append(ref)
    return out


def _rollup(
    table: str, inds: dict[int, Indicator], units: list[int], periods: list[Period], dis: str
) -> Components:
    wm = [i for i in inds.values() if i.aggregation == Aggregation.WEIGHTED_MEAN]
    dis_filter = (
        sql.SQL(" AND v.disaggregation = %(dis)s")
        if table == "socioeconomic_value"
        else sql.SQL("")
    )
    query = sql.SQL(sql_text("rollup.sql")).format(  # type: ignore[arg-type]
        table=sql.Identifier(table), dis_filter=dis_filter
    )
    # A ratio's own rows are never read: its value is Σ numerator ÷ Σ denominator.
    read = [i.pk for i in inds.values() if i.aggregation != Aggregation.RATIO]
    params: dict[str, Any] = {
        "units": units,
        "pkeys": [p.key for p in periods],
        "pstarts": [p.start for p in periods],
        "pends": [p.end for p in periods],
        "indicators": read,
        "stocks": [i.pk for i in inds.values() if i.stock],
        "wm_ids": [i.pk for i in wm],
        "wm_weights": [i.weight_id for i in wm],
        "dis": dis,
    }
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection), params)
        return {(r[0], r[1], r[2]): (float(r[3]), int(r[4]), r[5]) for r in cur.fetchall()}


def value_of(ind: Indicator, c: Components, unit: int, pkey: str) -> float | None:
    """An indicator's value from the rolled-up components, by its aggregation rule."""
    if ind.aggregation == Aggregation.SUM:
        got = c.get((unit, pkey, ind.pk))
        return got[0] if got else None
    if ind.aggregation == Aggregation.WEIGHTED_MEAN:
        got = c.get((unit, pkey, ind.pk))
        return float(got[2]) if got and got[2] is not None else None
    assert ind.numerator_id is not None and ind.denominator_id is not None
    num = c.get((unit, pkey, ind.numerator_id))
    den = c.get((unit, pkey, ind.denominator_id))
    if not num or not den or den[0] == 0:
        return None
    return num[0] / den[0] * ind.factor


def _pct(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b * 100, 4)


def attainment(ind: Indicator, value: float | None, target: float | None) -> float | None:
    """% of the target reached; for lower-is-better indicators target ÷ value."""
    if ind.higher_is_better:
        return _pct(value, target)
    return _pct(target, value)


def run(q: Query) -> list[Cell]:
    """The cells of a query: every indicator × period × unit that has a value or a target."""
    inds = components_of(q.indicators)
    units = [u.pk for u in q.units]
    values = rollup_values(q, inds, units)
    targets = _rollup("socioeconomic_target", inds, units, q.periods, "")
    return cells_of(q, values, targets)


def periods_read(q: Query) -> list[Period]:
    """The query's periods and the periods before them (for the change)."""
    previous = [p.previous() for p in q.periods]
    return list({p.key: p for p in [*q.periods, *previous]}.values())


def rollup_values(q: Query, inds: dict[int, Indicator], units: list[int]) -> Components:
    """The components of the values of units (the query's periods and those before them)."""
    return _rollup("socioeconomic_value", inds, units, periods_read(q), q.disaggregation)


def cells_of(q: Query, values: Components, targets: Components) -> list[Cell]:
    """The answer's cells from rolled-up components of values and targets."""
    previous = {p.key: p.previous() for p in q.periods}
    cells = []
    for ind in q.indicators:
        for p in q.periods:
            for u in q.units:
                v = value_of(ind, values, u.pk, p.key)
                t = value_of(ind, targets, u.pk, p.key)
                if v is None and t is None:
                    continue
                prev = value_of(ind, values, u.pk, previous[p.key].key)
                cells.append(
                    Cell(
                        ind.code,
                        p.key,
                        u.code,
                        v,
                        t,
                        attainment(ind, v, t),
                        prev,
                        _pct_change(v, prev),
                    )
                )
    return cells


def _pct_change(v: float | None, prev: float | None) -> float | None:
    if v is None or prev is None or prev == 0:
        return None
    return round((v - prev) / abs(prev) * 100, 4)


def parse_query(
    dx: list[str],
    pe: list[str],
    ou: list[str],
    today: dt.date,
    level: str | None = None,
    disaggregation: str = "",
) -> Query:
    """Resolve codes to rows: unknown indicators or units are 404s naming them."""
    found = {
        i.code: i
        for i in Indicator.objects.filter(code__in=dx).select_related(
            "weight", "numerator", "denominator"
        )
    }
    missing = [c for c in dx if c not in found]
    if missing:
        raise UnknownIndicator(f"Unknown indicators: {', '.join(missing)}.", field="dx")
    # Units valid on the reference date (today's units unless the query asks for history).
    valid = AdminUnit.objects.filter(valid_from__lte=today).exclude(valid_to__lt=today)
    roots = {u.code: u for u in valid.filter(code__in=ou)}
    missing = [c for c in ou if c not in roots]
    if missing:
        raise UnknownUnit(f"Unknown units on {today}: {', '.join(missing)}.", field="ou")
    units = [roots[c] for c in ou]
    if level:
        units = list(valid.filter(level=level, parent__in=units).order_by("code")) or units
    return Query([found[c] for c in dx], parse_many(pe, today), units, disaggregation)
