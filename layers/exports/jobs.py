"""The export job runner: a job row with progress; the work on the job queue (or in the foreground).

`start` defers the `layers.export` task (layers/tasks.py) in the same transaction as the row, so
a `geo-ioc worker` process does the work; the row is the user-facing record (status, progress,
file) that any process answers from. A worker killed mid-export has its job queued again by the
queue; the retry starts from an empty folder, so nothing is written twice.
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from geo_ioc.core import jobs as queue
from geo_ioc.core.errors import ApiError, Conflict
from layers.access import User
from layers.exports import services
from layers.exports.errors import ExportBusy
from layers.exports.services import ExportRequest
from layers.jobs import ExportJob

log = logging.getLogger(__name__)

HEARTBEAT_STALE = timedelta(minutes=10)
# States of the queue's job that mean it will never run (again).
_QUEUE_FINAL = {"failed", "cancelled", "aborted"}


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


def check_quota(user: User) -> None:
    """Refuse (429) a job beyond the user's queued-or-running allowance."""
    from django.conf import settings

    limit: int = settings.GEO_IOC_EXPORT_JOBS_PER_USER
    mine = ExportJob.objects.filter(user_id=int(user.pk or 0), status__in=ExportJob.ACTIVE)
    active = [refresh_stale(j) for j in mine]
    if sum(j.status in ExportJob.ACTIVE for j in active) >= limit:
        raise ExportBusy(
            f"You have {limit} exports queued or running; wait for one to finish or cancel it."
        )


def request_of(job: ExportJob) -> ExportRequest:
    """The export request a job was created with."""
    params: dict[str, Any] = {"format": job.format, **job.params}
    return services.parse_request(list(job.layers), params)


def _job_dir(job: ExportJob) -> Path:
    return services.export_dir() / "jobs" / str(job.id)


class _Reporter:
    """Counts written features; saves progress (throttled) and checks for a cancel."""

    def __init__(self, job: ExportJob, run: queue.Run, on_progress: Any = None) -> None:
        self.job = job
        self.done = 0
        self.run = run
        self.on_progress = on_progress
        run.on_progress = self._save

    def _save(self, done: int, total: int | None) -> None:
        ExportJob.objects.filter(pk=self.job.pk).update(
            features_done=done, heartbeat_at=timezone.now()
        )

    def __call__(self, n: int) -> None:
        self.done += n
        if self.on_progress:
            self.on_progress(n)
        self.run.progress(self.done)


def run(
    job_id: Any, on_total: Any = None, on_progress: Any = None, run: queue.Run | None = None
) -> ExportJob:
    """Do the work of a job here; the job row says how it ended.

    Under the queue (`run` given) an unexpected error is raised again while retries are left,
    so the queue tries again with backoff; a cancel ends the job as cancelled.
    """
    run = run or queue.Run(None)
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status not in ExportJob.ACTIVE:
        return job  # cancelled before a worker took it, or already finished
    user: User = job.user if job.user is not None else system_user()
    workdir = _job_dir(job)
    # A retry (after a failure or a killed worker) starts afresh: no half-written file is kept.
    shutil.rmtree(workdir, ignore_errors=True)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        features_done=0,
        error="",
    )
    try:
        run.check()
        request = request_of(job)
        plans = services.plan_export(user, request)
        total = services.count(plans)
        ExportJob.objects.filter(pk=job.pk).update(features_total=total)
        if on_total:
            on_total(total)
        reporter = _Reporter(job, run, on_progress)
        path = services.write(plans, request, workdir, reporter)
        final = workdir / services.download_name(request)
        if path != final:
            path.rename(final)
        for extra in workdir.iterdir():  # a Shapefile's parts, once zipped
            if extra != final:
                shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
        finished = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.DONE,
            features_done=reporter.done,
            file_path=str(final),
            file_name=final.name,
            file_size=final.stat().st_size,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        if not finished:  # cancelled while the last bytes were written
            shutil.rmtree(workdir, ignore_errors=True)
    except queue.Cancelled:
        _end(job, ExportJob.Status.CANCELLED, "The export was cancelled.", workdir)
        raise
    except ApiError as exc:
        _end(job, ExportJob.Status.FAILED, exc.message, workdir)
    except Exception as exc:
        if run.will_retry(exc):
            log.warning("export job %s failed (attempt %d), will retry", job.pk, run.attempt)
            _end(job, ExportJob.Status.QUEUED, "", workdir, finished=False)
            raise
        log.exception("export job %s failed", job.pk)
        _end(job, ExportJob.Status.FAILED, "The export failed; the error has been logged.", workdir)
    job.refresh_from_db()
    return job


def _end(
    job: ExportJob, status: str, message: str, workdir: Path, *, finished: bool = True
) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    ExportJob.objects.filter(pk=job.pk, status__in=ExportJob.ACTIVE).update(
        status=status, error=message, finished_at=timezone.now() if finished else None
    )


def start(job: ExportJob) -> ExportJob:
    """Queue the job for a worker (`geo-ioc worker`); returns the row linked to its queue job."""
    from layers import tasks  # the task module imports this one

    with transaction.atomic():
        task_id = queue.defer(tasks.export, job_id=str(job.pk))
        ExportJob.objects.filter(pk=job.pk).update(task_id=task_id)
    job.task_id = task_id
    return job


def cancel(job: ExportJob) -> ExportJob:
    """Cancel a queued job, or stop a running one at its next progress check."""
    if job.status not in ExportJob.ACTIVE:
        raise Conflict(f"Export job {job.pk} is {job.status}; only a queued or running one stops.")
    if job.task_id is not None:
        queue.cancel(job.task_id)
    ExportJob.objects.filter(pk=job.pk, status__in=ExportJob.ACTIVE).update(
        status=ExportJob.Status.CANCELLED,
        error="The export was cancelled.",
        finished_at=timezone.now(),
    )
    if job.status == ExportJob.Status.QUEUED:
        shutil.rmtree(_job_dir(job), ignore_errors=True)
    job.refresh_from_db()
    return job


def refresh_stale(job: ExportJob) -> ExportJob:
    """An active job as it really is.

    Queued again when its worker died (a restart), failed when the queue gave it up, or (no
    queue job) failed when its beat stopped.
    """
    if job.status not in ExportJob.ACTIVE:
        return job
    if job.task_id is not None:
        lost = queue.requeue_if_lost(job.task_id)
        state = queue.status(job.task_id)
        if job.status == ExportJob.Status.RUNNING and (lost or state == "todo"):
            ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
                status=ExportJob.Status.QUEUED, features_done=0
            )
            job.refresh_from_db()
            return job
        gone = state in _QUEUE_FINAL
    else:
        beat = job.heartbeat_at or job.created_at
        gone = bool(beat and timezone.now() - beat > HEARTBEAT_STALE)
    if gone:
        _end(
            job,
            ExportJob.Status.FAILED,
            "The export was interrupted; start it again.",
            _job_dir(job),
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
