"""The job queue with real `geo-ioc worker` processes: kill, retry, cancel, periodic tasks."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

from procrastinate.contrib.django import app
from procrastinate.jobs import Job

from geo_ioc.core import jobs
from tests.helpers import own_connection
from tests.jobs import tasks
from tests.jobs.worker import running_worker, wait_for


def _events(job_id: int) -> list[str]:
    with own_connection() as conn:
        rows = conn.execute(
            "SELECT type FROM procrastinate_events WHERE job_id = %s ORDER BY id", (job_id,)
        ).fetchall()
    return [str(r[0]) for r in rows]


def _attempts(job_id: int) -> int:
    with own_connection() as conn:
        row = conn.execute("SELECT attempts FROM procrastinate_jobs WHERE id = %s", (job_id,))
        return int(row.fetchone()[0])  # type: ignore[index]


def test_a_killed_workers_job_is_retried_by_another_and_finishes_once(
    committed: None, tmp_path: Path
) -> None:
    with running_worker("worker-killed.log") as first:
        job_id = jobs.defer(tasks.gated, folder=str(tmp_path))
        wait_for(lambda: list(tmp_path.glob("attempt-1-*")), what="the first attempt to start")
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    # The job is not lost: still marked as running, by a worker that no longer beats.
    assert jobs.status(job_id) == "doing"
    (tmp_path / "open").touch()
    with running_worker("worker-survivor.log") as second:
        wait_for(lambda: jobs.status(job_id) == "succeeded", 60, "the retry to succeed")
        survivor = second.pid
    started = sorted(p.name for p in tmp_path.glob("attempt-*"))
    assert started == [f"attempt-1-{first.pid}", f"attempt-2-{survivor}"]
    # Finished exactly once, by the second worker; the first never got past the gate.
    assert sorted(p.name for p in tmp_path.glob("done-*")) == [f"done-2-{survivor}"]
    assert _events(job_id).count("started") == 2 and _events(job_id).count("succeeded") == 1


def test_a_failed_job_is_retried_with_backoff(committed: None, tmp_path: Path) -> None:
    with running_worker("worker-retry.log"):
        job_id = jobs.defer(tasks.flaky, folder=str(tmp_path))
        wait_for(lambda: jobs.status(job_id) == "succeeded", 60, "the retry to succeed")
    first = float((tmp_path / "attempt-1").read_text())
    second = float((tmp_path / "attempt-2").read_text())
    # GEO_IOC_JOBS_BACKOFF_SECONDS=2: the first retry waits 2 s (then 4, 8, …).
    assert second - first >= 2.0
    events = _events(job_id)
    assert events.count("deferred_for_retry") == 1 and events.count("started") == 2
    assert events[-1] == "succeeded" and _attempts(job_id) == 2


def test_backoff_is_exponential(settings) -> None:
    settings.GEO_IOC_JOBS_BACKOFF_SECONDS = 3
    strategy = jobs.backoff(3)
    waits: list[float | None] = []
    for attempts in range(4):
        job = Job(id=1, queue="q", lock=None, queueing_lock=None, task_name="t", attempts=attempts)
        now = datetime.now(UTC)
        decision = strategy.get_retry_decision(exception=RuntimeError(), job=job)
        waits.append((decision.retry_at - now).total_seconds() if decision else None)
    # 3, 9, 27 seconds; after three retries the job fails for good.
    assert [round(w) if w is not None else None for w in waits] == [3, 9, 27, None]


def test_cancel_a_queued_job(committed: None, tmp_path: Path) -> None:
    job_id = jobs.defer(tasks.gated, folder=str(tmp_path))
    assert jobs.status(job_id) == "todo"
    assert jobs.cancel(job_id)
    assert jobs.status(job_id) == "cancelled"
    (tmp_path / "open").touch()
    with running_worker("worker-cancelled.log"):
        # Another job queued after it runs: the worker has looked at the queue since.
        after = jobs.defer(tasks.gated, folder=str(tmp_path))
        wait_for(lambda: jobs.status(after) == "succeeded", 60, "the later job")
    assert jobs.status(job_id) == "cancelled"
    assert [p.name for p in tmp_path.glob("attempt-*")] == [
        p.name for p in tmp_path.glob("attempt-*") if p.name.startswith("attempt-1-")
    ] and len(list(tmp_path.glob("done-*"))) == 1


def test_cancel_a_running_job(committed: None, tmp_path: Path) -> None:
    with running_worker("worker-abort.log"):
        job_id = jobs.defer(tasks.gated, folder=str(tmp_path))
        wait_for(lambda: list(tmp_path.glob("attempt-1-*")), what="the job to start")
        assert jobs.status(job_id) == "doing"
        assert jobs.cancel(job_id)
        wait_for(lambda: jobs.status(job_id) == "aborted", 30, "the job to stop")
    assert not list(tmp_path.glob("done-*"))  # it stopped at its check, before the end
    assert "abort_requested" in _events(job_id) and "aborted" in _events(job_id)


def test_periodic_tasks_are_registered_and_deferred_by_workers(committed: None) -> None:
    expected = {
        "core.retry_stalled",
        "core.prune_finished",
        "layers.cleanup_exports",
        "operations.sweep_alerts",
        "sensors.sweep_freshness",
    }
    registered = {p.task.name for p in app.periodic_registry.periodic_tasks.values()}
    assert expected <= registered

    def deferred() -> set[str]:
        with own_connection() as conn:
            rows = conn.execute("SELECT DISTINCT task_name FROM procrastinate_periodic_defers")
            return {str(r[0]) for r in rows.fetchall()}

    with running_worker("worker-periodic.log"):
        # Every minute at the latest: the sweeps run as jobs of the worker.
        wait_for(lambda: {"core.retry_stalled", "sensors.sweep_freshness"} <= deferred(), 90)
        wait_for(
            lambda: jobs.app.job_manager.list_jobs(
                task="sensors.sweep_freshness", status="succeeded"
            ),
            90,
            "a freshness sweep to succeed",
        )
