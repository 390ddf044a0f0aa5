"""`geo-ioc incidents simulate` reports synthetic incidents on real roads through the service."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from geo_ioc.core.models import Event
from geo_ioc.operations.models import Incident

pytestmark = pytest.mark.django_db


def test_simulated_incidents_lie_on_roads_and_are_published() -> None:
    before = Incident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    out = StringIO()
    call_command("incidents", "simulate", "--count", "3", "--every", "0", "--seed", "5", stdout=out)
    made = list(Incident.objects.filter(pk__gt=before))
    assert len(made) == 3 and out.getvalue().count("SC-") == 3
    assert all(i.synthetic and i.source == "sensor" and i.status == "new" for i in made)
    with connection.cursor() as cur:
        for incident in made:
            cur.execute(
                "SELECT min(ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)"
                "::geography)) FROM layer_data.roads",
                [incident.geom.x, incident.geom.y],
            )
            assert cur.fetchone()[0] < 1.0  # metres: on a road
    events = Event.objects.filter(layer="incidents", feature_id__in=[i.pk for i in made])
    assert events.count() == 3
