"""One model with a point geometry: the city's information kiosks."""

from __future__ import annotations

from django.contrib.gis.db import models


class Kiosk(models.Model):
    """An information kiosk on a street."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, default="online")
    geom = models.PointField(srid=4326)

    def __str__(self) -> str:
        return self.code
