"""Number-plate reads and cold-fine violations from an external system (police only).

They arrive in batches (`POST /cameras/anpr`), keyed by the external system's id so a batch sent
twice is stored once, and are deleted after `GEO_IOC_ANPR_RETENTION_DAYS`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo_ioc.cameras.models import AnprEvent, Camera

LAYER = "anpr_events"
MAX_BATCH = 1000


class AnprIn(BaseModel):
    """One read as the external system sends it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=100)
    camera: str = Field(min_length=1, max_length=32)
    plate: str = Field(min_length=2, max_length=16, pattern=r"^[0-9A-Z][0-9A-Z.\- ]+$")
    violation: str = Field(default="", max_length=100)
    at: datetime


def retention() -> timedelta:
    """How long reads are kept."""
    return timedelta(days=settings.GEO_IOC_ANPR_RETENTION_DAYS)


def ingest(batch: list[Any]) -> dict[str, Any]:
    """Store a batch; refused rows are listed, the rest stored (older than retention: refused)."""
    now = timezone.now()
    rows: list[tuple[int, AnprIn]] = []
    rejected: list[dict[str, Any]] = []
    for i, raw in enumerate(batch):
        try:
            item = AnprIn.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            rejected.append(
                {"index": i, "reason": f"{'.'.join(map(str, err['loc']))}: {err['msg']}"}
            )
            continue
        if now - item.at > retention():
            rejected.append({"index": i, "reason": "at: older than the retention limit"})
            continue
        rows.append((i, item))
    cams = {c.code: c for c in Camera.objects.filter(code__in={r.camera for _, r in rows})}
    inserted = duplicates = 0
    with transaction.atomic():
        for i, r in rows:
            cam = cams.get(r.camera)
            if cam is None:
                rejected.append({"index": i, "reason": f"camera: no camera {r.camera!r}"})
                continue
            _, created = AnprEvent.objects.get_or_create(
                source_id=r.id,
                defaults={
                    "camera": cam,
                    "camera_code": cam.code,
                    "plate": r.plate.upper(),
                    "violation": r.violation,
                    "at": r.at,
                    "geom": cam.geom,
                },
            )
            inserted += created
            duplicates += not created
    rejected.sort(key=lambda x: int(x["index"]))
    return {"inserted": inserted, "duplicates": duplicates, "rejected": rejected}


def prune(now: datetime | None = None) -> int:
    """Delete reads older than the retention limit; returns how many."""
    cutoff = (now or timezone.now()) - retention()
    return int(AnprEvent.objects.filter(at__lt=cutoff).delete()[0])
