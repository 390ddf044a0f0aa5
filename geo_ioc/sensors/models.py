"""Environmental stations (a catalogue layer) and their readings."""

from __future__ import annotations

from django.contrib.gis.db import models


class Station(models.Model):
    """An air or water quality station; carries its freshness and its latest AQI."""

    class Kind(models.TextChoices):
        AIR = "air", "Không khí"
        WATER = "water", "Nước"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    place = models.CharField(max_length=200, blank=True)
    cadence_minutes = models.PositiveIntegerField(
        default=60, help_text="Expected reporting interval"
    )
    last_reading_at = models.DateTimeField(null=True, blank=True)
    # Stored for tiles (which cannot ask for the time): kept by ingestion and by the sweep of
    # `geo-ioc mqtt`; the API computes it afresh on every request.
    stale = models.BooleanField(default=True, help_text="Missed two expected reports")
    # The latest hourly VN_AQI, kept by ingestion so tiles can colour stations without a join.
    aqi = models.PositiveSmallIntegerField(null=True, blank=True)
    aqi_band = models.CharField(max_length=16, blank=True)
    aqi_dominant = models.CharField(max_length=8, blank=True)
    aqi_hour = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)
    geom = models.PointField(srid=4326)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Reading(models.Model):
    """One measured value; (station, time, pollutant) is unique, so a repeat changes nothing."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="readings")
    time = models.DateTimeField()
    pollutant = models.CharField(max_length=16)
    value = models.FloatField(help_text="µg/m³ for air pollutants; the parameter's unit for water")
    unit = models.CharField(max_length=16)
    received_at = models.DateTimeField(auto_now_add=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "time", "pollutant"],
                name="one_reading_per_station_time_pollutant",
            )
        ]
        indexes = [models.Index(fields=["station", "pollutant", "-time"])]

    def __str__(self) -> str:
        return f"{self.station_id} {self.time:%Y-%m-%d %H:%M} {self.pollutant}={self.value}"


class HourlyMean(models.Model):
    """Sum and count of readings per station, pollutant and UTC hour.

    Kept by database triggers on every insert and delete of readings, so AQI reads a dozen rows
    per pollutant however many readings arrive in an hour.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    pollutant = models.CharField(max_length=16)
    hour = models.DateTimeField()
    total = models.FloatField()
    count = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "pollutant", "hour"], name="one_mean_per_station_pollutant_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.pollutant} {self.hour:%Y-%m-%d %H}:00"


class DeadLetter(models.Model):
    """An MQTT message the consumer could not store, kept for a person to look at."""

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    topic = models.CharField(max_length=300)
    reason = models.CharField(max_length=500)
    size = models.PositiveIntegerField(help_text="Payload size in bytes")
    excerpt = models.TextField(blank=True, help_text="The payload's first bytes, as text")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.topic}: {self.reason}"


class ConsumerStatus(models.Model):
    """The liveness of one MQTT consumer (by client id), written by itself every few seconds."""

    client_id = models.CharField(max_length=128, unique=True)
    connected = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField()
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_stored_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.client_id} ({'connected' if self.connected else 'disconnected'})"
