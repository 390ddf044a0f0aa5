"""A field restricted in the catalogue is hidden in every output, not only in tiles and features."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from geo_ioc.core.live.events import Entry
from geo_ioc.core.live.hub import messages, redact
from geo_ioc.operations.models import Alert, AlertRule
from layers import catalogue
from layers.access import hidden_by_layer
from layers.models import Layer
from tests.conftest import Users
from tests.helpers import auth

pytestmark = pytest.mark.django_db
WORD = "mậtmã" + uuid.uuid4().hex[:6]  # only in the restricted description
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture
def restricted(db: None) -> Iterator[None]:
    """incidents.description restricted to operators (planners see incidents, not it)."""
    layer = Layer.objects.get(slug="incidents")
    layer.fields = [
        {**f, "access": "restricted"} if f["name"] == "description" else f for f in layer.fields
    ]
    layer.save()
    layer.allowed_groups.set([Group.objects.get(name="operator")])
    catalogue.forget()
    yield
    catalogue.forget()


@pytest.fixture
def incident(restricted: None, users: Users) -> dict[str, Any]:
    client = Client(HTTP_HOST="localhost")
    body = {"type": "fire", "severity": 3, "lon": 108.44, "lat": 11.94, "description": WORD}
    r = client.post("/incidents", body, content_type="application/json", **_h(users.operator))
    assert r.status_code == 201, r.content
    return dict(r.json())


def _h(token: str) -> dict[str, str]:
    return {f"HTTP_{k.upper()}": v for k, v in auth(token).items()}


def _get(token: str, url: str, **params: Any) -> Any:
    r = Client(HTTP_HOST="localhost").get(url, params, **_h(token))
    assert r.status_code == 200, (url, r.content)
    return r


def test_incidents_list_and_one(incident: dict[str, Any], users: Users) -> None:
    assert incident["properties"]["description"] == WORD  # the operator wrote and sees it
    one = f"/incidents/{incident['id']}"
    assert "description" not in _get(users.planner, one).json()["properties"]
    assert _get(users.operator, one).json()["properties"]["description"] == WORD
    listed = _get(users.planner, "/incidents", limit=1000).json()["features"]
    assert listed and all("description" not in f["properties"] for f in listed)
    mine = [f for f in _get(users.operator, "/incidents", limit=1000).json()["features"]]
    assert any(f["properties"].get("description") == WORD for f in mine)


def test_search_neither_matches_nor_returns(incident: dict[str, Any], users: Users) -> None:
    def found(token: str) -> list[dict[str, Any]]:
        results = _get(token, "/search", q=WORD).json()["results"]
        return [r for r in results if r["kind"] == "incident" and r["id"] == str(incident["id"])]

    assert found(users.operator) and found(users.operator)[0]["subtitle"] == WORD
    assert found(users.planner) == []
    code = incident["properties"]["code"]
    by_code = [r for r in _get(users.planner, "/search", q=code).json()["results"]]
    assert by_code and all(WORD not in str(r) for r in by_code)


def test_alerts_and_cap(incident: dict[str, Any], users: Users) -> None:
    rule = AlertRule.objects.create(
        name=f"fr-{uuid.uuid4().hex[:8]}", kind=AlertRule.Kind.INCIDENT_IN_AREA, event="Cháy"
    )
    alert = Alert.objects.create(
        identifier=uuid.uuid4(),
        rule=rule,
        key="fr",
        sent=timezone.now(),
        headline="Cháy trong vùng",
        description=WORD,
        area_desc="vùng",
        area=Point(108.44, 11.94, srid=4326).buffer(0.001),
        incident_id=incident["id"],
    )
    for url in ("/alerts", f"/alerts/{alert.pk}", f"/alerts/{alert.pk}.cap", "/alerts.cap"):
        assert WORD not in _get(users.planner, url).content.decode(), url
        assert WORD in _get(users.operator, url).content.decode(), url
    cap = ET.fromstring(_get(users.planner, f"/alerts/{alert.pk}.cap").content)
    assert cap.find(f"{CAP}info/{CAP}headline") is not None  # the rest is still there


def test_live_payloads_per_subscriber(incident: dict[str, Any], users: Users) -> None:
    from django.contrib.auth import get_user_model

    planner = get_user_model().objects.get(username="test_planner")
    operator = get_user_model().objects.get(username="test_operator")
    entry = Entry(
        seq=1,
        xid=1,
        time=timezone.now(),
        layer="incidents",
        relation="",
        operation="create",
        feature_id=incident["id"],
        feature_ids=None,
        geom_wkb=None,
        before=None,
        actor="",
        data=incident,
    )
    [message] = messages([entry])
    hidden = hidden_by_layer(planner, {"incidents", "alerts"})
    assert hidden == {"incidents": {"description"}, "alerts": {"description"}}
    assert "description" not in redact(message, hidden)["feature"]["properties"]
    assert message["feature"]["properties"]["description"] == WORD  # the shared copy is intact
    assert hidden_by_layer(operator, {"incidents", "alerts"}) == {}
