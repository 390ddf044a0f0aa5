"""Traffic and security cameras: a catalogue layer backed by a GeoDjango model."""

from __future__ import annotations

from django.contrib.gis.db import models


class Camera(models.Model):
    """A camera on the street network."""

    class Status(models.TextChoices):
        ONLINE = "online"
        OFFLINE = "offline"
        MAINTENANCE = "maintenance"

    class Kind(models.TextChoices):
        FIXED = "fixed"
        PTZ = "ptz"
        ANPR = "anpr"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FIXED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ONLINE)
    road_name = models.CharField(max_length=200, blank=True)
    heading_deg = models.PositiveSmallIntegerField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)
    geom = models.PointField(srid=4326)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
