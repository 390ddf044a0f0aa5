"""CQL2 filters over real HTTP, compared with hand-written SQL; injection attempts are 400s."""

from __future__ import annotations

import httpx
import pytest
from django.db import connection

from tests.conftest import Users
from tests.ogc.helpers import auth, served_ids, sql_ids

pytestmark = pytest.mark.django_db

ROADS = "layer_data.roads"
# A point in the middle of Đà Lạt (Hồ Xuân Hương lake) and a box around the centre.
LON, LAT = 108.4419, 11.9404
BOX = (108.43, 11.93, 108.45, 11.95)
BOX_WKT = "POLYGON((108.43 11.93, 108.45 11.93, 108.45 11.95, 108.43 11.95, 108.43 11.93))"
ENV = "ST_MakeEnvelope(108.43, 11.93, 108.45, 11.95, 4326)"

CASES = [
    ("highway = 'primary'", f"SELECT id FROM {ROADS} WHERE highway = 'primary'"),
    ("highway <> 'primary'", f"SELECT id FROM {ROADS} WHERE highway <> 'primary'"),
    ("lanes > 2", f"SELECT id FROM {ROADS} WHERE lanes > 2"),
    ("lanes >= 2", f"SELECT id FROM {ROADS} WHERE lanes >= 2"),
    ("lanes < 2", f"SELECT id FROM {ROADS} WHERE lanes < 2"),
    ("2 >= lanes", f"SELECT id FROM {ROADS} WHERE lanes <= 2"),
    ("maxspeed <= 40.5", f"SELECT id FROM {ROADS} WHERE maxspeed <= 40.5"),
    ("id = 7", f"SELECT id FROM {ROADS} WHERE id = 7"),
    (
        "highway = 'primary' AND lanes >= 2",
        f"SELECT id FROM {ROADS} WHERE highway = 'primary' AND lanes >= 2",
    ),
    (
        "highway = 'primary' OR highway = 'trunk'",
        f"SELECT id FROM {ROADS} WHERE highway IN ('primary', 'trunk')",
    ),
    ("NOT (highway = 'residential')", f"SELECT id FROM {ROADS} WHERE NOT highway = 'residential'"),
    ("name LIKE 'Hồ%'", f"SELECT id FROM {ROADS} WHERE name LIKE 'Hồ%'"),
    ("name LIKE '_ồ%'", f"SELECT id FROM {ROADS} WHERE name LIKE '_ồ%'"),
    ("name NOT LIKE '%Đường%'", f"SELECT id FROM {ROADS} WHERE name NOT LIKE '%Đường%'"),
    ("CASEI(name) LIKE CASEI('hồ%')", f"SELECT id FROM {ROADS} WHERE lower(name) LIKE 'hồ%'"),
    ("lanes BETWEEN 2 AND 3", f"SELECT id FROM {ROADS} WHERE lanes BETWEEN 2 AND 3"),
    ("lanes NOT BETWEEN 2 AND 3", f"SELECT id FROM {ROADS} WHERE lanes NOT BETWEEN 2 AND 3"),
    (
        "highway IN ('primary', 'secondary', 'tertiary')",
        f"SELECT id FROM {ROADS} WHERE highway IN ('primary', 'secondary', 'tertiary')",
    ),
    ("highway NOT IN ('residential')", f"SELECT id FROM {ROADS} WHERE highway <> 'residential'"),
    ("ref IS NULL", f"SELECT id FROM {ROADS} WHERE ref IS NULL"),
    ("ref IS NOT NULL", f"SELECT id FROM {ROADS} WHERE ref IS NOT NULL"),
    ("FALSE", f"SELECT id FROM {ROADS} WHERE false"),
    (
        f"S_INTERSECTS(geometry, {BOX_WKT})",
        f"SELECT id FROM {ROADS} WHERE ST_Intersects(geom, {ENV})",
    ),
    (
        f"S_INTERSECTS(geometry, BBOX({', '.join(map(str, BOX))}))",
        f"SELECT id FROM {ROADS} WHERE ST_Intersects(geom, {ENV})",
    ),
    (f"S_WITHIN(geometry, {BOX_WKT})", f"SELECT id FROM {ROADS} WHERE ST_Within(geom, {ENV})"),
    (f"S_DISJOINT(geom, {BOX_WKT})", f"SELECT id FROM {ROADS} WHERE ST_Disjoint(geom, {ENV})"),
    (
        f"S_DWITHIN(geometry, POINT({LON} {LAT}), 500)",
        f"SELECT id FROM {ROADS} WHERE ST_DWithin(geom::geography,"
        f" ST_SetSRID(ST_MakePoint({LON}, {LAT}), 4326)::geography, 500)",
    ),
    (
        f"S_DWITHIN(geometry, POINT({LON} {LAT}), 0.5, kilometers) AND highway = 'residential'",
        f"SELECT id FROM {ROADS} WHERE ST_DWithin(geom::geography,"
        f" ST_SetSRID(ST_MakePoint({LON}, {LAT}), 4326)::geography, 500)"
        " AND highway = 'residential'",
    ),
]


@pytest.mark.parametrize(("cql", "truth"), CASES, ids=[c[0][:50] for c in CASES])
def test_filter_matches_sql(http: httpx.Client, cql: str, truth: str) -> None:
    expected = sql_ids(truth)
    assert served_ids(http, "roads", filter=cql) == expected


def test_filters_select_something_and_not_everything() -> None:
    """Guard against a vacuous suite: most truths are neither empty nor the whole layer."""
    total = sql_ids(f"SELECT id FROM {ROADS}")
    sizes = [len(sql_ids(truth)) for _, truth in CASES]
    assert sum(1 for n in sizes if 0 < n < len(total)) >= len(CASES) - 3


def test_s_contains_on_polygons(http: httpx.Client) -> None:
    pt = f"ST_SetSRID(ST_MakePoint({LON}, {LAT} + 0.005), 4326)"
    truth = sql_ids(f"SELECT id FROM layer_data.land_use WHERE ST_Contains(geom, {pt})")
    assert len(truth) == 1
    served = served_ids(
        http, "land_use", filter=f"S_CONTAINS(geometry, POINT({LON} {LAT + 0.005}))"
    )
    assert served == truth


def test_filter_crs_axis_order_and_projected(http: httpx.Client) -> None:
    """filter-crs EPSG:4326 means lat/lon WKT; a VN-2000 TM-3 polygon selects the same roads."""
    lonlat = served_ids(http, "roads", filter=f"S_INTERSECTS(geometry, {BOX_WKT})")
    flipped = "POLYGON((11.93 108.43, 11.93 108.45, 11.95 108.45, 11.95 108.43, 11.93 108.43))"
    latlon = served_ids(
        http,
        "roads",
        filter=f"S_INTERSECTS(geometry, {flipped})",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    )
    assert latlon == lonlat
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_AsText(ST_Transform(ST_Segmentize({ENV}, 0.0005), 5899))")
        tm3 = cur.fetchone()[0]
    projected = served_ids(
        http,
        "roads",
        filter=f"S_INTERSECTS(geometry, {tm3})",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/5899"},
    )
    # The densified, reprojected box is not exactly the lon/lat box: equal up to its edges.
    assert len(projected ^ lonlat) <= 2 and len(projected) > 50


def test_property_equality_parameters(http: httpx.Client) -> None:
    truth = sql_ids(f"SELECT id FROM {ROADS} WHERE highway = 'secondary' AND lanes = 2")
    assert truth and served_ids(http, "roads", highway="secondary", lanes=2) == truth
    r = http.get("/ogc/collections/roads/items", params={"lanes": "two"})
    assert r.status_code == 400 and r.json()["field"] == "lanes"
    r = http.get("/ogc/collections/roads/items", params={"colour": "red"})
    assert r.status_code == 400 and "colour" in r.json()["message"]


def _fingerprint() -> tuple[int, str, int]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*), md5(string_agg(id::text || coalesce(name, ''), ',' ORDER BY id))"
            f" FROM {ROADS}"
        )
        count, digest = cur.fetchone()
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname NOT LIKE 'pg_%'")
        tables = cur.fetchone()[0]
    return int(count), str(digest), int(tables)


INJECTIONS = [
    "name = 'x'; DROP TABLE layer_data.roads",
    "name = 'x'); DELETE FROM layer_data.roads; --",
    "name = 'x' OR 1=1 --",
    "1=1; UPDATE layer_data.roads SET name = 'pwned'",
    "id = 1 UNION SELECT id FROM auth_user",
    '"name""; DROP TABLE x; --" = \'a\'',
    "\"name; DROP TABLE x\" = 'a'",
    "roads.name = 'x'",
    "layer_data.roads.id = 1",
    "password = 'x'",
    "pg_sleep(5) = 1",
    "name = pg_read_file('/etc/passwd')",
    "name = 1",
    "lanes = 'abc'",
    "lanes > '1; DROP TABLE x'",
    "S_INTERSECTS(geometry, POINT(1 2); DROP TABLE x)",
    "S_INTERSECTS(name, POINT(1 2))",
    "geom = 'POINT(1 2)'",
    "name LIKE lanes",
    "name = 'x' /* comment */",
    "name = $$x$$",
    "name = E'\\x27'",
]


@pytest.mark.parametrize("cql", INJECTIONS)
def test_injection_attempts_are_400_and_change_nothing(http: httpx.Client, cql: str) -> None:
    before = _fingerprint()
    r = http.get("/ogc/collections/roads/items", params={"filter": cql})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "invalid_filter" and body["field"] == "filter"
    assert isinstance(body["position"], int) and 1 <= body["position"] <= len(cql) + 1
    assert "position" in body["message"]
    assert _fingerprint() == before


def test_quotes_inside_a_value_are_data(http: httpx.Client) -> None:
    """A well-formed literal full of SQL is just a string that matches nothing."""
    before = _fingerprint()
    for cql in ("name = 'x'' OR ''1''=''1'", "name = 'x''; DROP TABLE layer_data.roads; --'"):
        r = http.get("/ogc/collections/roads/items", params={"filter": cql})
        assert r.status_code == 200, r.text
        assert r.json()["numberMatched"] == 0
    assert _fingerprint() == before
    name = "Hồ Tùng Mậu"
    truth = sql_ids(f"SELECT id FROM {ROADS} WHERE name = %s", [name])
    assert truth and served_ids(http, "roads", filter=f"name = '{name}'") == truth


def test_restricted_fields_are_unknown_to_filters(http: httpx.Client, users: Users) -> None:
    """`incidents` is staff-only: anonymous filters cannot probe it; staff filters work."""
    r = http.get("/ogc/collections/incidents/items", params={"filter": "severity = 4"})
    assert r.status_code == 401
    truth = sql_ids("SELECT id FROM operations_incident WHERE severity = 4")
    assert served_ids(http, "incidents", users.planner, filter="severity = 4") == truth


def test_filter_lang_other_than_cql2_is_refused(http: httpx.Client) -> None:
    r = http.get(
        "/ogc/collections/roads/items",
        params={"filter": "<Filter/>", "filter-lang": "fes"},
        headers=auth(None),
    )
    assert r.status_code == 400 and r.json()["field"] == "filter-lang"
