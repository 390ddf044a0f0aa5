"""Open311 GeoReport v2 checked with a client nobody here wrote (`georeport` from PyPI).

The client reads; it has no POST, so requests are posted as the spec says (a form, with the
api_key) by httpx, then read back through the client in JSON and XML.
"""

from __future__ import annotations

import httpx
import pytest
from georeport import GeoReport

from tests.reports.conftest import OUTSIDE, WARD_POINT

JURISDICTION = "lamdong.gov.vn"


@pytest.fixture(scope="module")
def clients(live_url: str) -> dict[str, GeoReport]:
    base = f"{live_url}/open311/v2"
    return {
        fmt: GeoReport(base, jurisdiction=JURISDICTION, output_format=fmt)
        for fmt in ("json", "xml")
    }


def test_discovery(http: httpx.Client) -> None:
    body = http.get("/open311/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "<discovery>" in http.get("/open311/discovery.xml").text


def test_services_and_definitions(clients: dict[str, GeoReport], reports_seeded: str) -> None:
    services = clients["json"].get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"pothole", "street_light", "other"} <= codes and len(codes) == 15
    xml_codes = {s["service_code"] for s in clients["xml"].get_service_list()}
    assert xml_codes == codes
    other = next(s for s in services if s["service_code"] == "other")
    assert other["metadata"] is True
    definition = clients["json"].get_service_definition("other")
    assert definition["attributes"][0]["code"] == "topic"
    assert clients["xml"].get_service_definition("other")["service_code"] == "other"


def test_post_then_read_back(
    http: httpx.Client, clients: dict[str, GeoReport], reports_seeded: str
) -> None:
    form = {
        "jurisdiction_id": JURISDICTION,
        "service_code": "drain",
        "lat": WARD_POINT[1],
        "long": WARD_POINT[0] - 0.002,
        "description": "Hố ga mất nắp trước nhà số 5",
        "email": "client@example.org",
        "first_name": "An",
        "api_key": reports_seeded,
    }
    r = http.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 201, r.text
    code = r.json()[0]["service_request_id"]
    one = clients["json"].get_service_request(code)
    assert one["service_code"] == "drain" and one["status"] == "open"
    assert one["agency_responsible"] == "Công ty CP Cấp thoát nước Lâm Đồng"
    assert "email" not in one and "client@example.org" not in str(one)
    xml_one = clients["xml"].get_service_request(code)
    assert xml_one["service_request_id"] == code and float(xml_one["lat"]) == WARD_POINT[1]
    listed = clients["json"].get_service_requests(service_code="drain", status="open")
    assert code in {x["service_request_id"] for x in listed}
    assert code not in {
        x["service_request_id"] for x in clients["json"].get_service_requests(status="closed")
    }
    by_ids = clients["json"].get_service_requests(service_request_id=code)
    assert [x["service_request_id"] for x in by_ids] == [code]
    # The extension: within a radius of a point.
    near = http.get(
        "/open311/v2/requests.json",
        params={"lat": WARD_POINT[1], "long": WARD_POINT[0] - 0.002, "radius": 30},
    ).json()
    far = http.get(
        "/open311/v2/requests.json",
        params={"lat": WARD_POINT[1], "long": WARD_POINT[0] + 0.01, "radius": 30},
    ).json()
    assert code in {x["service_request_id"] for x in near}
    assert code not in {x["service_request_id"] for x in far}


def test_errors_in_the_spec_shape(http: httpx.Client, reports_seeded: str) -> None:
    base = {
        "service_code": "drain",
        "lat": WARD_POINT[1],
        "long": WARD_POINT[0],
        "description": "Thiếu khóa",
    }
    no_key = http.post("/open311/v2/requests.json", data=base)
    assert no_key.status_code == 403
    assert no_key.json()[0]["code"] == 403 and no_key.json()[0]["description"]
    bad_key = http.post("/open311/v2/requests.xml", data={**base, "api_key": "nope"})
    assert bad_key.status_code == 403 and "<errors><error><code>403</code>" in bad_key.text
    outside = http.post(
        "/open311/v2/requests.json",
        data={**base, "lat": OUTSIDE[1], "long": OUTSIDE[0], "api_key": reports_seeded},
    )
    assert outside.status_code == 400 and "province" in outside.json()[0]["description"]
    unknown = http.get("/open311/v2/services/nope.json")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    wrong = http.get("/open311/v2/services.json", params={"jurisdiction_id": "hanoi.gov.vn"})
    assert wrong.status_code == 404
    span = http.get(
        "/open311/v2/requests.json",
        params={"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-12-31T00:00:00Z"},
    )
    assert span.status_code == 400
