"""Analytics and choropleth tiles at the country's scale, against the bare SQL as the limit.

Generates, in the scratch schema `bench_se` (kept between runs; --rebuild remakes it), 34
provinces and N communes (3,300 by default, Vietnam's count after 2025) as grid squares, and
I indicators × M months of values (200 × 60: 39.6 million rows) with `generate_series` in one
INSERT. The tables have the real ones' names and columns, so the real `analytics.run` reads
them (search_path = bench_se). Prints p50/p95 of:

- `bare SQL`: for each aggregation rule, the one aggregate that answers the same question
  (a province's communes over a year and the year before: Σ value; Σ value × weight ÷ Σ weight
  of the same unit and month; Σ numerator ÷ Σ denominator) — the limit;
- `analytics.run`: the real roll-up (tree walk, own-vs-descendants choice, stocks, weighted
  means, targets, change against the previous period) for the same indicators, periods and
  unit, its values checked against the bare SQL's;
- choropleth tiles: the map table of one indicator (one column per month) through the
  catalogue's MVT builder against a tile of the bare geometry (its cost of carrying periods).

    DEBUG=1 .venv/bin/python bench/indicators.py [--communes 3300] [--indicators 200]
        [--months 60] [--queries 40] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from psycopg import sql  # noqa: E402

from geo_ioc.socioeconomic import analytics  # noqa: E402
from geo_ioc.socioeconomic.models import AdminUnit, Indicator  # noqa: E402
from geo_ioc.socioeconomic.periods import month, shift, year  # noqa: E402
from layers.definitions import FieldDef, FieldType  # noqa: E402
from layers.sources.mvt import LayerQuery, layer_mvt  # noqa: E402
from layers.sources.relation import SqlRelation  # noqa: E402

SCHEMA = "bench_se"
PROVINCES = 34
# The real tables' roll-up index (migration 0004), then a VACUUM for index-only scans.
ROLLUP_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS se_value_unit_ind_period ON {SCHEMA}.socioeconomic_value"
    " (unit_id, indicator_id, disaggregation, period) INCLUDE (value)",
    f"VACUUM ANALYZE {SCHEMA}.socioeconomic_value",
]
END = month(__import__("datetime").date(2026, 12, 1)).previous()


def _exec(q: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(q, params)
        return list(cur.fetchall()) if cur.description else []


def build(communes: int, indicators: int, months: int, rebuild: bool) -> float:
    """The scratch tables, filled; seconds spent (0 when kept)."""
    have = _exec("SELECT to_regclass(%s) IS NOT NULL", [f"{SCHEMA}.socioeconomic_value"])[0][0]
    expected = communes * indicators * months
    if have and not rebuild:
        n = _exec(
            f"SELECT reltuples FROM pg_class WHERE oid = '{SCHEMA}.socioeconomic_value'::regclass"
        )[0][0]
        if abs(n - expected) <= expected * 0.02:
            for stmt in ROLLUP_INDEXES:  # a schema made before the roll-up index existed
                _exec(stmt)
            return 0.0
    t0 = time.perf_counter()
    start = shift(END, -(months - 1)).start
    side = int(np.ceil(np.sqrt(communes)))
    for stmt in [
        f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE",
        f"CREATE SCHEMA {SCHEMA}",
        *(
            f"CREATE TABLE {SCHEMA}.socioeconomic_{t} (LIKE public.socioeconomic_{t}"
            " INCLUDING DEFAULTS INCLUDING GENERATED)"
            for t in ("adminunit", "value", "target")
        ),
        # Provinces 1..34, then communes as squares of 0.1° over Vietnam's box, round-robin.
        f"INSERT INTO {SCHEMA}.socioeconomic_adminunit (id, code, name_vi, name_en, kind, level,"
        " parent_id, valid_from, geom_source, synthetic, note, geom)"
        " SELECT p, 'P' || p, 'Tỉnh ' || p, 'Province ' || p, 'Tỉnh', 'province', NULL,"
        " '2025-07-01', 'synthetic', true, '', ST_Multi(ST_MakeEnvelope(102, 8, 110, 23, 4326))"
        f" FROM generate_series(1, {PROVINCES}) p",
        f"INSERT INTO {SCHEMA}.socioeconomic_adminunit (id, code, name_vi, name_en, kind, level,"
        " parent_id, valid_from, geom_source, synthetic, note, geom)"
        " SELECT 1000 + c, 'C' || c, 'Xã ' || c, 'Commune ' || c, 'Xã', 'commune',"
        f" 1 + c % {PROVINCES}, '2025-07-01', 'synthetic', true, '',"
        f" ST_Multi(ST_MakeEnvelope(102 + (c % {side}) * 0.1, 8 + (c / {side}) * 0.1,"
        f" 102.1 + (c % {side}) * 0.1, 8.1 + (c / {side}) * 0.1, 4326))"
        f" FROM generate_series(0, {communes - 1}) c",
        # Values of indicators 1..I: a per-indicator level × a per-commune scale × season.
        f"INSERT INTO {SCHEMA}.socioeconomic_value (id, indicator_id, period, unit_id,"
        " disaggregation, value, reported_at, synthetic)"
        " SELECT row_number() OVER (), i, m::date, 1000 + c, '',"
        " (10 + i) * (1 + (c % 97) / 97.0) * (1.2 + sin(extract(month FROM m))),"
        " m + interval '40 days', true"
        f" FROM generate_series(1, {indicators}) i,"
        f" generate_series('{start}'::date, '{END.start}'::date, interval '1 month') m,"
        f" generate_series(0, {communes - 1}) c",
        f"ALTER TABLE {SCHEMA}.socioeconomic_adminunit ADD PRIMARY KEY (id)",
        f"CREATE INDEX ON {SCHEMA}.socioeconomic_adminunit (parent_id)",
        f"CREATE INDEX ON {SCHEMA}.socioeconomic_adminunit USING gist (geom_3857)",
        f"CREATE UNIQUE INDEX ON {SCHEMA}.socioeconomic_value"
        " (indicator_id, period, unit_id, disaggregation)",
        *ROLLUP_INDEXES,
        f"ANALYZE {SCHEMA}.socioeconomic_adminunit",
    ]:
        _exec(stmt)
    return time.perf_counter() - t0


def _registry(indicators: int) -> list[Indicator]:
    """In-memory indicators 1..I: sums, with every tenth a weighted mean, every ninth a ratio."""
    made = [Indicator(pk=i, code=f"i{i}", aggregation="sum") for i in range(1, indicators + 1)]
    for ind in made:
        if ind.pk % 10 == 0:
            ind.aggregation, ind.weight = "weighted_mean", made[0]
        elif ind.pk % 9 == 0:
            ind.aggregation, ind.numerator, ind.denominator = "ratio", made[1], made[2]
    return made


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in milliseconds."""
    times = sorted(times)
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def timed(fn: Callable[[Any], Any], cases: list[Any]) -> tuple[float, float]:
    """p50 and p95 (ms) of fn over the cases, one call each."""
    times = []
    for case in cases:
        t0 = time.perf_counter()
        fn(case)
        times.append((time.perf_counter() - t0) * 1000)
    return percentiles(times)


def bench_analytics(indicators: int, runs: int) -> None:
    """Roll-ups over a year for a province by each rule, real against bare, values checked."""
    rng = np.random.default_rng(16)
    made = _registry(indicators)
    by_rule = {
        r: [i for i in made if i.aggregation == r] for r in ("sum", "weighted_mean", "ratio")
    }
    # One calendar year and its change against the year before: the bare SQL aggregates both
    # years; analytics.run also looks up the targets (a second, small roll-up).
    span = year(END.start.year - 1)
    per_year = "date_trunc('year', v.period)"

    def over_communes(join: str = "") -> str:
        return (
            f" FROM {SCHEMA}.socioeconomic_value v JOIN {SCHEMA}.socioeconomic_adminunit u"
            f" ON u.id = v.unit_id{join} WHERE u.parent_id = %(unit)s AND v.period >= %(start)s"
            " AND v.period < %(end)s AND v.disaggregation = ''"
        )

    bare = {
        "sum": f"SELECT v.indicator_id, {per_year}, sum(v.value){over_communes()}"
        " AND v.indicator_id = ANY(%(ids)s) GROUP BY 1, 2",
        # Σ value × weight ÷ Σ weight, the weight of the same unit and month.
        "weighted_mean": f"SELECT v.indicator_id, {per_year}, sum(v.value * w.value) / sum(w.value)"
        + over_communes(
            f" JOIN {SCHEMA}.socioeconomic_value w ON w.unit_id = v.unit_id"
            " AND w.period = v.period AND w.disaggregation = '' AND w.indicator_id = %(weight)s"
        )
        + " AND v.indicator_id = ANY(%(ids)s) GROUP BY 1, 2",
        # Σ numerator ÷ Σ denominator × factor.
        "ratio": f"SELECT {per_year}, sum(v.value) FILTER (WHERE v.indicator_id = %(num)s)"
        f" / sum(v.value) FILTER (WHERE v.indicator_id = %(den)s){over_communes()}"
        " AND v.indicator_id IN (%(num)s, %(den)s) GROUP BY 1",
    }
    answers: dict[str, list[float]] = {"bare": [], "real": []}

    def params(case: tuple[list[Indicator], int]) -> dict[str, Any]:
        first = case[0][0]
        return {
            "unit": case[1],
            "ids": [i.pk for i in case[0]],
            "start": span.previous().start,
            "end": span.end,
            "weight": first.weight.pk if first.weight else None,
            "num": first.numerator.pk if first.numerator else None,
            "den": first.denominator.pk if first.denominator else None,
        }

    def run_bare(case: tuple[list[Indicator], int]) -> None:
        rows = _exec(bare[case[0][0].aggregation], params(case))
        answers["bare"] += sorted(float(r[-1]) for r in rows)

    def run_real(case: tuple[list[Indicator], int]) -> None:
        unit = AdminUnit(pk=case[1], code=f"P{case[1]}")
        cells = analytics.run(analytics.Query(case[0], [span], [unit]))
        got = [x for c in cells if c.period == span.key for x in (c.value, c.previous)]
        answers["real"] += sorted(float(x) for x in got if x is not None)

    def pick(rule: str, n: int) -> list[Indicator]:
        pool = by_rule[rule]
        return [pool[i] for i in rng.choice(len(pool), min(n, len(pool)), replace=False)]

    for rule, label, n in [
        ("sum", "5 sum indicators", 5),
        ("weighted_mean", "3 weighted means", 3),
        ("ratio", "1 ratio", 1),
    ]:
        cases = [(pick(rule, n), int(rng.integers(1, PROVINCES + 1))) for _ in range(runs)]
        # One untimed pass of both first: each then reads the same warm pages (the first to
        # run would otherwise pay the disk reads for the other).
        for case in cases:
            run_bare(case)
            run_real(case)
        answers["bare"], answers["real"] = [], []
        b50, b95 = timed(run_bare, cases)
        r50, r95 = timed(run_real, cases)
        # The real roll-up answers what the bare SQL answers (same values, same order).
        assert np.allclose(answers["bare"], answers["real"], rtol=1e-9), rule
        print(
            f"{label} × a year × 1 province: bare SQL p50 {b50:.1f} ms p95 {b95:.1f} ms"
            f" | analytics.run p50 {r50:.1f} ms p95 {r95:.1f} ms"
            f" | ratio p50 {r50 / b50:.2f} p95 {r95 / b95:.2f}"
        )


def bench_tiles(months: int, runs: int) -> None:
    """Tiles of one indicator's map table (every period a column) against bare geometry."""
    cols = sql.SQL("").join(
        sql.SQL(", max(v.value) FILTER (WHERE v.period = {p}) AS {c}").format(
            p=sql.Literal(shift(END, -n).start), c=sql.Identifier(f"v_{shift(END, -n).key}")
        )
        for n in range(months)
    )
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SCHEMA}.ind_map")
        cur.execute(
            sql.SQL(
                "CREATE TABLE {s}.ind_map AS SELECT u.id, u.code, u.geom, u.geom_3857{cols}"
                " FROM {s}.socioeconomic_adminunit u JOIN {s}.socioeconomic_value v"
                " ON v.unit_id = u.id AND v.indicator_id = 1 GROUP BY u.id"
            )
            .format(s=sql.Identifier(SCHEMA), cols=cols)
            .as_string(cur.connection)
        )
        cur.execute(f"CREATE INDEX ON {SCHEMA}.ind_map USING gist (geom_3857)")
    print(f"map table of one indicator × {months} months: {time.perf_counter() - t0:.1f} s")
    rel = SqlRelation(sql.Identifier(SCHEMA, "ind_map"), "id", "geom", sql.Identifier("geom_3857"))
    fields = [
        FieldDef(name=f"v_{shift(END, -n).key}", type=FieldType.NUMBER) for n in range(months)
    ]
    tiles = [
        (z, x, y)
        for z in (6, 7)
        for x in range(50 << (z - 6), 52 << (z - 6))
        for y in range(28 << (z - 6), 31 << (z - 6))
    ]
    for label, flds in [("geometry only", []), (f"{months} period columns", fields)]:
        q = layer_mvt(LayerQuery("ind_map", rel, flds), 6)
        with connection.cursor() as cur:
            text = q.as_string(cur.connection)
            cur.execute("SET jit = off")
            t0 = time.perf_counter()
            size = 0
            for _ in range(max(1, runs // 10)):
                for z, x, y in tiles:
                    cur.execute(text, {"z": z, "x": x, "y": y})
                    size += len(cur.fetchone()[0])
            n = len(tiles) * max(1, runs // 10)
            dt = time.perf_counter() - t0
        print(
            f"choropleth tiles z6–7, {label}: {n / dt:.0f} tiles/s, {size / n / 1024:.1f} KB/tile"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--communes", type=int, default=3300)
    ap.add_argument("--indicators", type=int, default=200)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    spent = build(a.communes, a.indicators, a.months, a.rebuild)
    rows = a.communes * a.indicators * a.months
    print(
        f"{a.indicators} indicators × {a.months} months × {a.communes} communes = {rows:,} values"
        + (f", generated in {spent:.0f} s" if spent else " (kept)")
    )
    with connection.cursor() as cur:
        cur.execute(f"SET search_path = {SCHEMA}, public")
        cur.execute("SET jit = off")
    bench_analytics(a.indicators, a.queries)
    bench_tiles(a.months, a.queries)


if __name__ == "__main__":
    main()
