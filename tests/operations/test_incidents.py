"""Incidents over real HTTP: create, read, filter, workflow (409 on a wrong step), access."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.db import connection

from geo_ioc.core.models import Event
from geo_ioc.operations.models import Incident
from geo_ioc.operations.workflow import ORDER
from tests.conftest import Users

CHỢ_ĐÀ_LẠT = (108.4370, 11.9430)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def create(http: httpx.Client, token: str, **extra: Any) -> httpx.Response:
    body = {"type": "flooding", "severity": 3, "lon": CHỢ_ĐÀ_LẠT[0], "lat": CHỢ_ĐÀ_LẠT[1]}
    return http.post("/incidents", json={**body, **extra}, headers=auth(token))


def test_operator_creates_an_incident(http: httpx.Client, users: Users) -> None:
    r = create(http, users.operator, description="Ngập sâu 30 cm trước chợ Đà Lạt")
    assert r.status_code == 201, r.text
    feature = r.json()
    assert feature["geometry"] == {"type": "Point", "coordinates": list(CHỢ_ĐÀ_LẠT)}
    props = feature["properties"]
    assert props["status"] == "new"
    assert props["code"].startswith("SC-")
    assert props["description"] == "Ngập sâu 30 cm trước chợ Đà Lạt"
    got = http.get(f"/incidents/{feature['id']}", headers=auth(users.planner)).json()
    assert got == feature


@pytest.mark.django_db
def test_each_write_is_persisted_as_an_event(http: httpx.Client, users: Users) -> None:
    before = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    feature = create(http, users.operator).json()
    r = http.post(
        f"/incidents/{feature['id']}/transition",
        json={"status": "acknowledged"},
        headers=auth(users.operator),
    )
    assert r.status_code == 200
    logged = list(Event.objects.filter(seq__gt=before, feature_id=feature["id"]))
    assert [(e.layer, e.operation, e.actor) for e in logged] == [
        ("incidents", "create", "test_operator"),
        ("incidents", "transition", "test_operator"),
    ]
    assert logged[1].data["properties"]["status"] == "acknowledged"


def test_workflow_walks_forward_and_refuses_skips(http: httpx.Client, users: Users) -> None:
    feature = create(http, users.operator).json()
    url = f"/incidents/{feature['id']}/transition"
    skip = http.post(url, json={"status": "resolved"}, headers=auth(users.operator))
    assert skip.status_code == 409
    assert skip.json()["code"] == "invalid_transition"
    assert "can move to acknowledged" in skip.json()["message"]
    for status in ORDER[1:]:
        r = http.post(url, json={"status": status}, headers=auth(users.operator))
        assert r.status_code == 200, r.text
        props = r.json()["properties"]
        assert props["status"] == status
        assert props[f"{status}_at"] is not None
    again = http.post(url, json={"status": "closed"}, headers=auth(users.operator))
    assert again.status_code == 409
    assert "closed" in again.json()["message"]


def test_update_changes_attributes_not_status(http: httpx.Client, users: Users) -> None:
    feature = create(http, users.operator).json()
    url = f"/incidents/{feature['id']}"
    r = http.patch(
        url, json={"severity": 4, "lon": 108.44, "lat": 11.94}, headers=auth(users.admin)
    )
    assert r.status_code == 200
    assert r.json()["properties"]["severity"] == 4
    assert r.json()["geometry"]["coordinates"] == [108.44, 11.94]
    refused = http.patch(url, json={"status": "closed"}, headers=auth(users.admin))
    assert refused.status_code == 400
    assert refused.json()["field"] == "status"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "meteor", "severity": 2, "lon": 108.4, "lat": 11.9}, "type"),
        ({"type": "fire", "severity": 5, "lon": 108.4, "lat": 11.9}, "severity"),
        ({"type": "fire", "severity": 2, "lon": 208.4, "lat": 11.9}, "lon"),
        ({"type": "fire", "severity": 2, "lat": 11.9}, "lon"),
    ],
)
def test_bad_incident_is_a_400_naming_the_field(
    http: httpx.Client, users: Users, body: dict[str, Any], field: str
) -> None:
    r = http.post("/incidents", json=body, headers=auth(users.operator))
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_incident"
    assert r.json()["field"] == field


@pytest.mark.django_db
def test_refused_write_leaves_no_trace(http: httpx.Client, users: Users) -> None:
    counts = (Incident.objects.count(), Event.objects.count())
    http.post("/incidents", content=b"{not json", headers=auth(users.operator))
    http.post("/incidents", json={"type": "fire"}, headers=auth(users.planner))
    assert (Incident.objects.count(), Event.objects.count()) == counts


def test_access(http: httpx.Client, users: Users) -> None:
    assert http.get("/incidents").status_code == 401
    assert http.get("/incidents", headers=auth(users.planner)).status_code == 200
    refused = create(http, users.planner)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert http.post("/incidents", json={}).status_code == 401
    assert http.get("/incidents/abc", headers=auth(users.planner)).status_code == 404
    assert http.get("/incidents/999999999", headers=auth(users.planner)).status_code == 404


@pytest.mark.django_db
def test_list_filters_match_the_database(http: httpx.Client, users: Users) -> None:
    params = {
        "status": "new,acknowledged",
        "severity_min": "3",
        "limit": "1000",
        "bbox": "108.40,11.90,108.47,11.96",
    }
    r = http.get("/incidents", params=params, headers=auth(users.operator))
    assert r.status_code == 200
    body = r.json()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM operations_incident WHERE status IN ('new', 'acknowledged')"
            " AND severity >= 3 AND geom && ST_MakeEnvelope(108.40, 11.90, 108.47, 11.96, 4326)"
        )
        expected = {row[0] for row in cur.fetchall()}
    assert {f["id"] for f in body["features"]} == expected
    assert body["numberMatched"] == len(expected)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"severity_min": "9"}, "severity_min"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-01T00:00:00"}, "since"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"limit": "5000"}, "limit"),
    ],
)
def test_bad_filter_is_a_400(
    http: httpx.Client, users: Users, params: dict[str, str], field: str
) -> None:
    r = http.get("/incidents", params=params, headers=auth(users.operator))
    assert r.status_code == 400
    assert r.json()["field"] == field


@pytest.mark.django_db
def test_session_login_needs_the_csrf_token(users: Users) -> None:
    """A browser session may write only with the CSRF token; a token client never needs it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.get(username="test_operator"))
    body = {"type": "fire", "severity": 2, "lon": 108.44, "lat": 11.94}
    forged = browser.post("/incidents", body, content_type="application/json")
    assert forged.status_code == 403
    assert forged.json()["code"] == "permission_denied"
    browser.get("/")  # the map page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    ok = browser.post("/incidents", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201, ok.content
