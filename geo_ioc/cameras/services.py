"""Writes of the cameras app that the API calls: registry edits, audit of snapshot views."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from geo_ioc.cameras import health
from geo_ioc.cameras.coverage import refresh_fov
from geo_ioc.cameras.models import Camera, Snapshot
from geo_ioc.land.models import AuditEntry

User = AbstractBaseUser | AnonymousUser
# What moves a field of view: a change to any of these recomputes it.
FOV_FIELDS = ("heading_deg", "fov_deg", "range_m", "geom")


def audit_snapshot_view(user: User, snapshot: Snapshot, path: str) -> AuditEntry:
    """Write who viewed which camera image, and where (the land app's audit log)."""
    return AuditEntry.objects.create(
        user_id=user.pk if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        action="view_snapshot",
        object_type="cameras.snapshot",
        object_id=snapshot.pk,
        object_label=f"{snapshot.camera.code} {snapshot.taken_at:%Y-%m-%d %H:%M:%S}"[:100],
        fields=["jpeg"],
        path=path[:300],
    )


@transaction.atomic
def update_view(
    camera: Camera, *, heading_deg: int | None, fov_deg: int | None, range_m: float | None
) -> Camera:
    """Turn or widen a camera's field of view (the console's sector drag) and recompute it."""
    if heading_deg is not None:
        camera.heading_deg = heading_deg % 360
    if fov_deg is not None:
        camera.fov_deg = fov_deg
    if range_m is not None:
        camera.range_m = range_m
    camera.save(update_fields=["heading_deg", "fov_deg", "range_m"])
    refresh_fov([camera.pk])
    camera.refresh_from_db()
    health.publish([camera])
    return camera
