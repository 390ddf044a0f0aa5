"""The ASGI tile fast path answers exactly as the Django view, and leaves everything else to it.

Two live servers over the same test database: the usual one (fast path on) and one with
GEO_IOC_TILE_FASTPATH=0, where every tile goes through the view. Their raw answers — status,
headers in order, body bytes — must be the same; only the Date header differs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import mapbox_vector_tile
import pytest

from geo_ioc.sensors.models import Station
from layers.models import Layer
from tests.conftest import Users, running_server
from tests.helpers import own_connection
from tests.tiles.truth import busy_tile
from tiles.tms import lonlat_to_tile

pytestmark = pytest.mark.django_db
Raw = tuple[int, list[tuple[bytes, bytes]], bytes]


@pytest.fixture(scope="module")
def view_http(live_url: str) -> Iterator[httpx.Client]:
    """A client of a second server whose tiles all go through the Django view."""
    with (
        running_server("server-no-fastpath.log", GEO_IOC_TILE_FASTPATH="0") as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def raw(client: httpx.Client, url: str, headers: dict[str, str]) -> Raw:
    """Status, headers (in order, without Date) and the undecoded body."""
    with client.stream("GET", url, headers=headers) as r:
        body = b"".join(r.iter_raw())
        return r.status_code, [h for h in r.headers.raw if h[0].lower() != b"date"], body


def header(answer: Raw, name: str) -> str:
    return next(v.decode() for k, v in answer[1] if k.decode().lower() == name)


def tile_urls() -> dict[str, str]:
    roads = busy_tile(Layer.objects.get(slug="roads"), 14)
    poi = busy_tile(Layer.objects.get(slug="buildings"), 15)
    sea = lonlat_to_tile(0.0, 0.0, 14)
    return {
        "one layer": f"/tiles/roads/{roads.z}/{roads.x}/{roads.y}.mvt",
        "composite": f"/tiles/roads,buildings,poi_tourism/{poi.z}/{poi.x}/{poi.y}.mvt",
        "empty": f"/tiles/roads/{sea.z}/{sea.x}/{sea.y}.mvt",
    }


@pytest.mark.parametrize("encoding", ["gzip", "identity", "gzip;q=0"])
def test_hits_and_misses_are_the_views_bytes(
    http: httpx.Client, view_http: httpx.Client, encoding: str
) -> None:
    accept = {"Accept-Encoding": encoding}
    for name, url in tile_urls().items():
        for _ in range(2):  # a miss, then a hit, on each server
            fast, view = raw(http, url, accept), raw(view_http, url, accept)
            assert fast == view, name
        if name == "empty":
            assert fast[0] == 204 and fast[2] == b""
            continue
        assert fast[0] == 200 and header(fast, "x-tile-cache") == "hit"
        assert header(fast, "etag").endswith('-gzip"' if encoding == "gzip" else '-identity"')
        tagged = {**accept, "If-None-Match": header(fast, "etag")}
        fast_304, view_304 = raw(http, url, tagged), raw(view_http, url, tagged)
        assert fast_304 == view_304 and fast_304[0] == 304 and fast_304[2] == b""


def test_bad_addresses_get_the_views_json_errors(
    http: httpx.Client, view_http: httpx.Client
) -> None:
    for url, field in [
        ("/tiles/roads/23/0/0.mvt", "z"),
        ("/tiles/roads/3/8/0.mvt", "x"),
        ("/tiles/roads/3/0/99999999.mvt", "y"),
        ("/tiles/roads/a/0/0.mvt", "z"),
    ]:
        fast, view = raw(http, url, {}), raw(view_http, url, {})
        assert fast == view and fast[0] == 400, url
        assert http.get(url).json()["field"] == field


def test_staff_layers_and_credentials_fall_through(http: httpx.Client, users: Users) -> None:
    tile = lonlat_to_tile(108.4419, 11.9404, 14)
    for layers in ("incidents", "roads,incidents"):
        r = http.get(f"/tiles/{layers}/14/{tile.x}/{tile.y}.mvt")
        assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
        assert r.headers["www-authenticate"].startswith("Token")
    url = tile_urls()["one layer"]
    http.get(url)
    assert http.get(url).headers["cache-control"].startswith("public")
    # Django answers these: a token user's copy is private, an unknown session cookie is deleted.
    token = http.get(url, headers={"Authorization": f"Token {users.planner}"})
    assert token.status_code == 200 and token.headers["cache-control"].startswith("private")
    bad = http.get(url, headers={"Authorization": "Token not-a-token"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_token"
    cookie = http.get(url, headers={"Cookie": "sessionid=not-a-session"})
    assert cookie.status_code == 200 and "sessionid=" in cookie.headers["set-cookie"]


STATION_STATE = "last_reading_at, stale, aqi, aqi_band, aqi_dominant, aqi_hour"


@pytest.fixture
def station() -> Iterator[Station]:
    """A station whose state, readings and events the test's committed reading changes: restored."""
    found = Station.objects.get(code="AQ-01")
    with own_connection() as conn:
        state = conn.execute(
            f"SELECT {STATION_STATE} FROM sensors_station WHERE id = %s", [found.pk]
        ).fetchone()
        seq = conn.execute("SELECT coalesce(max(seq), 0) FROM core_event").fetchone()
        readings = conn.execute("SELECT coalesce(max(id), 0) FROM sensors_reading").fetchone()
    assert state is not None and seq is not None and readings is not None
    yield found
    with own_connection() as conn:
        conn.execute("DELETE FROM sensors_reading WHERE id > %s", [readings[0]])
        conn.execute("DELETE FROM core_event WHERE seq > %s", [seq[0]])
        conn.execute(
            "UPDATE sensors_station SET (last_reading_at, stale, aqi, aqi_band, aqi_dominant,"
            " aqi_hour) = (%s, %s, %s, %s, %s, %s) WHERE id = %s",
            [*state, found.pk],
        )


def _stations(body: bytes) -> dict[str, dict[str, object]]:
    decoded = mapbox_vector_tile.decode(body) if body else {}
    features = decoded.get("env_stations", {}).get("features", [])
    return {f["properties"]["code"]: f["properties"] for f in features}


def test_a_change_to_a_public_layer_is_never_served_stale(
    http: httpx.Client, users: Users, station: Station
) -> None:
    """A new reading changes env_stations: once invalidated, the old tile never comes back."""
    tile = lonlat_to_tile(station.geom.x, station.geom.y, 14)
    url = f"/tiles/env_stations/14/{tile.x}/{tile.y}.mvt"
    http.get(url)
    before = http.get(url)
    assert before.headers["x-tile-cache"] == "hit" and "AQ-01" in _stations(before.content)
    when = datetime.now(UTC).replace(microsecond=0)
    reading = {"station": "AQ-01", "time": when.isoformat(), "pollutant": "pm25", "value": 4.0}
    posted = http.post(
        "/sensors/readings",
        json=[{**reading, "unit": "ug/m3"}],
        headers={"Authorization": f"Token {users.operator}"},
    )
    assert posted.status_code == 200 and posted.json()["inserted"] == 1, posted.text
    # The server applies the change feed when notified (milliseconds); poll, never see it return.
    deadline, fresh, after = time.monotonic() + 10, None, 0
    while time.monotonic() < deadline and after < 20:
        r = http.get(url)
        if fresh is not None:
            assert r.content == fresh.content and r.headers["etag"] == fresh.headers["etag"]
            assert r.headers["x-tile-cache"] == "hit"
            after += 1
        elif r.content != before.content:
            fresh = r
            assert r.headers["x-tile-cache"] == "miss"
        time.sleep(0.02)
    assert fresh is not None, "the changed tile was never served"
    assert fresh.headers["etag"] != before.headers["etag"]
    assert _stations(fresh.content)["AQ-01"] != _stations(before.content)["AQ-01"]
