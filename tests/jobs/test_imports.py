"""HTTP imports: an admin uploads a file, a real worker imports it in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from psycopg import sql

from tests.conftest import Users
from tests.helpers import auth, own_connection
from tests.jobs.worker import running_worker, wait_for
from tests.layers.test_import import bowtie_frame, points_frame, write

SLUG = "uploaded_places"


def _drop(slug: str) -> None:
    with own_connection() as conn:
        conn.execute("DELETE FROM layers_layer WHERE slug = %s", (slug,))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("layer_data", slug)))


@pytest.fixture
def cleanup() -> Iterator[None]:
    """Leave the shared catalogue as it was: the uploaded layers go again."""
    yield
    for slug in (SLUG, "uploaded_strict"):
        _drop(slug)


def _wait(client: httpx.Client, url: str, token: str) -> dict:
    return wait_for(
        lambda: (
            (b := client.get(url, headers=auth(token)).json())["status"] in {"done", "failed"} and b
        ),
        90,
        "the import to end",
    )


def test_admin_uploads_a_file_and_a_worker_imports_it(
    http: httpx.Client, users: Users, tmp_path: Path, cleanup: None
) -> None:
    path = write(points_frame(), tmp_path / "places.geojson")
    files = {"file": ("places.geojson", path.read_bytes(), "application/geo+json")}
    form = {"layer": SLUG, "mode": "create"}
    assert http.post("/imports", files=files, data=form).status_code == 401
    assert (
        http.post("/imports", files=files, data=form, headers=auth(users.operator)).status_code
        == 403
    )
    bad = http.post(
        "/imports", files=files, data={**form, "mode": "merge"}, headers=auth(users.admin)
    )
    assert bad.status_code == 400 and bad.json()["field"] == "mode"
    bad = http.post(
        "/imports", files=files, data={**form, "access": "everyone"}, headers=auth(users.admin)
    )
    assert bad.status_code == 400 and bad.json()["field"] == "access"
    r = http.post("/imports", files=files, data=form, headers=auth(users.admin))
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued" and r.json()["file_name"] == "places.geojson"
    with running_worker("worker-imports.log"):
        body = _wait(http, r.headers["location"], users.admin)
    assert body["status"] == "done", body
    assert body["rows_read"] == body["rows_written"] == 3 and body["errors"] == []
    # A new layer is staff-only: the job says so and how to publish it.
    assert body["access_level"] == "staff" and f"geo-ioc publish {SLUG}" in body["publish"]
    assert http.get(r.headers["location"], headers=auth(users.operator)).status_code == 403
    with own_connection() as conn:
        count = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("layer_data", SLUG))
        )
        assert count.fetchone() == (3,)
    # The uploaded file is gone once imported; the report stays.
    assert not list(
        (Path(__file__).resolve().parents[2] / "var" / "uploads").glob(f"{body['id']}/*")
    )


def test_a_file_with_a_bad_row_changes_nothing_and_reports_it(
    http: httpx.Client, users: Users, tmp_path: Path, cleanup: None
) -> None:
    path = write(bowtie_frame(), tmp_path / "parcels.gpkg")
    r = http.post(
        "/imports",
        files={"file": ("parcels.gpkg", path.read_bytes(), "application/geopackage+sqlite3")},
        data={"layer": "uploaded_strict", "invalid": "reject", "access": "public"},
        headers=auth(users.admin),
    )
    assert r.status_code == 202, r.text
    with running_worker("worker-imports.log"):
        body = _wait(http, r.headers["location"], users.admin)
    assert body["status"] == "failed" and body["rows_written"] is None
    assert [e["row"] for e in body["errors"]] == [2] and "invalid" in body["errors"][0]["reason"]
    with own_connection() as conn:
        found = conn.execute("SELECT count(*) FROM layers_layer WHERE slug = 'uploaded_strict'")
        assert found.fetchone() == (0,)
    assert http.get("/imports/not-a-uuid", headers=auth(users.admin)).status_code == 404
