"""Query-count guards: no list endpoint makes more queries for more rows (no N+1).

Each endpoint is asked through the Django test client twice, before and after rows are added
that the answer must list; the number of queries must not grow, while the answer does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from geo_ioc.operations.models import Alert, AlertRule, Incident
from geo_ioc.sensors.models import Station
from layers.definitions import LayerDefinition
from layers.models import Layer
from tests.conftest import Users

pytestmark = pytest.mark.django_db
MORE = 12
CENTRE = (108.44, 11.94)


def measured(client: Client, url: str, token: str | None, **params: str) -> tuple[int, Any]:
    """Queries made by one GET, and its JSON body (after a first call that warms caches)."""
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    client.get(url, params, **headers)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params, **headers)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r.json()


def guard(
    token: str | None,
    url: str,
    add: Callable[[int], None],
    size: Callable[[Any], int],
    **params: str,
) -> None:
    """The endpoint lists `MORE` more rows after `add` with no more queries than with one.

    One row is added first, so both answers are read in the same state (for layers: a catalogue
    written in this transaction, which is read per request and not kept until it commits).
    """
    client = Client()
    add(1)
    # A first request refreshes the token's `last_used` (written at most once a minute), so
    # neither measured request is the one that crosses that minute.
    measured(client, url, token, **params)
    before, body = measured(client, url, token, **params)
    add(MORE)
    after, grown = measured(client, url, token, **params)
    assert size(grown) >= size(body) + MORE, (size(body), size(grown))
    assert after <= before, f"{url}: {before} queries for {size(body)} rows, {after} for more"


def _incidents(n: int, words: str = "") -> None:
    now = timezone.now()
    for i in range(n):
        Incident.objects.create(
            code=f"QC-{uuid.uuid4().hex[:10]}",
            type=Incident.Type.values[0],
            severity=2,
            description=f"{words} {i}".strip(),
            geom=Point(CENTRE[0] + i * 1e-4, CENTRE[1], srid=4326),
            reported_at=now,
        )


def features(body: dict[str, Any]) -> int:
    return len(body["features"])


def test_incidents(users: Users) -> None:
    guard(users.operator, "/incidents", _incidents, features, limit="1000")


def test_alerts(users: Users) -> None:
    def add(n: int) -> None:
        _incidents(n)
        for incident in Incident.objects.order_by("-pk")[:n]:
            rule = AlertRule.objects.create(
                name=f"qc-{uuid.uuid4().hex[:10]}", kind=AlertRule.Kind.INCIDENT_IN_AREA, event="QC"
            )
            Alert.objects.create(
                identifier=uuid.uuid4(),
                rule=rule,
                key=f"qc-{uuid.uuid4().hex[:8]}",
                sent=timezone.now(),
                headline="QC",
                area_desc="QC",
                area=Point(*CENTRE, srid=4326).buffer(0.001),
                incident=incident,
            )

    guard(users.operator, "/alerts", add, features)


def test_stations(users: Users) -> None:
    def add(n: int) -> None:
        for i in range(n):
            Station.objects.create(
                code=f"QC{uuid.uuid4().hex[:8]}",
                name=f"QC {i}",
                kind=Station.Kind.values[0],
                geom=Point(CENTRE[0], CENTRE[1] + i * 1e-4, srid=4326),
            )

    guard(users.operator, "/sensors/stations", add, features)


def test_layers(users: Users) -> None:
    template = Layer.objects.get(slug="roads").definition()

    def add(n: int) -> None:
        group, _ = Group.objects.get_or_create(name="planner")
        for _ in range(n):
            data = template.model_dump(mode="json", by_alias=True)
            data.update(
                slug=f"qc_layer_{uuid.uuid4().hex[:8]}",
                access_level="restricted",
                allowed_groups=["planner"],
            )
            Layer.upsert(LayerDefinition.model_validate(data))

    guard(users.planner, "/layers", add, lambda body: len(body["layers"]))


def test_search(users: Users) -> None:
    guard(
        users.operator,
        "/search",
        lambda n: _incidents(n, "quycheck"),
        lambda body: len(body["results"]),
        q="quycheck",
        limit="50",
    )


def test_ogc_items(users: Users) -> None:
    guard(
        users.operator,
        "/ogc/collections/incidents/items",
        _incidents,
        features,
        limit="1000",
    )
