"""CQL2-JSON on GET and POST: the same tree and SQL as CQL2 text, checked against PostGIS."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from owslib.ogcapi.features import Features

from tests.clients.serverlog import ServerLog
from tests.ogc.helpers import served_ids, sql_ids

pytestmark = pytest.mark.django_db

PRIMARY_JSON: dict[str, Any] = {
    "op": "and",
    "args": [
        {"op": "=", "args": [{"property": "highway"}, "primary"]},
        {"op": ">=", "args": [{"property": "lanes"}, 2]},
    ],
}
PRIMARY_TEXT = "highway = 'primary' AND lanes >= 2"
PRIMARY_SQL = "SELECT id FROM layer_data.roads WHERE highway = 'primary' AND lanes >= 2"


def _post_ids(http: httpx.Client, layer: str, body: Any, **params: Any) -> set[int]:
    r = http.post(f"/ogc/collections/{layer}/items", json=body, params=params)
    assert r.status_code == 200, r.text
    features = r.json()["features"]
    return {f["id"] for f in features}


def test_cql2_json_on_get_means_what_the_text_means(http: httpx.Client) -> None:
    truth = sql_ids(PRIMARY_SQL)
    assert truth
    as_json = served_ids(
        http, "roads", filter=json.dumps(PRIMARY_JSON), **{"filter-lang": "cql2-json"}
    )
    assert as_json == served_ids(http, "roads", filter=PRIMARY_TEXT) == truth


@pytest.mark.parametrize(
    ("filter_", "sql", "params"),
    [
        (
            {"op": "like", "args": [{"property": "name"}, "Đường%"]},
            "SELECT id FROM layer_data.roads WHERE name LIKE %s",
            ["Đường%"],
        ),
        (
            {"op": "in", "args": [{"property": "highway"}, ["primary", "secondary"]]},
            "SELECT id FROM layer_data.roads WHERE highway IN ('primary', 'secondary')",
            None,
        ),
        (
            {"op": "between", "args": [{"property": "lanes"}, 2, 4]},
            "SELECT id FROM layer_data.roads WHERE lanes BETWEEN 2 AND 4",
            None,
        ),
        (
            {"op": "not", "args": [{"op": "isNull", "args": [{"property": "ref"}]}]},
            "SELECT id FROM layer_data.roads WHERE ref IS NOT NULL",
            None,
        ),
        (
            {
                "op": "s_intersects",
                "args": [{"property": "geometry"}, {"bbox": [108.43, 11.93, 108.45, 11.95]}],
            },
            "SELECT id FROM layer_data.roads"
            " WHERE ST_Intersects(geom, ST_MakeEnvelope(108.43, 11.93, 108.45, 11.95, 4326))",
            None,
        ),
        (
            {
                "op": "s_intersects",
                "args": [
                    {"property": "geometry"},
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[108.43, 11.93], [108.45, 11.93], [108.45, 11.95], [108.43, 11.93]]
                        ],
                    },
                ],
            },
            "SELECT id FROM layer_data.roads WHERE ST_Intersects(geom, ST_GeomFromText("
            "'POLYGON((108.43 11.93, 108.45 11.93, 108.45 11.95, 108.43 11.93))', 4326))",
            None,
        ),
        (
            {"op": "=", "args": [{"op": "casei", "args": [{"property": "highway"}]}, "primary"]},
            "SELECT id FROM layer_data.roads WHERE lower(highway) = 'primary'",
            None,
        ),
    ],
)
def test_post_search_with_a_bare_filter(
    http: httpx.Client, filter_: dict[str, Any], sql: str, params: list[Any] | None
) -> None:
    truth = sql_ids(sql, params)
    assert truth
    assert _post_ids(http, "roads", filter_, limit=10000) == truth


def test_post_search_object_pages_with_get_links(http: httpx.Client) -> None:
    truth = sql_ids(PRIMARY_SQL)
    body = {"filter": PRIMARY_JSON, "limit": 5, "sortby": ["+id"]}
    r = http.post("/ogc/collections/roads/items", json=body)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["numberMatched"] == len(truth) and page["numberReturned"] == 5
    seen = {f["id"] for f in page["features"]}
    url = next(link["href"] for link in page["links"] if link["rel"] == "next")
    while url:
        # The next page is a plain GET carrying the search as cql2-json.
        nxt = http.get(url).json()
        seen |= {f["id"] for f in nxt["features"]}
        url = next((link["href"] for link in nxt["links"] if link["rel"] == "next"), "")
    assert seen == truth


def test_owslib_posts_cql_json(live_url: str) -> None:
    """OWSLib's `collection_items(cql=…)` POSTs the filter; it used to get 405."""
    truth = sql_ids(PRIMARY_SQL)
    with ServerLog(live_url) as log:
        items = Features(f"{live_url}/ogc").collection_items("roads", cql=PRIMARY_JSON, limit=1000)
    assert {f["id"] for f in items["features"]} == truth
    assert [m for m, t, s in log.seen if "/roads/items" in t] == ["POST"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"op": "=", "args": [{"property": "nope"}, 1]}, "Unknown property 'nope'"),
        ({"op": "=", "args": [{"property": "lanes"}, "two"]}, "'lanes' is a number"),
        ({"op": "frobnicate", "args": []}, "Unknown or unsupported operator"),
        ({"op": "and", "args": [{"op": "="}]}, "at least 2 arguments"),
        ({"op": "in", "args": [{"property": "highway"}, "primary"]}, "non-empty array"),
    ],
)
def test_bad_cql2_json_is_a_json_400(http: httpx.Client, body: Any, needle: str) -> None:
    for r in (
        http.post("/ogc/collections/roads/items", json=body),
        http.get(
            "/ogc/collections/roads/items",
            params={"filter": json.dumps(body), "filter-lang": "cql2-json"},
        ),
    ):
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "invalid_filter" and needle in r.json()["message"]


def test_deep_or_broken_json_is_refused(http: httpx.Client) -> None:
    deep: Any = {"op": "=", "args": [{"property": "lanes"}, 1]}
    for _ in range(150):
        deep = {"op": "not", "args": [deep]}
    r = http.post("/ogc/collections/roads/items", json=deep)
    assert r.status_code == 400 and "deeper" in r.json()["message"]
    r = http.post(
        "/ogc/collections/roads/items",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["field"] == "body"


def test_conformance_and_openapi_declare_cql2_json(http: httpx.Client) -> None:
    conf = http.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json" in conf
    doc = http.get("/ogc/api").json()
    langs = doc["components"]["parameters"]["filter-lang"]["schema"]["enum"]
    assert {"cql2-text", "cql2-json", "cql-text"} <= set(langs)
    assert "post" in doc["paths"]["/collections/roads/items"]
