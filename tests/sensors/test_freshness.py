"""Freshness: a silent station is stale in the API, in the stored flag the tiles draw, and live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from geo_ioc.core.models import Event
from geo_ioc.sensors import freshness
from geo_ioc.sensors.models import Reading, Station
from geo_ioc.sensors.queries import is_stale
from geo_ioc.sensors.services import ingest
from tests.helpers import settle

pytestmark = pytest.mark.django_db


def test_stale_after_two_missed_reports() -> None:
    station = Station.objects.get(code="AQ-02")
    assert station.last_reading_at is not None
    limit = timedelta(minutes=station.cadence_minutes * 2)
    assert not is_stale(station, station.last_reading_at + limit)
    assert is_stale(station, station.last_reading_at + limit + timedelta(seconds=1))


def test_sweep_flags_a_silent_station_and_a_reading_revives_it(client: Client) -> None:
    assert freshness.sweep() == []  # the demo's stations have just reported
    station = Station.objects.get(code="AQ-02")
    assert station.stale is False and station.aqi is not None
    # Silence: the station's last five hours of readings never came.
    silent_since = timezone.now() - timedelta(hours=5)
    Reading.objects.filter(station=station, time__gt=silent_since).delete()
    newest = Reading.objects.filter(station=station).latest("time").time
    Station.objects.filter(pk=station.pk).update(last_reading_at=newest)
    settle()
    last_seq = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    assert freshness.sweep() == [station.pk]
    settle()
    assert Station.objects.get(pk=station.pk).stale is True
    event = Event.objects.get(seq__gt=last_seq, feature_id=station.pk)
    assert event.layer == "env_stations" and event.data["properties"]["stale"] is True
    assert freshness.sweep() == []  # nothing changed since: nothing published

    # The API says so too, and keeps the last AQI without passing it off as current.
    feature = next(
        f for f in client.get("/sensors/stations").json()["features"] if f["id"] == station.pk
    )
    assert feature["properties"]["stale"] is True and feature["properties"]["aqi"] is not None

    # A late reading from long ago does not revive it; a current one does.
    old = (silent_since - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    ingest([{"time": old.isoformat(), "pollutant": "no2", "value": 20.0}], station="AQ-02")
    assert Station.objects.get(pk=station.pk).stale is True
    now = timezone.now()  # to the microsecond: never a repeat of a seeded or simulated reading
    ingest([{"time": now.isoformat(), "pollutant": "no2", "value": 20.0}], station="AQ-02")
    assert Station.objects.get(pk=station.pk).stale is False


def test_station_list_is_one_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """However many stations, the list costs one query (the layer's access check is in memory)."""
    client.get("/sensors/stations")  # reads the catalogue once per process
    with django_assert_num_queries(1):
        body = client.get("/sensors/stations").json()
    assert len(body["features"]) == Station.objects.count() >= 8
