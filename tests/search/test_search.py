"""The search box over real HTTP: streets with and without diacritics, parcels by number,
incidents, ranking, access by role (nothing from a layer the caller may not see) and errors."""

from __future__ import annotations

import unicodedata
from typing import Any

import httpx
import pytest
from django.db import connection

from tests.conftest import Users
from tests.helpers import auth, rows

pytestmark = pytest.mark.django_db
STREET = "Trần Hưng Đạo"  # a real street of the demo city (OpenStreetMap), in 12 segments
CAMERA = "Camera Đường Trần Hưng Đạo"  # a camera: a restricted layer, for operators only


def search(http: httpx.Client, q: str, token: str | None = None, **params: Any) -> list[Any]:
    r = http.get("/search", params={"q": q, **params}, headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "private, no-cache"
    body = r.json()
    assert body["query"] == " ".join(q.split())
    return list(body["results"])


def fold(text: str) -> str:
    """Lower case without diacritics, written here independently of the code under test."""
    text = text.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def catalogue(http: httpx.Client, token: str | None) -> set[str]:
    return {layer["slug"] for layer in http.get("/layers", headers=auth(token)).json()["layers"]}


@pytest.mark.parametrize(
    "q", [STREET, "tran hung dao", "TRAN HUNG DAO", "trần hưng đạo", " Tran  Hung   Dao "]
)
def test_a_street_with_and_without_diacritics(http: httpx.Client, q: str) -> None:
    results = search(http, q)
    best = results[0]
    [(segments, xmin, ymin, xmax, ymax)] = rows(
        "SELECT count(*), ST_XMin(ST_Extent(geom)), ST_YMin(ST_Extent(geom)),"
        " ST_XMax(ST_Extent(geom)), ST_YMax(ST_Extent(geom))"
        " FROM layer_data.roads WHERE name = %s",
        [STREET],
    )
    assert segments == 12
    assert (best["kind"], best["layer"], best["title"], best["rank"]) == (
        "street",
        "roads",
        STREET,
        0,
    )
    assert best["features"] == segments  # one hit per street, not per segment
    assert best["bbox"] == pytest.approx([xmin, ymin, xmax, ymax])
    [(on_street,)] = rows(
        "SELECT ST_DWithin(ST_SetSRID(ST_MakePoint(%s, %s), 4326), ST_Collect(geom), 1e-7)"
        " FROM layer_data.roads WHERE name = %s",
        [best["lon"], best["lat"], STREET],
    )
    assert on_street
    assert [r["title"] for r in results].count(STREET) == 1


def test_every_hit_holds_every_word(http: httpx.Client, users: Users) -> None:
    results = search(http, "hung dao", users.operator, limit=50)
    assert STREET in [r["title"] for r in results]
    for r in results:
        if r["kind"] in ("street", "place"):
            assert "hung" in fold(r["title"]) and "dao" in fold(r["title"]), r["title"]
    ranks = [r["rank"] for r in results]
    assert ranks == sorted(ranks)


def test_partial_names_rank_below_the_exact_one(http: httpx.Client) -> None:
    results = search(http, "tran hung dao", limit=50)
    assert results[0]["title"] == STREET and results[0]["rank"] == 0
    alley = [r for r in results if r["title"] == "Hẻm 02 Trần Hưng Đạo"]
    assert alley and alley[0]["rank"] == 2  # a word of the name starts with the query


@pytest.mark.parametrize("limit", [1, 3])
def test_limit(http: httpx.Client, limit: int) -> None:
    results = search(http, "tran", limit=limit)
    assert len(results) == limit
    assert results[0] == search(http, "tran", limit=10)[0]


@pytest.fixture(scope="module")
def parcel(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> dict[str, Any]:
    """A demo parcel, picked with SQL, with its extent."""
    with django_db_blocker.unblock(), connection.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "SELECT id, ward_code, sheet, number, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom),"
            " ST_YMax(geom), land_use FROM land_parcel ORDER BY md5(id::text) LIMIT 1"
        )
        pid, ward, sheet, number, *bbox, land_use = cur.fetchone()
    return {
        "id": pid,
        "ward": ward,
        "sheet": sheet,
        "number": number,
        "bbox": bbox,
        "land_use": land_use,
    }


@pytest.mark.parametrize(
    "template",
    ["{ward}/{sheet}/{number}", "{ward} {sheet} {number}", "{ward} tờ {sheet} thửa {number}"],
)
def test_a_parcel_by_ward_sheet_and_number(
    http: httpx.Client, parcel: dict[str, Any], template: str
) -> None:
    results = search(http, template.format(**parcel))
    best = results[0]
    assert best["kind"] == "parcel" and best["layer"] == "parcels"
    assert best["id"] == str(parcel["id"])
    assert best["title"] == f"{parcel['ward']}/{parcel['sheet']}/{parcel['number']}"
    assert best["rank"] == 0
    assert best["bbox"] == pytest.approx(parcel["bbox"])
    assert best["properties"]["land_use"] == parcel["land_use"]
    [(inside,)] = rows(
        "SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
        " FROM land_parcel WHERE id = %s",
        [best["lon"], best["lat"], parcel["id"]],
    )
    assert inside
    assert [r for r in results if r["kind"] == "parcel"] == [best]


@pytest.mark.parametrize(
    "template", ["tờ {sheet} thửa {number}", "to {sheet} thua {number}", "{sheet}/{number}"]
)
def test_a_sheet_and_number_in_every_ward(
    http: httpx.Client, parcel: dict[str, Any], template: str
) -> None:
    results = search(http, template.format(**parcel), limit=50)
    truth = rows(
        "SELECT id FROM land_parcel WHERE sheet = %s AND number = %s ORDER BY ward_code",
        [parcel["sheet"], parcel["number"]],
    )
    assert [r["id"] for r in results if r["kind"] == "parcel"] == [str(i) for (i,) in truth]
    assert str(parcel["id"]) in [r["id"] for r in results]


def test_no_parcel_for_a_number_that_does_not_exist(http: httpx.Client) -> None:
    [(sheet,)] = rows("SELECT max(sheet) + 1 FROM land_parcel")
    assert not [r for r in search(http, f"672.01/{sheet}/1") if r["kind"] == "parcel"]


@pytest.fixture(scope="module")
def incident(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> dict[str, Any]:
    """The newest demo incident, with what the search shows of it."""
    with django_db_blocker.unblock(), connection.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "SELECT id, code, type, severity, status, ST_X(geom), ST_Y(geom)"
            " FROM operations_incident WHERE synthetic ORDER BY reported_at DESC LIMIT 1"
        )
        iid, code, kind, severity, status, lon, lat = cur.fetchone()
    return {
        "id": iid,
        "code": code,
        "type": kind,
        "severity": severity,
        "status": status,
        "lon": lon,
        "lat": lat,
    }


@pytest.mark.parametrize("role", ["operator", "planner", "admin"])
def test_an_incident_by_its_code(
    http: httpx.Client, users: Users, incident: dict[str, Any], role: str
) -> None:
    results = search(http, incident["code"].lower(), getattr(users, role))
    best = results[0]
    assert (best["kind"], best["layer"], best["id"]) == (
        "incident",
        "incidents",
        str(incident["id"]),
    )
    assert best["title"] == incident["code"]
    assert best["rank"] == 0
    assert (best["lon"], best["lat"]) == pytest.approx((incident["lon"], incident["lat"]))
    props = best["properties"]
    assert (props["type"], props["severity"], props["status"]) == (
        incident["type"],
        incident["severity"],
        incident["status"],
    )


def test_an_incident_by_words_of_its_description(http: httpx.Client, users: Users) -> None:
    r = http.post(
        "/incidents",
        json={
            "type": "infrastructure_failure",
            "severity": 2,
            "lon": 108.4418,
            "lat": 11.9398,
            "description": "Cột điện nghiêng đổ xuống vỉa hè Khu Hòa Bình",
        },
        headers=auth(users.operator),
    )
    assert r.status_code == 201, r.text
    created = str(r.json()["id"])
    for q in ("cột điện nghiêng", "cot dien nghieng", "NGHIENG DO XUONG via he"):
        found = [x for x in search(http, q, users.planner, limit=50) if x["kind"] == "incident"]
        assert created in [x["id"] for x in found], q
        assert found[0]["id"] == created  # open and newest first
    assert not [
        x for x in search(http, "cot dien nghieng", None, limit=50) if x["kind"] == "incident"
    ]


def test_anonymous_never_finds_incidents(http: httpx.Client, incident: dict[str, Any]) -> None:
    for q in (incident["code"], "Ùn tắc giao thông", "ngap ung"):
        results = search(http, q, None, limit=50)
        assert not [r for r in results if r["kind"] == "incident" or r["layer"] == "incidents"], q


@pytest.mark.parametrize(
    ("role", "sees_cameras"), [(None, False), ("planner", False), ("operator", True)]
)
def test_a_restricted_layer_stays_hidden(
    http: httpx.Client, users: Users, role: str | None, sees_cameras: bool
) -> None:
    token = getattr(users, role) if role else None
    [(camera_id,)] = rows("SELECT id FROM cameras_camera WHERE name = %s", [CAMERA])
    results = search(http, CAMERA, token, limit=50)
    from_cameras = [r for r in results if r["layer"] == "cameras"]
    if sees_cameras:
        assert from_cameras[0]["id"] == str(camera_id)
        assert from_cameras[0]["title"] == CAMERA and from_cameras[0]["rank"] == 0
    else:
        assert from_cameras == []
        assert CAMERA not in [r["title"] for r in results]
    # Whatever the query, hits come only from layers the caller's catalogue lists.
    visible = catalogue(http, token)
    for q in ("tran hung dao", "camera", "nga tu", "SC-00"):
        assert {r["layer"] for r in search(http, q, token, limit=50)} <= visible, q


@pytest.mark.parametrize("q", [None, "", "a", "  a  ", "x" * 101])
def test_a_query_too_short_or_long_is_a_json_400(http: httpx.Client, q: str | None) -> None:
    r = http.get("/search", params={"q": q} if q is not None else {})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid_query"
    assert body["field"] == "q"
    assert body["message"].startswith("q must be 2 to 100 characters, got ")


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1"])
def test_a_bad_limit_is_a_json_400(http: httpx.Client, limit: str) -> None:
    r = http.get("/search", params={"q": "tran", "limit": limit})
    assert r.status_code == 400
    assert r.json() == {
        "code": "invalid_parameter",
        "message": "limit must be a whole number from 1 to 50.",
        "field": "limit",
    }


def test_like_wildcards_are_taken_literally(http: httpx.Client) -> None:
    # Punctuation separates words, so both words are found; but the ranking compares the whole
    # query with LIKE, where "%" must be a literal: the street does not start with "tran%dao".
    [street] = [r for r in search(http, "tran%dao", limit=50) if r["title"] == STREET]
    assert street["rank"] == 3
    [street] = [r for r in search(http, "tran hung", limit=50) if r["title"] == STREET]
    assert street["rank"] == 1


def test_search_is_read_only(http: httpx.Client, users: Users) -> None:
    r = http.post("/search?q=tran", headers=auth(users.operator))
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"
