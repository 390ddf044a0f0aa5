"""The audit log is append-only and readable by admins; production settings pass check --deploy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from io import StringIO

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from geo_ioc.land.models import AuditEntry, Parcel
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def _entry() -> AuditEntry:
    parcel = Parcel.objects.order_by("pk").first()
    assert parcel is not None
    return AuditEntry.objects.create(
        username="x", object_type="land.parcel", object_id=parcel.pk, fields=["holder_name"]
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE land_auditentry SET username = 'y' WHERE id = %s",
        "DELETE FROM land_auditentry WHERE id = %s",
        "TRUNCATE land_auditentry",
    ],
)
def test_the_database_refuses_changes(sql: str) -> None:
    entry = _entry()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, [entry.pk] if "%s" in sql else None)
    assert AuditEntry.objects.filter(pk=entry.pk, username="x").exists()


def test_admin_role_reads_it_superuser_cannot_delete_and_parcel_pages_are_audited() -> None:
    entry = _entry()
    name = f"adm_{uuid.uuid4().hex[:6]}"
    call_command("createuser", name, "--role", "admin", "--no-password", stdout=StringIO())
    c = Client(HTTP_HOST="localhost")
    c.force_login(get_user_model().objects.get(username=name))
    assert c.get("/admin/land/auditentry/").status_code == 200
    assert c.get(f"/admin/land/auditentry/{entry.pk}/change/").status_code == 200
    root = get_user_model().objects.create_superuser(f"root_{uuid.uuid4().hex[:6]}")
    c.force_login(root)
    assert c.get(f"/admin/land/auditentry/{entry.pk}/delete/").status_code == 403
    listing = c.get("/admin/land/auditentry/")
    assert b"delete_selected" not in listing.content
    parcel = Parcel.objects.order_by("pk").first()
    assert parcel is not None
    before = AuditEntry.objects.filter(object_id=parcel.pk, user_id=root.pk).count()
    page = c.get(f"/admin/land/parcel/{parcel.pk}/change/")
    assert page.status_code == 200 and b"holder_name" in page.content
    audited = AuditEntry.objects.filter(object_id=parcel.pk, user_id=root.pk)
    assert audited.count() == before + 1
    assert audited.first().path.startswith("/admin/land/parcel/")  # type: ignore[union-attr]


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ioc.example.vn",
        "CSRF_TRUSTED_ORIGINS": "https://ioc.example.vn",
        "GEO_IOC_TRUSTED_PROXY": "1",
    }
    env.pop("GEO_IOC_HTTPS", None)
    done = subprocess.run(
        [sys.executable, "-m", "geo_ioc.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_headers_and_json_refusals(http: httpx.Client) -> None:
    for path in ("/", "/admin/login/", "/login"):
        r = http.get(path)
        assert r.headers["X-Frame-Options"] == "DENY", path
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "worker-src 'self' blob:" in csp, path
    for path in ("/", "/healthz", "/live/events", "/wall/main"):
        r = http.request("OPTIONS", path)
        assert r.status_code == 405 and r.json()["code"] == "method_not_allowed", path
        assert "GET" in r.headers["Allow"]
    r = http.post("/", headers={"Cookie": "sessionid=x"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = http.get("/layers", headers={"Host": "evil.example"})
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
