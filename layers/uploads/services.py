"""HTTP imports: an uploaded file is stored under GEO_IOC_UPLOAD_DIR and imported by a worker.

The worker runs the same transactional import as `geo-ioc import` (`layers.imports.import_file`):
a file with a bad row changes nothing, and the job keeps the report of every refused row.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from geo_ioc.core import jobs as queue
from geo_ioc.core.errors import ApiError, InvalidParameter
from layers.definitions import AccessLevel
from layers.errors import ImportRejected
from layers.imports import Generalize, LayerOptions, import_file
from layers.ingest import InvalidPolicy, Mode
from layers.jobs import ImportJob
from layers.readers import FORMATS, ReadOptions, supported_formats

log = logging.getLogger(__name__)
_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def upload_dir() -> Path:
    """Where uploaded files wait for their import (GEO_IOC_UPLOAD_DIR)."""
    return Path(settings.GEO_IOC_UPLOAD_DIR)


def _choice[E: (Mode, InvalidPolicy, AccessLevel)](kind: type[E], raw: str, field: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        names = ", ".join(m.value for m in kind)
        raise InvalidParameter(
            f"{field} must be one of {names}, got {raw!r}.", field=field
        ) from None


def accept(
    user: User | None, upload: IO[bytes], file_name: str, params: dict[str, str]
) -> ImportJob:
    """Check the request, store the file and queue its import (all or nothing)."""
    slug = params.get("layer", "")
    if not _SLUG.match(slug):
        raise InvalidParameter("layer must be a slug like `bus_stops`.", field="layer")
    mode = _choice(Mode, params.get("mode") or Mode.CREATE.value, "mode")
    invalid = _choice(InvalidPolicy, params.get("invalid") or InvalidPolicy.REPAIR.value, "invalid")
    access = _choice(AccessLevel, params["access"], "access").value if params.get("access") else ""
    name = _SAFE_NAME.sub("_", Path(file_name).name).strip("._") or "upload"
    if not any(name.lower().endswith(ext) for ext in FORMATS):
        raise InvalidParameter(
            f"{name} is not a supported file; send one of {supported_formats()}.", field="file"
        )
    from layers import tasks  # the task module imports this one

    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user,
            layer=slug,
            mode=mode.value,
            invalid=invalid.value,
            access=access,
            file_name=name,
        )
        target = upload_dir() / str(job.pk) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(upload, out, 1024 * 1024)
        job.file_path = str(target)
        job.task_id = queue.defer(tasks.import_upload, job_id=str(job.pk))
        job.save(update_fields=["file_path", "task_id"])
    return job


def run(job_id: str, run: queue.Run | None = None) -> ImportJob:
    """Import the job's file into its layer; the job row says how it ended."""
    run = run or queue.Run(None)
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in ImportJob.ACTIVE:
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), error="", errors=[]
    )
    opts = LayerOptions(
        slug=job.layer,
        mode=Mode(job.mode),
        invalid=InvalidPolicy(job.invalid),
        access_level=AccessLevel(job.access) if job.access else None,
        generalize=Generalize.AUTO,
    )
    outcome: dict[str, object]
    try:
        run.check()
        result = import_file(Path(job.file_path), ReadOptions(), opts, progress=False)
        report = result.report
        outcome = {
            "status": ImportJob.Status.DONE,
            "rows_read": report.rows_read,
            "rows_written": report.rows_written,
            "repaired": report.repaired,
            "notes": [{"row": e.row, "reason": e.reason} for e in report.unread],
            "access_level": result.layer.access_level,
        }
    except ImportRejected as exc:
        errors = [{"row": e.row, "reason": e.reason} for e in exc.errors]
        outcome = {"status": ImportJob.Status.FAILED, "error": exc.message, "errors": errors}
    except ApiError as exc:
        outcome = {"status": ImportJob.Status.FAILED, "error": exc.message}
    except Exception as exc:
        if run.will_retry(exc):
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
            raise
        log.exception("import job %s failed", job.pk)
        outcome = {"status": ImportJob.Status.FAILED, "error": "The import failed; it is logged."}
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **outcome)
    # The file has served its purpose either way; the report stays on the job.
    shutil.rmtree(Path(job.file_path).parent, ignore_errors=True)
    job.refresh_from_db()
    return job
