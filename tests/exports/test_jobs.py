"""Export jobs: over HTTP against a server with a small limit and a real worker process, in-process
(the job's code run inline, where the test is not about the queue), and from the CLI."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pyogrio
import pytest
from django.core.management import call_command
from django.utils import timezone

from geo_ioc.core import jobs as queue
from layers.exports import jobs, services
from layers.exports.errors import ExportBusy, ExportTooLarge
from layers.jobs import ExportJob
from tests.conftest import Users
from tests.exports.conftest import save
from tests.ogc.helpers import auth

pytestmark = pytest.mark.django_db


def _wait(client: httpx.Client, url: str, token: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        body = client.get(url, headers=auth(token)).json()
        assert 0.0 <= body["progress"] <= 1.0
        if body["status"] in {"done", "failed", "cancelled"} or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_large_export_is_refused_directly_and_runs_as_a_job(
    job_url: str, export_worker: None, users: Users, tmp_path: Path
) -> None:
    with httpx.Client(base_url=job_url, timeout=60) as client:
        small = client.get("/export/poi_health", params={"format": "gpkg"})
        assert small.status_code == 200  # 12 features: under the limit of 100
        big = client.get("/export/roads", params={"format": "gpkg"})
        assert big.status_code == 413
        assert big.json()["code"] == "export_too_large" and "POST /exports" in big.json()["message"]
        assert client.post("/exports", json={"layers": ["roads"]}).status_code == 401
        r = client.post(
            "/exports",
            json={"layers": ["roads", "buildings"], "format": "gpkg", "crs": "5899"},
            headers=auth(users.planner),
        )
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] in {"queued", "running", "done"} and r.headers["location"]
        body = _wait(client, r.headers["location"], users.planner)
        assert body["status"] == "done", body
        assert body["progress"] == 1.0
        assert body["features_total"] == body["features_done"] == 2844 + 2477
        links = {link["rel"]: link["href"] for link in body["links"]}
        # Somebody else's job does not exist for them.
        assert client.get(r.headers["location"], headers=auth(users.operator)).status_code == 404
        assert client.get(links["enclosure"], headers=auth(users.operator)).status_code == 404
        download = client.get(links["enclosure"], headers=auth(users.planner))
        assert download.status_code == 200
        path = save(download, tmp_path)
        assert path.name == body["file_name"] and path.name.endswith(".gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"roads", "buildings"}
    assert pyogrio.read_info(path, layer="roads")["features"] == 2844
    assert pyogrio.read_info(path, layer="buildings")["crs"] == "EPSG:5899"


def test_job_requests_are_checked_before_they_start(job_url: str, users: Users) -> None:
    with httpx.Client(base_url=job_url, timeout=30) as client:
        for body, status in (
            ({"layers": ["roads"], "format": "xlsx"}, 400),
            ({"layers": ["roads"], "filter": "name = "}, 400),
            ({"layers": ["nope"]}, 404),
            ({"layers": ["cameras"]}, 403),
            ({"format": "gpkg"}, 400),
        ):
            r = client.post("/exports", json=body, headers=auth(users.planner))
            assert r.status_code == status, (body, r.text)
        r = client.post("/exports", content=b"not json", headers=auth(users.planner))
        assert r.status_code == 400
        assert client.get("/exports/not-a-uuid", headers=auth(users.planner)).status_code == 404


def test_threshold_in_process(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_SYNC_MAX = 26  # poi_tourism has 27 features
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    from django.contrib.auth.models import AnonymousUser

    request = services.parse_request("poi_tourism", {"format": "geojson"})
    with pytest.raises(ExportTooLarge):
        services.export_now(AnonymousUser(), request)
    settings.GEO_IOC_EXPORT_SYNC_MAX = 27
    path, workdir = services.export_now(AnonymousUser(), request)
    assert path.is_file() and pyogrio.read_info(path)["features"] == 27


def test_job_runs_in_process_with_progress(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    request = services.parse_request(["roads", "buildings"], {"format": "shp", "crs": "9218"})
    job = jobs.create(None, request)
    assert job.status == ExportJob.Status.QUEUED and job.progress == 0.0
    steps: list[int] = []
    totals: list[int] = []
    done = jobs.run(job.pk, on_total=totals.append, on_progress=steps.append)
    assert done.status == ExportJob.Status.DONE, done.error
    assert totals == [2844 + 2477] and sum(steps) == totals[0] == done.features_done
    assert done.progress == 1.0
    path = Path(done.file_path)
    assert path.parent.parent == tmp_path / "jobs" and path.suffix == ".zip"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    for layer, count in (("roads", 2844), ("buildings", 2477)):
        info = pyogrio.read_info(f"/vsizip/{path}/{layer}.shp")
        assert info["features"] == count and info["encoding"] == "UTF-8"


def test_failed_and_interrupted_jobs(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    request = services.parse_request("roads", {"format": "gpkg"})
    job = jobs.create(None, request)
    # The layer's access changed after the job was accepted: it fails with a message, no file.
    job.user = None
    ExportJob.objects.filter(pk=job.pk).update(layers=["no_such_layer"])
    failed = jobs.run(job.pk)
    assert failed.status == ExportJob.Status.FAILED and "no_such_layer" in failed.error
    assert not (tmp_path / "jobs" / str(job.pk)).exists()
    stale = jobs.create(None, request)
    ExportJob.objects.filter(pk=stale.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    stale.refresh_from_db()
    assert jobs.refresh_stale(stale).status == ExportJob.Status.FAILED


def test_old_jobs_are_cleaned_up(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    settings.GEO_IOC_EXPORT_KEEP_HOURS = 1
    job = jobs.create(None, services.parse_request("poi_health", {"format": "gpkg"}))
    jobs.run(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert jobs.cleanup_expired() == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert not (tmp_path / "jobs" / str(job.pk)).exists()


def test_cli_export_in_a_tm3_zone(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path / "work")
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "roads_9218.fgb"
    call_command(
        "export",
        "roads",
        "--format",
        "fgb",
        "--crs",
        "9218",
        "--filter",
        "lanes >= 2",
        "-o",
        str(target),
        stdout=out,
        stderr=err,
    )
    assert "features in" in out.getvalue() and str(target) in out.getvalue()
    assert "100%" in err.getvalue()  # the progress bar ran to the end
    info = pyogrio.read_info(target)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM layer_data.roads WHERE lanes >= 2")
        assert info["features"] == cur.fetchone()[0] > 0
    assert info["crs"] == "EPSG:9218"
    job = ExportJob.objects.get(file_path=str(target))
    assert job.status == ExportJob.Status.DONE and job.user is None
    with pytest.raises(Exception, match="KML is always in WGS 84"):
        call_command("export", "roads", "--format", "kml", "--crs", "5899", stdout=out)


def test_cancel_a_queued_job_over_http(job_url: str, users: Users) -> None:
    """No worker runs yet: the job waits in the queue, its owner cancels it, a worker skips it."""
    with httpx.Client(base_url=job_url, timeout=30) as client:
        r = client.post("/exports", json={"layers": ["roads"]}, headers=auth(users.planner))
        assert r.status_code == 202 and r.json()["status"] == "queued"
        url = r.headers["location"]
        cancel = url.rstrip("/") + "/cancel"
        assert client.post(cancel, headers=auth(users.operator)).status_code == 404  # not theirs
        assert client.get(cancel, headers=auth(users.planner)).status_code == 405
        r = client.post(cancel, headers=auth(users.planner))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "cancelled" and r.json()["error"]
        again = client.post(cancel, headers=auth(users.planner))
        assert again.status_code == 409 and again.json()["code"] == "conflict"
        body = client.get(url, headers=auth(users.admin)).json()  # admins see every job
        assert body["status"] == "cancelled"
        assert client.get(url + "/file", headers=auth(users.planner)).status_code == 409
    job = ExportJob.objects.get(pk=body["id"])
    assert job.task_id is not None and queue.status(job.task_id) == "cancelled"


def test_cancel_in_process(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    job = jobs.start(jobs.create(None, services.parse_request("roads", {"format": "gpkg"})))
    assert job.task_id is not None and queue.status(job.task_id) == "todo"
    cancelled = jobs.cancel(job)
    assert cancelled.status == ExportJob.Status.CANCELLED
    assert queue.status(job.task_id) == "cancelled"
    # A worker that had taken it anyway would leave it as it is.
    assert jobs.run(job.pk).status == ExportJob.Status.CANCELLED
    assert not (tmp_path / "jobs" / str(job.pk)).exists()


def test_a_running_export_stops_at_its_next_progress_check(settings, tmp_path: Path) -> None:
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    job = jobs.create(None, services.parse_request(["roads", "buildings"], {"format": "gpkg"}))

    class Cancelling(queue.Run):
        def check(self) -> None:
            # The cancel arrives once the first layer is written.
            if ExportJob.objects.get(pk=job.pk).features_done > 0:
                raise queue.Cancelled("cancelled")

    with pytest.raises(queue.Cancelled):
        jobs.run(job.pk, run=Cancelling(None))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.CANCELLED and 0 < job.features_done < 2844 + 2477
    assert not (tmp_path / "jobs" / str(job.pk)).exists()


def test_a_retried_export_starts_afresh(settings, tmp_path: Path) -> None:
    """What a killed attempt left (a half-written file, its progress) is not counted twice."""
    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    job = jobs.create(None, services.parse_request("roads", {"format": "gpkg"}))
    first = jobs.run(job.pk)
    assert first.status == ExportJob.Status.DONE
    # As a worker killed in the middle of writing leaves it: running, progress, the file so far.
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        features_done=1500,
        file_path="",
        file_name="",
        error="The first attempt failed.",
    )
    again = jobs.run(job.pk)
    assert again.status == ExportJob.Status.DONE and again.error == ""
    assert again.features_done == again.features_total == 2844
    assert pyogrio.read_info(again.file_path, layer="roads")["features"] == 2844
    assert sorted(p.name for p in Path(again.file_path).parent.iterdir()) == [again.file_name]


def test_a_job_of_a_dead_worker_is_not_shown_running(settings, tmp_path: Path) -> None:
    """What a killed worker leaves (its job `doing`, its beat old) is queued again at once."""
    from django.db import connection

    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    job = jobs.start(jobs.create(None, services.parse_request("roads", {"format": "gpkg"})))
    assert job.task_id is not None
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour')"
            " RETURNING id"
        )
        worker = cur.fetchone()[0]
        cur.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
            [worker, job.task_id],
        )
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    job.refresh_from_db()
    assert jobs.refresh_stale(job).status == ExportJob.Status.QUEUED
    assert queue.status(job.task_id) == "todo"
    # A live worker's job stays as it is.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = %s", [worker]
        )
        cur.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
            [worker, job.task_id],
        )
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    job.refresh_from_db()
    assert jobs.refresh_stale(job).status == ExportJob.Status.RUNNING


def test_anonymous_direct_downloads_are_smaller(settings, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    settings.GEO_IOC_EXPORT_ANON_MAX = 26  # poi_tourism has 27 features
    request = services.parse_request("poi_tourism", {"format": "geojson"})
    with pytest.raises(ExportTooLarge, match="without an account"):
        services.export_now(AnonymousUser(), request)
    user = get_user_model().objects.create(username="export-anon-limit")
    path, _ = services.export_now(user, request)
    assert pyogrio.read_info(path)["features"] == 27


def test_direct_downloads_wait_for_a_slot(settings, tmp_path: Path) -> None:
    """Beyond the process's slots a download waits, then is refused with a 429."""
    from django.contrib.auth.models import AnonymousUser

    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    settings.GEO_IOC_EXPORT_DIRECT_SLOTS = 1
    settings.GEO_IOC_EXPORT_DIRECT_WAIT_SECONDS = 0
    services._direct_slots.cache_clear()
    request = services.parse_request("poi_tourism", {"format": "geojson"})
    slots = services._direct_slots()
    assert slots.acquire(timeout=0)  # another download is being written
    try:
        with pytest.raises(ExportBusy) as refused:
            services.export_now(AnonymousUser(), request)
        assert refused.value.status == 429
    finally:
        slots.release()
    path, _ = services.export_now(AnonymousUser(), request)
    assert path.is_file()
    services._direct_slots.cache_clear()


def test_export_jobs_are_capped_per_user(settings, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    settings.GEO_IOC_EXPORT_DIR = str(tmp_path)
    settings.GEO_IOC_EXPORT_JOBS_PER_USER = 2
    user = get_user_model().objects.create(username="export-quota")
    request = services.parse_request("roads", {"format": "gpkg"})
    jobs.check_quota(user)
    first = jobs.create(user, request)
    jobs.create(user, request)
    with pytest.raises(ExportBusy):
        jobs.check_quota(user)
    ExportJob.objects.filter(pk=first.pk).update(status=ExportJob.Status.DONE)
    jobs.check_quota(user)  # a finished job frees its place
