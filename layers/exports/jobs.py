"""The export job runner: a job row with progress, the work in a thread (or in the foreground).

There is no queue server: a job runs in a daemon thread of the process that accepted it, and
records its progress in the database so any process can answer its status. A job whose process
died stops sending heartbeats and is marked failed when someone next looks at it.
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection
from django.utils import timezone

from geo_ioc.core.errors import ApiError
from layers.access import User
from layers.exports import services
from layers.exports.services import ExportRequest
from layers.jobs import ExportJob

log = logging.getLogger(__name__)

HEARTBEAT_STALE = timedelta(minutes=10)
_PROGRESS_EVERY = 0.5  # seconds between progress writes


def system_user() -> User:
    """Who a job started from the terminal runs as: sees every layer and field (not saved)."""
    return get_user_model()(username="geo-ioc-cli", is_superuser=True, is_staff=True)


def create(user: User | None, request: ExportRequest) -> ExportJob:
    """A queued job for the request (access is checked now and again when it runs)."""
    cleanup_expired()
    owner = user if isinstance(user, get_user_model()) and user.pk is not None else None
    services.plan_export(user or system_user(), request)
    return ExportJob.objects.create(
        user=owner,
        layers=list(request.layers),
        format=request.format.name.value,
        crs=request.crs.srid,
        params={**request.filter_params, "crs": request.crs.uri},
        features_total=None,
    )


def request_of(job: ExportJob) -> ExportRequest:
    """The export request a job was created with."""
    params: dict[str, Any] = {"format": job.format, **job.params}
    return services.parse_request(list(job.layers), params)


def _job_dir(job: ExportJob) -> Path:
    return services.export_dir() / "jobs" / str(job.id)


class _Reporter:
    """Counts written features and saves progress at most twice a second."""

    def __init__(self, job: ExportJob, on_progress: Any = None) -> None:
        self.job = job
        self.done = 0
        self.saved_at = 0.0
        self.on_progress = on_progress

    def __call__(self, n: int) -> None:
        import time

        self.done += n
        if self.on_progress:
            self.on_progress(n)
        now = time.monotonic()
        if now - self.saved_at >= _PROGRESS_EVERY:
            self.saved_at = now
            ExportJob.objects.filter(pk=self.job.pk).update(
                features_done=self.done, heartbeat_at=timezone.now()
            )


def run(job_id: Any, on_total: Any = None, on_progress: Any = None) -> ExportJob:
    """Do the work of a job in this thread; the job row says how it ended."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    user: User = job.user if job.user is not None else system_user()
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    workdir = _job_dir(job)
    try:
        request = request_of(job)
        plans = services.plan_export(user, request)
        total = services.count(plans)
        ExportJob.objects.filter(pk=job.pk).update(features_total=total)
        if on_total:
            on_total(total)
        reporter = _Reporter(job, on_progress)
        path = services.write(plans, request, workdir, reporter)
        final = workdir / services.download_name(request)
        if path != final:
            path.rename(final)
        for extra in workdir.iterdir():  # a Shapefile's parts, once zipped
            if extra != final:
                shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            features_done=reporter.done,
            file_path=str(final),
            file_name=final.name,
            file_size=final.stat().st_size,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
    except ApiError as exc:
        _fail(job, exc.message, workdir)
    except Exception:
        log.exception("export job %s failed", job.pk)
        _fail(job, "The export failed; the error has been logged.", workdir)
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, message: str, workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


def _run_in_thread(job_id: Any) -> None:
    try:
        run(job_id)
    finally:
        # A thread has its own database connection: close it, or it lingers until exit.
        connection.close()


def start(job: ExportJob) -> threading.Thread:
    """Run the job in a background thread of this process."""
    close_old_connections()
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True)
    thread.name = f"export-{job.pk}"
    thread.start()
    return thread


def refresh_stale(job: ExportJob) -> ExportJob:
    """Mark a running job whose heartbeat stopped (its process died) as failed."""
    active = {ExportJob.Status.RUNNING, ExportJob.Status.QUEUED}
    beat = job.heartbeat_at or job.created_at
    if job.status in active and beat and timezone.now() - beat > HEARTBEAT_STALE:
        _fail(
            job, "The export was interrupted (the server restarted); start it again.", _job_dir(job)
        )
        job.refresh_from_db()
    return job


def cleanup_expired() -> int:
    """Delete job files older than GEO_IOC_EXPORT_KEEP_HOURS and their rows; returns how many."""
    from django.conf import settings

    cutoff = timezone.now() - timedelta(hours=settings.GEO_IOC_EXPORT_KEEP_HOURS)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True))
    for pk in old:
        shutil.rmtree(services.export_dir() / "jobs" / str(pk), ignore_errors=True)
    ExportJob.objects.filter(pk__in=old).delete()
    return len(old)
