"""The test domain app plugs in through the contract alone (its folder and INSTALLED_APPS).

Its one layer shows up in the catalogue, in vector tiles, in OGC API Features, in exports and
in the search, both through the catalogue's name search and through its own search provider; a
write to its table from anywhere (here: plain SQL) is pushed live and runs its alert-rule kind.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Iterator

import mapbox_vector_tile
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.domain_app.conftest import SETTINGS, Fresh, fresh_sql, run_cli
from tests.helpers import auth

KIOSKS = [
    ("KIOSK-001", "Ki-ốt Hồ Xuân Hương", "online", 108.4419, 11.9404),
    ("KIOSK-002", "Ki-ốt Chợ Đà Lạt", "offline", 108.4372, 11.9430),
    ("KIOSK-003", "Ki-ốt Quảng trường Lâm Viên", "online", 108.4470, 11.9390),
]


@pytest.fixture(scope="module")
def kiosks(fresh: Fresh) -> Iterator[Fresh]:
    """Three kiosks written straight into the app's table (committed), removed afterwards."""
    for code, name, status, lon, lat in KIOSKS:
        fresh_sql(
            fresh,
            "INSERT INTO domain_app_kiosk (code, name, status, geom)"
            " VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
            (code, name, status, lon, lat),
        )
    yield fresh
    fresh_sql(fresh, "DELETE FROM domain_app_kiosk")


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The Web Mercator tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_the_layer_is_in_the_catalogue(kiosks: Fresh) -> None:
    layers = {item["slug"]: item for item in kiosks.http.get("/layers").json()["layers"]}
    assert "kiosks" in layers
    entry = layers["kiosks"]
    assert entry["title"] == {"vi": "Ki-ốt thông tin", "en": "Information kiosks"}
    assert [f["name"] for f in entry["fields"]] == ["code", "name", "status"]


def test_the_layer_is_in_vector_tiles(kiosks: Fresh) -> None:
    z = 14
    x, y = tile_of(KIOSKS[0][3], KIOSKS[0][4], z)
    expected = {code for code, _, _, lon, lat in KIOSKS if tile_of(lon, lat, z) == (x, y)}
    response = kiosks.http.get(f"/tiles/kiosks/{z}/{x}/{y}.mvt")
    assert response.status_code == 200, response.text
    decoded = mapbox_vector_tile.decode(response.content)
    features = decoded["kiosks"]["features"]
    assert {f["properties"]["code"] for f in features} == expected
    first = next(f for f in features if f["properties"]["code"] == "KIOSK-001")
    assert first["properties"]["name"] == "Ki-ốt Hồ Xuân Hương"
    assert first["properties"]["status"] == "online"


def test_the_layer_is_in_ogc_api_features(kiosks: Fresh) -> None:
    collections = kiosks.http.get("/ogc/collections").json()["collections"]
    assert "kiosks" in {c["id"] for c in collections}
    body = kiosks.http.get(
        "/ogc/collections/kiosks/items", params={"sortby": "+code", "limit": 10}
    ).json()
    assert body["numberMatched"] == len(KIOSKS)
    assert [f["properties"]["code"] for f in body["features"]] == [k[0] for k in KIOSKS]
    offline = kiosks.http.get("/ogc/collections/kiosks/items", params={"status": "offline"})
    assert [f["properties"]["code"] for f in offline.json()["features"]] == ["KIOSK-002"]


def test_the_layer_exports_as_geojson(kiosks: Fresh) -> None:
    response = kiosks.http.get("/export/kiosks", params={"format": "geojson"})
    assert response.status_code == 200, response.text
    body = json.loads(response.content)
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    assert set(by_code) == {k[0] for k in KIOSKS}
    lon, lat = by_code["KIOSK-003"]["geometry"]["coordinates"][:2]
    assert (round(lon, 6), round(lat, 6)) == (KIOSKS[2][3], KIOSKS[2][4])


def test_its_search_provider_answers_in_search(kiosks: Fresh) -> None:
    results = kiosks.http.get("/search", params={"q": "kiosk-00"}).json()["results"]
    assert [(r["kind"], r["title"]) for r in results] == [
        ("kiosk", "KIOSK-001"),
        ("kiosk", "KIOSK-002"),
        ("kiosk", "KIOSK-003"),
    ]
    assert results[0]["properties"] == {"status": "online"}


def test_its_names_are_found_by_the_catalogue_search(kiosks: Fresh) -> None:
    results = kiosks.http.get("/search", params={"q": "quang truong lam vien"}).json()["results"]
    assert [(r["kind"], r["layer"], r["title"]) for r in results] == [
        ("place", "kiosks", "Ki-ốt Quảng trường Lâm Viên")
    ]


def test_hidden_from_a_caller_who_may_not_see_its_layer(kiosks: Fresh) -> None:
    fresh_sql(kiosks, "UPDATE layers_layer SET access_level = 'staff' WHERE slug = 'kiosks'")
    try:
        # The server hears of the catalogue change through its listener: wait for that state.
        deadline = time.monotonic() + 30
        while results := kiosks.http.get("/search", params={"q": "kiosk-001"}).json()["results"]:
            assert time.monotonic() < deadline, results
            threading.Event().wait(0.1)
        assert results == []
        seen = kiosks.http.get(
            "/search", params={"q": "kiosk-001"}, headers=auth(kiosks.operator)
        ).json()["results"]
        assert [r["title"] for r in seen] == ["KIOSK-001"]
    finally:
        fresh_sql(kiosks, "UPDATE layers_layer SET access_level = 'public' WHERE slug = 'kiosks'")


def test_its_alert_rule_kind_is_in_the_contract(fresh: Fresh) -> None:
    code = (
        "import json; from geo_ioc.core import domains;"
        " from geo_ioc.operations.rulekinds import RULE_KINDS;"
        " print(json.dumps({app: [k.name for k in kinds]"
        " for app, kinds in domains.by_app(RULE_KINDS).items()}))"
    )
    env = {**os.environ, "DATABASE_URL": fresh.url, "DJANGO_SETTINGS_MODULE": SETTINGS}
    kinds = json.loads(run_cli(env, "shell", "--no-imports", "-c", code))
    assert kinds["domain_app"] == ["kiosk_offline"]
    assert kinds["operations"] == ["incident_in_area", "hotspot"]
    assert kinds["sensors"] == ["aqi_threshold", "silent"]


def _ws(fresh: Fresh) -> ClientConnection:
    url = str(fresh.http.base_url).rstrip("/").replace("http://", "ws://") + "/ws/live"
    return connect(url, additional_headers=auth(fresh.operator), open_timeout=10)


def test_its_changes_are_pushed_live(kiosks: Fresh) -> None:
    with _ws(kiosks) as conn:
        conn.send(json.dumps({"subscribe": ["kiosks"]}))
        assert json.loads(conn.recv(timeout=20))["type"] == "subscribed"
        fresh_sql(kiosks, "UPDATE domain_app_kiosk SET name = name || '.' WHERE code = 'KIOSK-003'")
        event = json.loads(conn.recv(timeout=20))
    [(pk,)] = fresh_sql(kiosks, "SELECT id FROM domain_app_kiosk WHERE code = 'KIOSK-003'")
    assert event["type"] == "event" and event["layer"] == "kiosks"
    assert event["operation"] == "update" and event["ids"] == [str(pk)]


def _alert_status(fresh: Fresh, key: str, want: str) -> None:
    """Wait until the kiosk rule's alert for `key` has status `want` (the server's rules run it)."""
    deadline = time.monotonic() + 30
    while True:
        features = fresh.http.get(
            "/alerts",
            params={"status": "active,acknowledged,resolved"},
            headers=auth(fresh.operator),
        ).json()["features"]
        found = [f["properties"]["status"] for f in features if f["properties"]["rule"] == RULE]
        if found and found[-1] == want:
            return
        assert time.monotonic() < deadline, f"{key}: {found}, never {want}"
        threading.Event().wait(0.2)


RULE = "Ki-ốt mất kết nối"


def test_its_rule_kind_raises_and_resolves_alerts(kiosks: Fresh) -> None:
    fresh_sql(
        kiosks,
        "INSERT INTO operations_alertrule (name, kind, params, enabled, event, category, urgency,"
        " severity, certainty) VALUES (%s, 'kiosk_offline', '{\"codes\": [\"KIOSK-001\"]}',"
        " true, 'Ki-ốt mất kết nối', 'Infra', 'Expected', 'Minor', 'Observed')",
        (RULE,),
    )
    try:
        fresh_sql(kiosks, "UPDATE domain_app_kiosk SET status = 'offline' WHERE code = 'KIOSK-001'")
        _alert_status(kiosks, "kiosk:KIOSK-001", "active")
        fresh_sql(kiosks, "UPDATE domain_app_kiosk SET status = 'online' WHERE code = 'KIOSK-001'")
        _alert_status(kiosks, "kiosk:KIOSK-001", "resolved")
    finally:
        fresh_sql(kiosks, "DELETE FROM operations_alert")
        fresh_sql(kiosks, "DELETE FROM operations_alertrule WHERE name = %s", (RULE,))
