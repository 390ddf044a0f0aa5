"""OGC API Features over real HTTP: documents, paging, bbox, datetime, sortby, properties, CRS."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test import Client
from openapi_spec_validator import validate
from pyproj import Transformer

from layers import catalogue
from layers.models import Layer
from tests.conftest import Users
from tests.ogc.helpers import auth, served_ids, sql_ids

pytestmark = pytest.mark.django_db

EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def test_landing_conformance_and_openapi(http: httpx.Client) -> None:
    landing = http.get("/ogc")
    assert landing.status_code == 200
    rels = {link["rel"]: link for link in landing.json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    conf = http.get("/ogc/conformance").json()["conformsTo"]
    for part in (
        "ogcapi-features-1/1.0/conf/core",
        "ogcapi-features-2/1.0/conf/crs",
        "ogcapi-features-3/1.0/conf/filter",
        "cql2/1.0/conf/cql2-text",
    ):
        assert any(c.endswith(part) for c in conf), part
    api = http.get(rels["service-desc"]["href"])
    assert api.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    doc = api.json()
    validate(doc)  # a valid OpenAPI 3.0 document
    assert "roads" in doc["components"]["parameters"]["collectionId"]["schema"]["enum"]
    assert "cameras" not in doc["components"]["parameters"]["collectionId"]["schema"]["enum"]


def test_collections_follow_the_catalogue_and_access(http: httpx.Client, users: Users) -> None:
    anonymous = {c["id"] for c in http.get("/ogc/collections").json()["collections"]}
    public = set(Layer.objects.filter(access_level="public").values_list("slug", flat=True))
    assert anonymous == public
    planner = {
        c["id"]
        for c in http.get("/ogc/collections", headers=auth(users.planner)).json()["collections"]
    }
    assert "incidents" in planner and "cameras" not in planner
    admin = http.get("/ogc/collections", headers=auth(users.admin)).json()
    assert {c["id"] for c in admin["collections"]} == set(
        Layer.objects.values_list("slug", flat=True)
    )
    assert http.get("/ogc/collections/cameras").status_code == 401
    assert http.get("/ogc/collections/cameras/items").status_code == 401
    assert http.get("/ogc/collections/cameras/items/1").status_code == 401
    assert http.get("/ogc/collections/cameras", headers=auth(users.planner)).status_code == 403
    assert http.get("/ogc/collections/nope").status_code == 404


def test_collection_document(http: httpx.Client, users: Users) -> None:
    roads = http.get("/ogc/collections/roads").json()
    layer = Layer.objects.get(slug="roads")
    assert roads["id"] == "roads" and roads["title"] == layer.title_vi
    assert roads["itemType"] == "feature" and roads["storageCrs"] == CRS84
    assert EPSG.format(5899) in roads["crs"] and EPSG.format(9218) in roads["crs"]
    assert roads["extent"]["spatial"]["bbox"] == [layer.extent]
    assert "temporal" not in roads["extent"]
    rels = {link["rel"] for link in roads["links"]}
    assert {
        "self",
        "items",
        "describedby",
        "http://www.opengis.net/def/rel/ogc/1.0/queryables",
    } <= rels
    incidents = http.get("/ogc/collections/incidents", headers=auth(users.planner)).json()
    lo, hi = incidents["extent"]["temporal"]["interval"][0]
    assert lo < hi
    q = http.get("/ogc/collections/roads/queryables")
    assert q.headers["content-type"] == "application/schema+json"
    props = q.json()["properties"]
    assert props["lanes"]["type"] == "integer" and props["name"]["type"] == "string"
    assert props["geometry"]["format"] == "geometry-linestring"


def test_collections_document_does_not_grow_queries(django_assert_max_num_queries) -> None:
    client = Client()
    with django_assert_max_num_queries(8):
        r = client.get("/ogc/collections")
    assert r.status_code == 200 and len(r.json()["collections"]) >= 10


def test_paging_walks_every_feature_once(http: httpx.Client) -> None:
    total = Layer.objects.get(slug="poi_tourism").feature_count
    url: str | None = "/ogc/collections/poi_tourism/items?limit=5"
    seen: list[int] = []
    pages = 0
    while url:
        r = http.get(url)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/geo+json"
        body = r.json()
        assert body["numberMatched"] == total
        assert body["numberReturned"] == len(body["features"]) <= 5
        links = {link["rel"]: link["href"] for link in body["links"]}
        assert ("prev" in links) == (pages > 0)
        seen += [f["id"] for f in body["features"]]
        url = links.get("next")
        pages += 1
    assert len(seen) == len(set(seen)) == total and pages == -(-total // 5)
    assert sorted(seen) == seen  # default order is by id
    r = http.get("/ogc/collections/poi_tourism/items", params={"limit": 5, "offset": 10}).json()
    prev = {link["rel"]: link["href"] for link in r["links"]}["prev"]
    assert "offset=5" in prev


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "108.5,11.9,108.4,12.0,"}, "bbox"),
        ({"bbox": "108.4,12.0,108.5,11.9"}, "bbox"),
        ({"bbox": "10,108,12,109"}, "bbox"),  # lat/lon given as lon/lat: latitude 108
        ({"crs": "EPSG:2000"}, "crs"),
        (
            {"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/32648", "bbox": "1,2,3,4"},
            "bbox-crs",
        ),
        ({"sortby": "+geometry"}, "sortby"),
        ({"sortby": "colour"}, "sortby"),
        ({"properties": "name,colour"}, "properties"),
        ({"datetime": "2025-01-01"}, "datetime"),  # roads have no time field
        ({"f": "html"}, "f"),
    ],
)
def test_bad_parameters_are_400_with_the_field(
    http: httpx.Client, params: dict, field: str
) -> None:
    r = http.get("/ogc/collections/roads/items", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_limit_above_maximum_is_capped(settings) -> None:
    settings.GEO_IOC_OGC_LIMIT_MAX = 7
    body = Client().get("/ogc/collections/roads/items", {"limit": 10**9}).json()
    assert body["numberReturned"] == 7 and body["numberMatched"] == 2844
    nxt = {link["rel"]: link["href"] for link in body["links"]}["next"]
    assert "limit=7" in nxt and "offset=7" in nxt


def test_bbox_in_crs84_epsg4326_and_vn2000(http: httpx.Client) -> None:
    box = (108.43, 11.93, 108.45, 11.95)
    truth = sql_ids(
        "SELECT id FROM layer_data.buildings WHERE ST_Intersects(geom,"
        " ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
        list(box),
    )
    assert 10 < len(truth) < 2000
    assert served_ids(http, "buildings", bbox=",".join(map(str, box))) == truth
    latlon = f"{box[1]},{box[0]},{box[3]},{box[2]}"
    assert served_ids(http, "buildings", bbox=latlon, **{"bbox-crs": EPSG.format(4326)}) == truth
    # The same box in VN-2000 / TM-3 107°45′: corners transformed by PROJ, densified edges.
    to_tm3 = Transformer.from_crs(4326, 5899, always_xy=True)
    x0, y0 = to_tm3.transform(box[0], box[1])
    x1, y1 = to_tm3.transform(box[2], box[3])
    tm3_truth = sql_ids(
        "SELECT id FROM layer_data.buildings WHERE ST_Intersects(geom, ST_Transform("
        "ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, 5899), 50), 4326))",
        [x0, y0, x1, y1],
    )
    served = served_ids(
        http, "buildings", bbox=f"{x0},{y0},{x1},{y1}", **{"bbox-crs": EPSG.format(5899)}
    )
    assert served == tm3_truth and len(served ^ truth) < len(truth) * 0.05


def test_datetime_instant_and_intervals(http: httpx.Client, users: Users) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT reported_at FROM operations_incident ORDER BY reported_at")
        stamps = [r[0] for r in cur.fetchall()]
    mid = stamps[len(stamps) // 2]
    lo, hi = mid - timedelta(days=1), mid + timedelta(days=1)

    def ids(where: str, params: list) -> set[int]:
        return sql_ids(f"SELECT id FROM operations_incident WHERE {where}", params)

    cases = {
        mid.isoformat(): ids("reported_at = %s", [mid]),
        f"{lo.isoformat()}/{hi.isoformat()}": ids("reported_at BETWEEN %s AND %s", [lo, hi]),
        f"../{mid.isoformat()}": ids("reported_at <= %s", [mid]),
        f"{mid.isoformat()}/..": ids("reported_at >= %s", [mid]),
        f"/{mid.isoformat()}": ids("reported_at <= %s", [mid]),
    }
    for value, truth in cases.items():
        assert truth, value
        assert served_ids(http, "incidents", users.planner, datetime=value) == truth, value
    day = mid.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).date()
    day_truth = ids("(reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = %s", [day])
    assert served_ids(http, "incidents", users.planner, datetime=day.isoformat()) == day_truth
    r = http.get(
        "/ogc/collections/incidents/items",
        params={"datetime": f"{hi.isoformat()}/{lo.isoformat()}"},
        headers=auth(users.planner),
    )
    assert r.status_code == 400 and r.json()["field"] == "datetime"


def test_sortby_and_properties(http: httpx.Client) -> None:
    body = http.get(
        "/ogc/collections/roads/items",
        params={"sortby": "-lanes,+name", "properties": "name,lanes", "limit": 50},
    ).json()
    lanes = [f["properties"]["lanes"] for f in body["features"]]
    assert lanes == sorted(lanes, reverse=True) and lanes[0] is not None
    assert all(set(f["properties"]) == {"name", "lanes"} for f in body["features"])
    with connection.cursor() as cur:
        cur.execute("SELECT max(lanes) FROM layer_data.roads")
        assert lanes[0] == cur.fetchone()[0]


def test_one_item_and_wrong_ids(http: httpx.Client) -> None:
    r = http.get("/ogc/collections/roads/items/3")
    assert r.status_code == 200 and r.json()["id"] == 3
    assert r.json()["properties"]["name"] == "Hồ Tùng Mậu"  # Vietnamese text as is
    for bad in ("abc", "99999999", "1.5", "99999999999999999999999"):
        r = http.get(f"/ogc/collections/roads/items/{bad}")
        assert r.status_code == 404, bad
        assert r.json()["code"] == "not_found"


def test_crs_axis_order_and_content_crs(http: httpx.Client) -> None:
    """CRS84 is lon/lat, EPSG:4326 and EPSG:4756 lat/lon, projected CRSs east/north."""
    default = http.get("/ogc/collections/poi_tourism/items/1")
    assert default.headers["content-crs"] == f"<{CRS84}>"
    lon, lat = default.json()["geometry"]["coordinates"]
    assert 108 < lon < 109 and 11 < lat < 13
    r4326 = http.get("/ogc/collections/poi_tourism/items/1", params={"crs": EPSG.format(4326)})
    assert r4326.headers["content-crs"] == f"<{EPSG.format(4326)}>"
    assert r4326.json()["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-8)
    for code in (4756, 5899, 3405, 3406, 9218):
        r = http.get("/ogc/collections/poi_tourism/items/1", params={"crs": EPSG.format(code)})
        assert r.status_code == 200 and r.headers["content-crs"] == f"<{EPSG.format(code)}>"
        got = r.json()["geometry"]["coordinates"]
        assert "crs" not in r.json()["geometry"]
        # pyproj with its authority axis order is the independent check, to the millimetre.
        expected = Transformer.from_crs(4326, code).transform(lat, lon)
        tolerance = 1e-8 if code == 4756 else 0.001
        assert got == pytest.approx(list(expected), abs=tolerance), code
    page = http.get("/ogc/collections/roads/items", params={"crs": EPSG.format(5899), "limit": 3})
    assert page.headers["content-crs"] == f"<{EPSG.format(5899)}>"
    x, y = page.json()["features"][0]["geometry"]["coordinates"][0]
    assert 500_000 < x < 700_000 and 1_200_000 < y < 1_400_000


def test_restricted_field_is_invisible(users: Users) -> None:
    """A field marked restricted disappears from items, queryables, filters and sortby."""
    layer = Layer.objects.get(slug="poi_health")
    fields = [
        {**f, "access": "restricted"} if f["name"] == "opening_hours" else f for f in layer.fields
    ]
    Layer.objects.filter(pk=layer.pk).update(fields=fields)  # rolled back after the test
    catalogue.changed()  # `update` sends no signal; the change feed tells other processes
    client = Client()
    anon = client.get("/ogc/collections/poi_health/items", {"limit": 100}).json()
    assert all("opening_hours" not in f["properties"] for f in anon["features"])
    assert (
        "opening_hours"
        not in client.get("/ogc/collections/poi_health/queryables").json()["properties"]
    )
    for params in (
        {"filter": "opening_hours IS NULL"},
        {"sortby": "opening_hours"},
        {"properties": "opening_hours"},
        {"opening_hours": "x"},
    ):
        r = client.get("/ogc/collections/poi_health/items", params)
        assert r.status_code == 400, params
    admin = client.get(
        "/ogc/collections/poi_health/items",
        {"limit": 100, "filter": "opening_hours IS NULL OR opening_hours IS NOT NULL"},
        HTTP_AUTHORIZATION=f"Token {users.admin}",
    ).json()
    assert all("opening_hours" in f["properties"] for f in admin["features"])
    assert admin["numberMatched"] == layer.feature_count
