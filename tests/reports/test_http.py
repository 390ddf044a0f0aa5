"""Reports over real HTTP: intake with a photo, privacy of contacts everywhere the public
looks (tiles, OGC items, exports, pages, Open311), staff access, and the abuse limit."""

from __future__ import annotations

import math

import httpx
import mapbox_vector_tile
import pytest
from django.test import RequestFactory

from geo_ioc.reports import limits
from geo_ioc.reports.errors import TooManyRequests
from tests.conftest import Users
from tests.helpers import auth
from tests.reports.conftest import OUTSIDE, WARD_POINT, jpeg

SECRETS = ("Nguyễn Bí Mật", "0909123456", "secret.reporter@example.org")


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


@pytest.fixture(scope="module")
def reported(http: httpx.Client, reports_seeded: str) -> dict:
    """One report from the public form, with a photo and a full contact."""
    r = http.post(
        "/reports",
        data={
            "category": "pothole",
            "lon": WARD_POINT[0] + 0.001,
            "lat": WARD_POINT[1],
            "description": "Ổ gà sâu giữa đường",
            "name": SECRETS[0],
            "phone": SECRETS[1],
            "email": SECRETS[2],
            "device_id": "device-http-test-01",
        },
        files={"photo": ("p.jpg", jpeg(), "image/jpeg")},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_intake_gives_a_code_and_a_public_page(http: httpx.Client, reported: dict) -> None:
    code = reported["code"]
    page = http.get(f"/reports/public/{code}").json()
    props = page["report"]["properties"]
    assert props["status"] == "routed" and props["category"] == "pothole"
    assert len(props["photos"]) == 1
    photo = http.get(f"/reports/photos/{props['photos'][0]}.jpg")
    assert photo.status_code == 200 and photo.content[:3] == b"\xff\xd8\xff"
    assert [s["action"] for s in page["steps"]] == ["receive", "route"]
    assert http.get(f"/phan-anh/{code}").status_code == 200


def test_contacts_never_reach_the_public(http: httpx.Client, reported: dict) -> None:
    code = reported["code"]
    z, x, y = _tile(WARD_POINT[0] + 0.001, WARD_POINT[1], 16)
    tile = http.get(f"/tiles/reports/{z}/{x}/{y}.mvt")
    assert tile.status_code == 200
    features = mapbox_vector_tile.decode(tile.content)["reports"]["features"]
    assert code in {f["properties"].get("code") for f in features}
    public_texts = [
        str(features),
        http.get("/ogc/collections/reports/items", params={"limit": 10000}).text,
        http.get("/export/reports", params={"format": "geojson"}).text,
        http.get("/export/reports", params={"format": "csv"}).text,
        http.get(f"/reports/public/{code}").text,
        http.get(f"/phan-anh/{code}").text,
        http.get(
            "/reports/nearby",
            params={"category": "pothole", "lon": WARD_POINT[0], "lat": WARD_POINT[1]},
        ).text,
        http.get(f"/open311/v2/requests/{code}.json").text,
        http.get(f"/open311/v2/requests/{code}.xml").text,
    ]
    assert code in public_texts[1] and code in public_texts[2]  # the report itself is there
    for text in public_texts:
        for secret in SECRETS:
            assert secret not in text
        assert "ip_hash" not in text and "device-http-test-01" not in text


@pytest.mark.django_db
def test_the_overdue_choropleth_is_a_catalogue_layer(http: httpx.Client, reported: dict) -> None:
    from django.db.models import Count, Q

    from geo_ioc.reports.models import Report
    from geo_ioc.reports.workflow import OPEN

    rows = Report.objects.values_list("area_code").annotate(
        open=Count("id", filter=Q(status__in=OPEN)), overdue=Count("id", filter=Q(overdue=True))
    )
    truth = {code: (n_open, n_over) for code, n_open, n_over in rows}
    ward = reported["report"]["properties"]["area_code"]
    assert truth[ward][0] >= 1
    z, x, y = _tile(WARD_POINT[0], WARD_POINT[1], 12)
    tile = http.get(f"/tiles/reports_overdue_areas/{z}/{x}/{y}.mvt")
    assert tile.status_code == 200
    features = mapbox_vector_tile.decode(tile.content)["reports_overdue_areas"]["features"]
    drawn = {f["properties"]["code"]: f["properties"] for f in features}
    assert ward in drawn
    for code, props in drawn.items():
        assert (props["open"], props["overdue"]) == truth.get(code, (0, 0)), code
    items = http.get("/ogc/collections/reports_overdue_areas/items", params={"limit": 100}).json()
    assert items["numberMatched"] == 16
    for f in items["features"]:
        p = f["properties"]
        assert (p["open"], p["overdue"]) == truth.get(p["code"], (0, 0))
    assert f["geometry"]["type"] == "MultiPolygon"
    style = http.get("/styles/all.json", params={"lang": "en"}).text
    assert "25 or more overdue" in style and "None overdue" in style


def test_staff_see_the_contact_the_public_does_not(
    http: httpx.Client, users: Users, reported: dict
) -> None:
    code = reported["code"]
    assert http.get(f"/reports/staff/{code}").status_code == 401
    assert http.get(f"/reports/staff/{code}", headers=auth(users.planner)).status_code == 403
    staff = http.get(f"/reports/staff/{code}", headers=auth(users.operator)).json()
    assert staff["properties"]["contact"]["phone"] == SECRETS[1]


def test_hotline_intake_keeps_the_caller_private(
    http: httpx.Client, users: Users, reports_seeded: str
) -> None:
    body = {
        "category": "street_light",
        "lon": WARD_POINT[0],
        "lat": WARD_POINT[1] + 0.001,
        "description": "Người gọi báo đèn đường tắt",
        "contact": {"phone": "0977000111"},
    }
    assert http.post("/reports/staff/hotline", json=body).status_code == 401
    r = http.post("/reports/staff/hotline", json=body, headers=auth(users.operator))
    assert r.status_code == 201, r.text
    code = r.json()["properties"]["code"]
    assert r.json()["properties"]["source"] == "hotline"
    assert "0977000111" not in http.get(f"/reports/public/{code}").text
    # The same duplicate check as the public form offers it.
    near = http.get(
        "/reports/nearby",
        params={"category": "street_light", "lon": body["lon"], "lat": body["lat"]},
    ).json()
    assert code in {f["properties"]["code"] for f in near["features"]}


@pytest.mark.django_db
def test_a_second_caller_follows_instead_of_filing_a_duplicate(
    http: httpx.Client, users: Users, reported: dict
) -> None:
    from geo_ioc.reports.models import Follower

    code = reported["code"]
    url = f"/reports/staff/{code}/follow"
    assert http.post(url, json={"phone": "0911 222 333"}).status_code == 401
    assert http.post(url, json={"phone": "0911"}, headers=auth(users.planner)).status_code == 403
    bad = http.post(url, json={"phone": "call me"}, headers=auth(users.operator))
    assert bad.status_code == 400 and bad.json()["code"] and bad.json()["field"] == "phone"
    missing = http.post(
        "/reports/staff/PA-NOTHERE/follow",
        json={"phone": "0911222333"},
        headers=auth(users.operator),
    )
    assert missing.status_code == 404
    r = http.post(url, json={"phone": "0911 222 333"}, headers=auth(users.operator))
    assert r.status_code == 200, r.text
    again = http.post(url, json={"phone": "0911-222-333"}, headers=auth(users.operator))
    assert again.status_code == 200
    keys = list(Follower.objects.filter(report__code=code).values_list("key", flat=True))
    assert keys.count("tel:0911222333") == 1
    assert "0911" not in http.get(f"/reports/public/{code}").text


def test_bad_input_is_a_json_error(http: httpx.Client, reports_seeded: str) -> None:
    outside = http.post(
        "/reports",
        json={
            "category": "pothole",
            "lon": OUTSIDE[0],
            "lat": OUTSIDE[1],
            "description": "Ngoài tỉnh",
        },
    )
    assert outside.status_code == 400 and outside.json()["code"] == "outside_province"
    lying = http.post(
        "/reports",
        data={
            "category": "pothole",
            "lon": WARD_POINT[0],
            "lat": WARD_POINT[1],
            "description": "Ảnh giả",
        },
        files={"photo": ("x.jpg", b"GIF89a" + b"\0" * 200, "image/jpeg")},
    )
    assert lying.status_code == 400 and lying.json()["code"] == "invalid_photo"


@pytest.mark.django_db
def test_abuse_limit_per_address(settings: object) -> None:
    settings.GEO_IOC_REPORTS_PER_IP_HOUR = 3  # type: ignore[attr-defined]
    mine = RequestFactory().post("/reports", REMOTE_ADDR="198.51.100.7")
    other = RequestFactory().post("/reports", REMOTE_ADDR="198.51.100.8")
    for _ in range(3):
        limits.check(mine, "report")
    with pytest.raises(TooManyRequests):
        limits.check(mine, "report")
    limits.check(other, "report")  # another address is not affected
    # The header is not believed from a client that is not a trusted proxy.
    spoofed = RequestFactory().post(
        "/reports", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99"
    )
    with pytest.raises(TooManyRequests) as refused:
        limits.check(spoofed, "report")
    assert refused.value.retry_after >= 1 and refused.value.status == 429


@pytest.mark.django_db
def test_the_trusted_proxys_header_names_the_client(settings: object) -> None:
    settings.GEO_IOC_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1/32"]  # type: ignore[attr-defined]
    settings.GEO_IOC_REPORTS_PER_IP_HOUR = 2  # type: ignore[attr-defined]

    def via_proxy(forwarded: str, remote: str = "10.1.2.3") -> object:
        return RequestFactory().post("/reports", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    # Right to left, past the trusted proxies: what a client wrote on the left is ignored.
    assert limits.client_ip(via_proxy("1.2.3.4, 192.0.2.10, 10.9.9.9")) == "192.0.2.10"
    assert limits.client_ip(via_proxy("192.0.2.11")) == "192.0.2.11"
    # Not from a trusted proxy: the header is the client's own claim and is not read.
    assert limits.client_ip(via_proxy("192.0.2.12", remote="198.51.100.20")) == "198.51.100.20"
    assert limits.client_ip(via_proxy("not-an-address")) == "10.1.2.3"
    # Two clients behind the same proxy have a limit each.
    for _ in range(2):
        limits.check(via_proxy("192.0.2.30"), "proxy-test")
    with pytest.raises(TooManyRequests):
        limits.check(via_proxy("192.0.2.30"), "proxy-test")
    limits.check(via_proxy("192.0.2.31"), "proxy-test")


def test_indicator_endpoints(http: httpx.Client, reported: dict) -> None:
    bad = http.get("/reports/indicators", params={"group": "planet"})
    assert bad.status_code == 400 and bad.json()["field"] == "group"
    rows = http.get("/reports/indicators", params={"group": "category"}).json()["rows"]
    assert any(r["key"] == "pothole" and r["received"] >= 1 for r in rows)
    areas = http.get("/reports/areas/overdue").json()
    assert areas["type"] == "FeatureCollection" and len(areas["features"]) == 16
    kpis = http.get("/indicators").json()
    assert kpis["reports"]["open"] >= 1


def test_a_bad_answer_photo_refuses_the_step(
    http: httpx.Client, users: Users, reports_seeded: str
) -> None:
    body = {
        "category": "tree",
        "lon": WARD_POINT[0] - 0.001,
        "lat": WARD_POINT[1],
        "description": "Cành cây gãy",
    }
    staff = auth(users.operator)
    code = http.post("/reports/staff/hotline", json=body, headers=staff).json()["properties"][
        "code"
    ]
    assert http.post(f"/reports/staff/{code}/step", json={"action": "accept"}, headers=staff)
    lying = http.post(
        f"/reports/staff/{code}/step",
        data={"action": "resolve", "note": "Đã cắt cành"},
        files={"photo": ("done.jpg", b"GIF89a" + b"\0" * 200, "image/jpeg")},
        headers=staff,
    )
    assert lying.status_code == 400 and lying.json()["code"], lying.text
    after = http.get(f"/reports/staff/{code}", headers=staff).json()["properties"]
    assert after["status"] == "accepted" and after["answer_photos"] == []
    done = http.post(
        f"/reports/staff/{code}/step",
        data={"action": "resolve", "note": "Đã cắt cành"},
        files={"photo": ("done.jpg", jpeg(), "image/jpeg")},
        headers=staff,
    )
    assert done.status_code == 200, done.text
    assert len(done.json()["properties"]["answer_photos"]) == 1
