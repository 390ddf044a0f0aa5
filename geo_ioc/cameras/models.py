"""Cameras: the registry (a catalogue layer), their health, analytics state, frames and events.

Image geometry (privacy masks, the analysis region, counting lines) is kept in normalised image
coordinates, x and y in 0–1 from the top left, so it holds whatever resolution a camera sends.
"""

from __future__ import annotations

from typing import Any

from django.contrib.gis.db import models


class Camera(models.Model):
    """A camera on the street network."""

    class Status(models.TextChoices):
        ONLINE = "online"
        DEGRADED = "degraded"
        OFFLINE = "offline"
        MAINTENANCE = "maintenance"

    class Kind(models.TextChoices):
        SECURITY = "security"
        TRAFFIC = "traffic"
        ANPR = "anpr"

    class Tamper(models.TextChoices):
        NONE = "", "—"
        COVERED = "covered"
        BLURRED = "blurred"
        MOVED = "moved"
        SCENE_CHANGE = "scene_change"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TRAFFIC)
    owner_unit = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OFFLINE)
    in_maintenance = models.BooleanField(default=False, help_text="Set by staff; wins over health")
    road_name = models.CharField(max_length=200, blank=True)
    # Field of view: bearing clockwise from north, opening angle and how far it usefully sees.
    heading_deg = models.PositiveSmallIntegerField(null=True, blank=True)
    fov_deg = models.PositiveSmallIntegerField(default=60)
    range_m = models.FloatField(default=80.0)
    mount_height_m = models.FloatField(default=6.0)
    # Kept from anyone but admins: never a catalogue field (tiles, OGC API, exports).
    stream_url = models.CharField(max_length=500, blank=True)
    snapshot_url = models.CharField(max_length=500, blank=True)
    privacy_masks: models.JSONField[list[list[list[float]]]] = models.JSONField(
        default=list, blank=True, help_text="Polygons [[x, y], …] in 0–1 image coordinates"
    )
    analysis_region: models.JSONField[list[list[float]]] = models.JSONField(
        default=list, blank=True, help_text="Polygon [[x, y], …]; empty: the whole frame"
    )
    counting_lines: models.JSONField[list[dict[str, Any]]] = models.JSONField(
        default=list, blank=True, help_text='[{"name": "in", "a": [x, y], "b": [x, y]}]'
    )
    # Status, derived from heartbeats (`health.py`) and stored only when it changes.
    expected_fps = models.FloatField(default=15.0)
    status_since = models.DateTimeField(null=True, blank=True)
    # Analytics, from frames (`frames.py`); stored only when the state changes.
    tamper = models.CharField(max_length=16, choices=Tamper.choices, blank=True, default="")
    tamper_confidence = models.FloatField(null=True, blank=True)
    congestion = models.FloatField(null=True, blank=True, help_text="Stopped share of the region")
    occupancy = models.FloatField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)
    geom = models.PointField(srid=4326)
    # The field of view cut by buildings (`coverage.py`); kept with the camera.
    fov = models.PolygonField(srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CameraCoverage(models.Model):
    """The fields of view as a layer: the view `cameras_coverage` (see migration 0002)."""

    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    range_m = models.FloatField()
    fov = models.PolygonField(srid=4326)

    class Meta:
        managed = False
        db_table = "cameras_coverage"


class StatusChange(models.Model):
    """When a camera's status changed: the history that uptime is measured from."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="status_changes")
    at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=Camera.Status.choices)

    class Meta:
        ordering = ["camera", "at"]
        indexes = [models.Index(fields=["camera", "at"], name="cameras_status_cam_at")]


class Snapshot(models.Model):
    """A frame as stored: always after privacy masking (`privacy.py`), as JPEG."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField()
    jpeg = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    faces = models.PositiveSmallIntegerField(default=0)
    plates = models.PositiveSmallIntegerField(default=0)
    keep = models.BooleanField(default=False, help_text="Attached to an event: kept past pruning")

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["camera", "-taken_at"], name="cameras_snap_cam_taken")]


class FrameMetrics(models.Model):
    """What the analytics measured on one frame (sparklines, tuning, evidence)."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="metrics")
    at = models.DateTimeField()
    blur = models.FloatField(help_text="Variance of the Laplacian")
    brightness = models.FloatField()
    entropy = models.FloatField()
    displacement_px = models.FloatField(null=True, blank=True)
    match_share = models.FloatField(null=True, blank=True)
    scene_change = models.FloatField(null=True, blank=True)
    occupancy = models.FloatField(null=True, blank=True)
    moving = models.FloatField(null=True, blank=True)
    stopped = models.FloatField(null=True, blank=True)
    counts: models.JSONField[dict[str, int]] = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["camera", "-at"], name="cameras_metrics_cam_at")]


class Health(models.Model):
    """The last heartbeat of a camera (kept apart: a heartbeat is not a change of the layer)."""

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, related_name="health")
    last_heartbeat_at = models.DateTimeField()
    last_frame_at = models.DateTimeField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    bitrate_kbps = models.FloatField(null=True, blank=True)


class AnalyticsState(models.Model):
    """What a camera's analytics carry between frames (`vision.chain.dumps`; fully masked input)."""

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, related_name="analytics")
    data = models.BinaryField()
    frames = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class CameraEvent(models.Model):
    """Something the analytics saw, with its confidence and the masked snapshot as evidence."""

    class Kind(models.TextChoices):
        COVERED = "covered"
        BLURRED = "blurred"
        MOVED = "moved"
        SCENE_CHANGE = "scene_change"
        CONGESTION = "congestion"

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField()
    confidence = models.FloatField()
    detail: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-at", "-id"]


class AnprEvent(models.Model):
    """A number-plate read or cold-fine violation from an external system (police only)."""

    camera = models.ForeignKey(Camera, on_delete=models.SET_NULL, null=True, related_name="+")
    camera_code = models.CharField(max_length=32)
    plate = models.CharField(max_length=16)
    violation = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(db_index=True)
    source_id = models.CharField(max_length=100, unique=True)
    geom = models.PointField(srid=4326)

    class Meta:
        ordering = ["-at", "-id"]
