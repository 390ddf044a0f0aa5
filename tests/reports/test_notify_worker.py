"""A `geo-ioc worker` sends the outbox: e-mail to a real SMTP server, SMS through a gateway that
fails once (the job is retried with backoff and the row ends `sent` after two attempts)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model

from geo_ioc.reports import services
from geo_ioc.reports.models import Notification
from geo_ioc.reports.schemas import Contact, ReportIn, StepIn
from tests.jobs.worker import running_worker, wait_for
from tests.reports.conftest import WARD_POINT
from tests.reports.servers import Gateway, Inbox, free_port


@pytest.fixture
def committed(reports_seeded: str, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Writes outside a test transaction: what the test defers, the worker sees."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield


def test_a_worker_sends_and_retries(committed: None, settings: Any) -> None:
    gateway = Gateway()
    gateway.fail_first = 1
    threading.Thread(target=gateway.server.serve_forever, daemon=True).start()
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings.GEO_IOC_SMS_URL = gateway.url  # the step's process decides SMS rows are sendable
    operator, _ = get_user_model().objects.get_or_create(username="test_operator")
    data = ReportIn(
        category="pavement",
        lon=WARD_POINT[0],
        lat=WARD_POINT[1],
        description="Biển quảng cáo chắn lối đi",
        contact=Contact(email="worker.reporter@example.org", phone="0912 345 678"),
    )
    report = services.create_report(data, ip="203.0.113.11")
    services.step(report.code, StepIn(action="accept"), operator)
    outbox = Notification.objects.filter(report=report)
    assert sorted(outbox.values_list("channel", "state")) == [
        ("email", "queued"),
        ("sms", "queued"),
    ]
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "GEO_IOC_SMS_URL": gateway.url,
        "GEO_IOC_SMS_TOKEN": "worker-token",
        "GEO_IOC_PUBLIC_URL": "https://ioc.example.vn",
    }
    try:
        with running_worker("notify-worker.log", **env):
            wait_for(
                lambda: set(outbox.values_list("state", flat=True)) == {"sent"},
                60,
                "both notifications sent",
            )
    finally:
        smtp.stop()
        gateway.server.shutdown()
        gateway.server.server_close()
    attempts = dict(outbox.values_list("channel", "attempts"))
    assert attempts == {"email": 1, "sms": 2}  # the gateway's 503, then the retry
    assert [body["to"] for _, body in gateway.received if report.code in body["text"]] == [
        "0912345678",
        "0912345678",
    ]
    mine = [msg for _, msg in inbox.messages if report.code in msg["Subject"]]
    assert len(mine) == 1 and mine[0]["To"] == "worker.reporter@example.org"
    assert f"https://ioc.example.vn/phan-anh/{report.code}" in mine[0].get_body().get_content()  # type: ignore[union-attr]
