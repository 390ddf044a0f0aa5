"""Roll-ups of sums, weighted means and ratios against SQL written out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geo_ioc.socioeconomic import analytics
from geo_ioc.socioeconomic.periods import month, parse, shift
from tests.socioeconomic.conftest import TODAY

LAST = month(TODAY).previous()
QUARTER = parse("LAST_QUARTER", TODAY)[0]
YEAR = parse("LAST_YEAR", TODAY)[0]

pytestmark = pytest.mark.django_db


def _one(sql: str, params: list[object]) -> float:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return float(cur.fetchone()[0])


def _rows(sql: str, params: list[object]) -> list[Any]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


COMMUNES = "SELECT id FROM socioeconomic_adminunit WHERE valid_to IS NULL AND level = 'commune'"


def _cell(dx: str, pe: str, ou: str) -> analytics.Cell:
    cells = analytics.run(analytics.parse_query([dx], [pe], [ou], TODAY))
    assert len(cells) == 1, cells
    return cells[0]


def test_sum_of_a_flow_over_a_quarter(se_demo: dict[str, int]) -> None:
    truth = _one(
        "SELECT sum(value) FROM socioeconomic_value v JOIN socioeconomic_indicator i"
        " ON i.id = v.indicator_id WHERE i.code = 'retail_sales' AND v.disaggregation = ''"
        f" AND v.period >= %s AND v.period < %s AND v.unit_id IN ({COMMUNES})",
        [QUARTER.start, QUARTER.end],
    )
    cell = _cell("retail_sales", QUARTER.key, "68")
    assert cell.value == pytest.approx(truth)
    prev = _one(
        "SELECT sum(value) FROM socioeconomic_value v JOIN socioeconomic_indicator i"
        " ON i.id = v.indicator_id WHERE i.code = 'retail_sales' AND v.disaggregation = ''"
        " AND v.period >= %s AND v.period < %s",
        [QUARTER.previous().start, QUARTER.previous().end],
    )
    assert cell.change == pytest.approx((truth - prev) / prev * 100, abs=1e-3)


def test_stock_is_read_at_the_end_of_the_period(se_demo: dict[str, int]) -> None:
    truth = _one(
        "SELECT sum(value) FROM socioeconomic_value v JOIN socioeconomic_indicator i"
        " ON i.id = v.indicator_id WHERE i.code = 'population' AND v.period = %s"
        " AND v.disaggregation = ''",
        [shift(month(YEAR.end), -1).start],
    )
    assert _cell("population", YEAR.key, "68").value == pytest.approx(truth)


def test_weighted_mean(se_demo: dict[str, int]) -> None:
    truth = _one(
        "SELECT sum(r.value * w.value) / sum(w.value) FROM socioeconomic_value r"
        " JOIN socioeconomic_indicator ri ON ri.id = r.indicator_id"
        " AND ri.code = 'unemployment_rate'"
        " JOIN socioeconomic_indicator wi ON wi.code = 'labour_force'"
        " JOIN socioeconomic_value w ON w.indicator_id = wi.id AND w.unit_id = r.unit_id"
        "  AND w.period = r.period AND w.disaggregation = ''"
        " WHERE r.period >= %s AND r.period < %s AND r.disaggregation = ''",
        [YEAR.start, YEAR.end],
    )
    cell = _cell("unemployment_rate", YEAR.key, "68")
    assert cell.value == pytest.approx(truth)
    # The plain mean differs: the weighting is not a no-op on this data.
    plain = _one(
        "SELECT avg(r.value) FROM socioeconomic_value r JOIN socioeconomic_indicator i"
        " ON i.id = r.indicator_id WHERE i.code = 'unemployment_rate'"
        " AND r.period >= %s AND r.period < %s",
        [YEAR.start, YEAR.end],
    )
    assert abs(plain - truth) > 1e-6


def test_ratio_of_sums_and_target_attainment(se_demo: dict[str, int]) -> None:
    def total(table: str, code: str) -> float:
        dis = " AND v.disaggregation = ''" if table == "socioeconomic_value" else ""
        return _one(
            f"SELECT sum(v.value) FROM {table} v JOIN socioeconomic_indicator i"
            " ON i.id = v.indicator_id WHERE i.code = %s AND v.period = %s"
            " AND v.unit_id IN (SELECT id FROM socioeconomic_adminunit WHERE code LIKE '68.__')"
            + dis,
            [code, LAST.start],
        )

    # Đà Lạt's five wards are not one unit: query each and the province, check the province.
    value = total("socioeconomic_value", "dossiers_on_time") / total(
        "socioeconomic_value", "dossiers_received"
    )
    cells = analytics.run(
        analytics.parse_query(["on_time_rate"], [LAST.key], ["68.XH", "68.CL"], TODAY)
    )
    assert {c.unit for c in cells} == {"68.XH", "68.CL"}
    province = _cell("on_time_rate", LAST.key, "68")
    num = _one(
        "SELECT sum(v.value) FROM socioeconomic_value v JOIN socioeconomic_indicator i"
        " ON i.id = v.indicator_id WHERE i.code = 'dossiers_on_time' AND v.period = %s"
        " AND v.disaggregation = ''",
        [LAST.start],
    )
    den = _one(
        "SELECT sum(v.value) FROM socioeconomic_value v JOIN socioeconomic_indicator i"
        " ON i.id = v.indicator_id WHERE i.code = 'dossiers_received' AND v.period = %s"
        " AND v.disaggregation = ''",
        [LAST.start],
    )
    assert province.value == pytest.approx(num / den * 100)
    assert province.value != pytest.approx(value * 100)  # the province is more than Đà Lạt
    tnum = _one(
        "SELECT sum(t.value) FROM socioeconomic_target t JOIN socioeconomic_indicator i"
        " ON i.id = t.indicator_id WHERE i.code = 'dossiers_on_time' AND t.period = %s",
        [LAST.start],
    )
    tden = _one(
        "SELECT sum(t.value) FROM socioeconomic_target t JOIN socioeconomic_indicator i"
        " ON i.id = t.indicator_id WHERE i.code = 'dossiers_received' AND t.period = %s",
        [LAST.start],
    )
    assert province.target == pytest.approx(tnum / tden * 100)
    assert province.attainment == pytest.approx(province.value / province.target * 100, abs=1e-3)


def test_lower_is_better_inverts_attainment(se_demo: dict[str, int]) -> None:
    cell = _cell("traffic_accidents", LAST.key, "68")
    assert cell.value and cell.target
    assert cell.attainment == pytest.approx(cell.target / cell.value * 100, abs=1e-3)


def test_relative_periods_and_levels(se_demo: dict[str, int]) -> None:
    query = analytics.parse_query(["retail_sales"], ["LAST_12_MONTHS"], ["68"], TODAY, "commune")
    assert [p.key for p in query.periods][0] == shift(LAST, -11).key
    assert [p.key for p in query.periods][-1] == LAST.key
    assert len(query.units) == 38 and all(u.level == "commune" for u in query.units)


def test_weighted_mean_of_every_commune_against_sql(se_demo: dict[str, int]) -> None:
    truth = dict(
        _rows(
            "SELECT u.code, sum(r.value * w.value) / sum(w.value) FROM socioeconomic_value r"
            " JOIN socioeconomic_indicator ri ON ri.id = r.indicator_id"
            " AND ri.code = 'unemployment_rate'"
            " JOIN socioeconomic_indicator wi ON wi.code = 'labour_force'"
            " JOIN socioeconomic_value w ON w.indicator_id = wi.id AND w.unit_id = r.unit_id"
            "  AND w.period = r.period AND w.disaggregation = ''"
            " JOIN socioeconomic_adminunit u ON u.id = r.unit_id"
            " WHERE r.period >= %s AND r.period < %s AND r.disaggregation = '' GROUP BY 1",
            [QUARTER.start, QUARTER.end],
        )
    )
    query = analytics.parse_query(["unemployment_rate"], [QUARTER.key], ["68"], TODAY, "commune")
    got = {c.unit: c.value for c in analytics.run(query)}
    assert len(got) == 38 and got.keys() == truth.keys()
    for code, value in truth.items():
        assert got[code] == pytest.approx(value), code


def test_rollup_probes_the_unit_index_and_never_scans_values(se_demo: dict[str, int]) -> None:
    """The plan of a mixed query: index ranges per (unit, indicator), no scan of the table."""
    _rows("ANALYZE socioeconomic_value", [])  # as autovacuum would have after the demo's load
    query = analytics.parse_query(
        ["unemployment_rate", "on_time_rate", "retail_sales"], ["LAST_12_MONTHS"], ["68"], TODAY
    )
    with CaptureQueriesContext(connection) as ctx:
        analytics.run(query)
    rollups = [q["sql"] for q in ctx.captured_queries if "WITH RECURSIVE tree" in q["sql"]]
    assert len(rollups) == 2  # values, then targets
    plan = _rows("EXPLAIN (FORMAT JSON) " + rollups[0], [])[0][0]
    reads = {
        (n["Node Type"], n.get("Index Name"))
        for n in _nodes(plan[0]["Plan"])
        if n.get("Relation Name") == "socioeconomic_value"
    }
    assert reads and all(index == "se_value_unit_ind_period" for _, index in reads), reads


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]
