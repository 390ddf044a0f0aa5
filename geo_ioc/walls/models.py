"""What changes on a wall at run time: the view a console last drove it to."""

from __future__ import annotations

from typing import Any

from django.db import models


class WallState(models.Model):
    """The last view and focus of a wall, so a screen that (re)starts shows what the others do.

    Written by the live channel on every drive message (`walls.sync`), read when a screen joins.
    """

    wall = models.CharField(max_length=63, unique=True)
    view: models.JSONField[dict[str, Any] | None] = models.JSONField(null=True, blank=True)
    focus: models.JSONField[dict[str, Any] | None] = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return f"{self.wall} ({self.updated_by or 'nobody'})"
