"""Export and import jobs: the user-facing record (status, progress, outcome) of a queued job."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class JobRecord(models.Model):
    """What every job record has: when it ran, how it failed, and its job on the queue."""

    error = models.TextField(blank=True, help_text="What the user sees when the job failed")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The queue's job (procrastinate_jobs.id) doing the work; none for a foreground export.
    task_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    def times(self) -> dict[str, str | None]:
        """Its timestamps as the API shows them."""
        return {
            name: value.isoformat() if (value := getattr(self, name)) else None
            for name in ("created_at", "started_at", "finished_at")
        }


class ExportJob(JobRecord):
    """One export of one or several layers to a file, with its progress and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    layers = models.JSONField(help_text="Slugs of the exported layers, in order")
    format = models.CharField(max_length=16)
    crs = models.PositiveIntegerField(default=4326, help_text="EPSG code of the file")
    params = models.JSONField(default=dict, blank=True, help_text="bbox, bbox-crs, filter, …")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    features_total = models.BigIntegerField(null=True, blank=True)
    features_done = models.BigIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"export {self.id} {','.join(self.layers)} {self.format} ({self.status})"

    @property
    def progress(self) -> float:
        """Fraction done, 0 to 1."""
        if self.status == self.Status.DONE:
            return 1.0
        if not self.features_total:
            return 0.0
        return min(1.0, self.features_done / self.features_total)

    def summary(self) -> dict[str, Any]:
        """The job as the API shows it (links are added by the view)."""
        return {
            "id": str(self.id),
            "status": self.status,
            "layers": self.layers,
            "format": self.format,
            "crs": f"EPSG:{self.crs}",
            "progress": round(self.progress, 4),
            "features_total": self.features_total,
            "features_done": self.features_done,
            "file_name": self.file_name or None,
            "file_size": self.file_size,
            "error": self.error or None,
            **self.times(),
        }


class ImportJob(JobRecord):
    """One uploaded file imported into a layer by a worker, with its outcome and refused rows."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    layer = models.CharField(max_length=63, help_text="Slug of the layer to create or fill")
    mode = models.CharField(max_length=16)
    invalid = models.CharField(max_length=16, default="repair")
    file_path = models.CharField(max_length=500)
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.BigIntegerField(null=True, blank=True)
    rows_written = models.BigIntegerField(null=True, blank=True)
    repaired = models.JSONField(default=list, blank=True, help_text="Rows repaired by PostGIS")
    errors = models.JSONField(default=list, blank=True, help_text="Refused rows: {row, reason}")
    access = models.CharField(
        max_length=16, blank=True, help_text="Access level asked for (blank: keep, new: staff)"
    )
    notes = models.JSONField(
        default=list, blank=True, help_text="Values stored as null: {row, reason}"
    )
    access_level = models.CharField(max_length=16, blank=True, help_text="The layer's, after")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.id} {self.file_name} → {self.layer} ({self.status})"

    def summary(self) -> dict[str, Any]:
        """The job as the API shows it."""
        return {
            "id": str(self.id),
            "status": self.status,
            "layer": self.layer,
            "mode": self.mode,
            "invalid": self.invalid,
            "file_name": self.file_name,
            "progress": 1.0 if self.status == self.Status.DONE else 0.0,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "repaired": self.repaired,
            "errors": self.errors,
            "unread_values": self.notes,
            "access_level": self.access_level or None,
            "publish": self.publish_hint(),
            "error": self.error or None,
            **self.times(),
        }

    def publish_hint(self) -> str | None:
        """How to publish a layer the import left unseen by anonymous users."""
        if self.status != self.Status.DONE or self.access_level in ("", "public"):
            return None
        return (
            f"Layer {self.layer!r} is {self.access_level}: anonymous users see none of it. "
            f"Publish it with `geo-ioc publish {self.layer}` or import with access=public."
        )
