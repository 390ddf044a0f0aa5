"""The job queue: every piece of work that is not a request, run by `geo-ioc worker` processes.

Procrastinate on PostgreSQL: a deferred job is a row written in the caller's transaction (a
rolled-back request defers nothing), workers take rows with `FOR UPDATE SKIP LOCKED`, beat a
heartbeat, and a worker that died (SIGKILL, power) has its running jobs queued again by the
`retry_stalled` periodic task of the surviving workers. No other server to run.

The small API other code uses:

- `@task(name=…, queue=…, retries=…)` declares a task `fn(run: Run, **kwargs)` in an app's
  `tasks.py` (discovered at start-up); `@periodic(name=…, seconds=…)` declares one run on a
  schedule by whichever worker gets it first (`fn()`, no arguments);
- `defer(task, **kwargs)` queues a job (in the caller's transaction) and returns its id;
- inside a task, `run.progress(done, total)` reports progress (to the task's own record, through
  `run.on_progress`) and `run.check()` raises `Cancelled` once a cancel was asked for;
- `cancel(job_id)` cancels a queued job, or asks a running one to stop at its next check;
- `status(job_id)` is the queue's word on a job (`todo`, `doing`, `succeeded`, …).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from procrastinate import JobContext, RetryStrategy, exceptions
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector

log = logging.getLogger(__name__)
P = ParamSpec("P")

__all__ = ["Cancelled", "Run", "app", "backoff", "cancel", "defer", "periodic", "status", "task"]


class Cancelled(exceptions.JobAborted):
    """Raised inside a task that was asked to stop; the queue records it as aborted."""


# Progress is written at most this often (seconds), so a fast loop does not hammer the database.
PROGRESS_EVERY = 0.5


@dataclass
class Run:
    """A running job as its task sees it: ids, progress and the cancel check."""

    context: JobContext | None
    on_progress: Callable[[int, int | None], None] | None = None
    _saved_at: float = field(default=0.0, repr=False)

    @property
    def job_id(self) -> int | None:
        """The queue's id of this job (None when run in the foreground)."""
        return self.context.job.id if self.context else None

    @property
    def attempt(self) -> int:
        """1 on the first run, 2 on the first retry, and so on."""
        return (self.context.job.attempts if self.context else 0) + 1

    def will_retry(self, exc: BaseException) -> bool:
        """Whether the queue will run this job again if `exc` escapes the task."""
        if self.context is None or self.context.should_abort():
            return False
        return (
            self.context.task.get_retry_exception(exception=exc, job=self.context.job) is not None
        )

    def check(self) -> None:
        """Stop here (raise `Cancelled`) if the job was cancelled while running."""
        if self.context is not None and self.context.should_abort():
            raise Cancelled(f"job {self.job_id} was cancelled")

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        """Report progress (throttled), then check for a cancel."""
        now = time.monotonic()
        if self.on_progress is not None and (force or now - self._saved_at >= PROGRESS_EVERY):
            self._saved_at = now
            self.on_progress(done, total)
        self.check()


def backoff(retries: int | None = None) -> RetryStrategy:
    """Retry up to `retries` times (GEO_IOC_JOBS_RETRIES), waiting BACKOFF**n seconds."""
    return RetryStrategy(
        max_attempts=settings.GEO_IOC_JOBS_RETRIES if retries is None else retries,
        exponential_wait=settings.GEO_IOC_JOBS_BACKOFF_SECONDS,
        # A cancelled job stays cancelled.
        retry_exceptions=[Exception],
    )


def _with_connections[R](fn: Callable[..., R]) -> Callable[..., R]:
    """Give a task fresh Django connections and give them back: workers live for days."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return wrapper


def task(
    *,
    name: str,
    queue: str = "default",
    retries: int | None = None,
    lock: str | None = None,
) -> Callable[[Callable[Concatenate[Run, P], Any]], Any]:
    """Declare a task `fn(run, **kwargs)` under a stable name (what the queue stores)."""

    def decorate(fn: Callable[Concatenate[Run, P], Any]) -> Any:
        @_with_connections
        def body(context: JobContext, *args: P.args, **kwargs: P.kwargs) -> Any:
            return fn(Run(context), *args, **kwargs)

        functools.update_wrapper(body, fn)
        return app.task(
            name=name,
            queue=queue,
            pass_context=True,
            retry=backoff(retries),
            lock=lock,
        )(body)

    return decorate


def cron_every(seconds: int) -> str:
    """A cron line for "every N seconds" (seconds as croniter's sixth field under a minute)."""
    if seconds < 60:
        return f"* * * * * */{seconds}"
    minutes = max(1, seconds // 60)
    return f"*/{minutes} * * * *" if minutes < 60 else f"0 */{max(1, minutes // 60)} * * *"


def periodic(
    *, name: str, seconds: int, queue: str = "periodic"
) -> Callable[[Callable[[], Any]], Any]:
    """Declare `fn()` to run every `seconds`, once per tick across all workers."""

    def decorate(fn: Callable[[], Any]) -> Any:
        @_with_connections
        def body(timestamp: int) -> Any:
            return fn()

        functools.update_wrapper(body, fn)
        registered = app.task(name=name, queue=queue, queueing_lock=name)(body)
        return app.periodic(cron=cron_every(seconds), periodic_id=name)(registered)

    return decorate


def defer(task_: Any, **kwargs: Any) -> int:
    """Queue a job of `task_` with these (JSON) arguments; returns its id."""
    return int(task_.defer(**kwargs))


def cancel(job_id: int) -> bool:
    """Cancel a queued job, or ask a running one to stop; False when it has already ended."""
    return bool(app.job_manager.cancel_job_by_id(job_id, abort=True))


def requeue_if_lost(job_id: int) -> bool:
    """Queue a running job again now if its worker stopped beating (killed, restarted).

    The periodic `retry_stalled` does the same for all, but only while some worker runs; a
    reader of the job (its status page) should not be shown `running` for a dead worker meanwhile.
    """
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM procrastinate_jobs j"
            " LEFT JOIN procrastinate_workers w ON w.id = j.worker_id"
            " WHERE j.id = %s AND j.status = 'doing'"
            " AND (w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => %s))",
            [job_id, settings.GEO_IOC_JOBS_STALLED_SECONDS],
        )
        if cur.fetchone() is None:
            return False
    app.job_manager.retry_job_by_id(job_id, retry_at=timezone.now())
    log.warning("job %s lost its worker: queued again", job_id)
    return True


def status(job_id: int) -> str | None:
    """The queue's state of a job (todo, doing, succeeded, failed, cancelled, aborted), if kept."""
    rows = app.job_manager.list_jobs(id=job_id)
    if not rows:
        return None
    state = rows[0].status
    return str(getattr(state, "value", state))


def run_worker(
    *, concurrency: int | None = None, queues: list[str] | None = None, name: str | None = None
) -> None:
    """Run a worker in the foreground until SIGINT/SIGTERM (it finishes running jobs first)."""
    # Django's connection cannot LISTEN; the worker gets its own psycopg connector.
    connector = app.connector
    assert isinstance(connector, DjangoConnector)
    with app.replace_connector(connector.get_worker_connector()) as worker_app:
        worker_app.run_worker(
            queues=queues or None,
            concurrency=concurrency or settings.GEO_IOC_JOBS_CONCURRENCY,
            name=name or "worker",
            update_heartbeat_interval=settings.GEO_IOC_JOBS_HEARTBEAT_SECONDS,
            stalled_worker_timeout=settings.GEO_IOC_JOBS_STALLED_SECONDS,
            # Abort requests arrive by NOTIFY; polling is the fallback.
            abort_job_polling_interval=max(1, settings.GEO_IOC_JOBS_HEARTBEAT_SECONDS // 2),
        )


@app.periodic(
    cron=cron_every(max(1, settings.GEO_IOC_JOBS_STALLED_SECONDS // 2)), periodic_id="retry_stalled"
)
# The lock runs one recovery at a time: two at once could both retry a job that the first one
# already handed to a live worker, and it would run twice.
@app.task(
    name="core.retry_stalled",
    queue="periodic",
    lock="core.retry_stalled",
    queueing_lock="core.retry_stalled",
)
async def retry_stalled(timestamp: int) -> int:
    """Queue again the running jobs of workers that stopped beating (killed, crashed)."""
    stalled = list(
        await app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.GEO_IOC_JOBS_STALLED_SECONDS
        )
    )
    retried = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except exceptions.ConnectorException:
            log.exception("job %s could not be queued again", job.id)
            continue
        log.warning("job %s (%s) lost its worker: queued again", job.id, job.task_name)
        retried += 1
    return retried


@app.periodic(cron="17 3 * * *", periodic_id="prune_finished")
@app.task(name="core.prune_finished", queue="periodic", queueing_lock="core.prune_finished")
async def prune_finished(timestamp: int) -> None:
    """Delete jobs that ended more than GEO_IOC_JOBS_KEEP_DAYS ago (the queue's log stays small)."""
    await app.job_manager.delete_old_jobs(
        nb_hours=24 * settings.GEO_IOC_JOBS_KEEP_DAYS,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )
