"""Followers are told of public status changes: the outbox, a real SMTP server, an HTTP SMS
gateway, retries, the sweep, and the signed unsubscribe link."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from geo_ioc.reports import channels, notify, services
from geo_ioc.reports.models import Notification, Report, Unsubscribe
from geo_ioc.reports.schemas import Contact, ReportIn, StepIn
from tests.conftest import Users
from tests.helpers import auth, rows
from tests.reports.conftest import WARD_POINT
from tests.reports.servers import Gateway, Inbox, free_port, smtp_mailer

pytestmark = pytest.mark.django_db
FOLLOWER = "hang.follower@example.org"
REPORTER = "an.reporter@example.org"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on its own port, and Django's SMTP backend pointed at it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = smtp_mailer(port)
    settings.GEO_IOC_PUBLIC_URL = "https://ioc.example.vn"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    gw = Gateway()
    thread = threading.Thread(target=gw.server.serve_forever, daemon=True)
    thread.start()
    settings.GEO_IOC_SMS_URL, settings.GEO_IOC_SMS_TOKEN = gw.url, "sms-token-1"
    try:
        yield gw
    finally:
        gw.server.shutdown()
        gw.server.server_close()


@pytest.fixture
def operator(reports_seeded: str) -> object:
    user, _ = get_user_model().objects.get_or_create(username="test_operator")
    return user


def _new(**contact: str) -> Report:
    data = ReportIn(
        category="pavement",
        lon=WARD_POINT[0],
        lat=WARD_POINT[1],
        description="Quán lấn chiếm vỉa hè",
        contact=Contact(**contact),
    )
    return services.create_report(data, ip="203.0.113.9")


def _outbox(report: Report, action: str) -> list[Notification]:
    return list(Notification.objects.filter(report=report, step__action=action).order_by("id"))


def _send(rows_: list[Notification]) -> list[str]:
    return [notify.deliver(n.pk) for n in rows_]


def test_a_status_change_mails_each_follower_alone(smtp: Inbox, operator: object) -> None:
    report = _new(email=REPORTER, device_id="device-notify-001", phone="0909 111 222")
    assert not Notification.objects.filter(report=report)  # filing itself tells no one
    services.follow(report.code, FOLLOWER)
    for action in ("accept", "start"):
        services.step(report.code, StepIn(action=action), operator)
    services.step(report.code, StepIn(action="progress", note="Đang làm"), operator)  # no change
    services.step(report.code, StepIn(action="resolve", note="Đã giải tỏa vỉa hè"), operator)
    queued = _outbox(report, "resolve")
    # One row per follower and channel: two e-mails and the reporter's phone (no gateway here).
    assert {(n.channel, n.address, n.state) for n in queued} == {
        ("email", REPORTER, "queued"),
        ("email", FOLLOWER, "queued"),
        ("sms", "tel:0909111222", "skipped"),
    }
    assert "GEO_IOC_SMS_URL" in next(n.last_error for n in queued if n.channel == "sms")
    assert not _outbox(report, "progress")
    # The jobs were deferred in the same transaction as the step.
    (jobs,) = rows(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'reports.notify'"
        " AND (args->>'notification_id')::int = ANY(%s)",
        [[n.pk for n in queued]],
    )[0]
    assert jobs == 2
    assert _send(queued) == ["sent", "sent", "skipped"]
    assert len(smtp.messages) == 2
    for rcpt, msg in smtp.messages:
        other = ({REPORTER, FOLLOWER} - set(rcpt)).pop()
        text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert len(rcpt) == 1 and msg["To"] == rcpt[0]
        assert report.code in msg["Subject"] and "Đã giải tỏa vỉa hè" in text
        assert f"https://ioc.example.vn/phan-anh/{report.code}" in text
        assert text.index("đã được xử lý") < text.index("has been resolved")  # Vietnamese first
        assert other not in msg.as_string() and "0909" not in msg.as_string()
        assert "/unsubscribe?" in msg["List-Unsubscribe"]
    sent = Notification.objects.get(pk=queued[0].pk)
    assert sent.attempts == 1 and sent.sent_at is not None
    assert _send([sent]) == ["sent"] and len(smtp.messages) == 2  # never twice


def test_sms_through_the_gateway_retried_after_a_failure(
    gateway: Gateway, settings: Any, operator: object
) -> None:
    settings.GEO_IOC_PUBLIC_URL = "https://ioc.example.vn"
    report = _new(phone="+84 909 333 444")
    gateway.status = 503
    services.step(
        report.code,
        StepIn(action="reject", rejection="not_responsible", note="Đường do Bộ quản lý"),
        operator,
    )
    (row,) = _outbox(report, "reject")
    assert (row.channel, row.address) == ("sms", "tel:+84909333444")
    with pytest.raises(channels.SendError):
        notify.deliver(row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 1) and "503" in row.last_error
    gateway.status = 200
    assert notify.deliver(row.pk) == "sent"  # the job's retry
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")
    token, body = gateway.received[-1]
    assert token == "Bearer sms-token-1" and body["to"] == "+84909333444"
    assert body["text"].isascii() and report.code in body["text"] and "bi tu choi" in body["text"]
    assert f"https://ioc.example.vn/phan-anh/{report.code}" in body["text"]


def test_merging_tells_the_duplicates_reporter(smtp: Inbox, operator: object) -> None:
    first = _new(device_id="device-original-01")
    second = _new(email=REPORTER)
    services.step(
        second.code,
        StepIn(action="reject", rejection="duplicate", duplicate_of=first.code),
        operator,
    )
    (row,) = _outbox(second, "merge")
    assert _send([row]) == ["sent"]
    text = smtp.messages[-1][1].get_body().get_content()  # type: ignore[union-attr]
    assert first.code in text and "merged into another report" in text


def test_unsubscribe_by_the_signed_link_stops_messages(smtp: Inbox, operator: object) -> None:
    report = _new(email=REPORTER)
    services.follow(report.code, FOLLOWER)
    services.step(report.code, StepIn(action="accept"), operator)
    _send(_outbox(report, "accept"))
    mine = next(m for r, m in smtp.messages if r == [REPORTER])
    body = mine.get_body().get_content()  # type: ignore[union-attr]
    link = re.search(r"https://ioc\.example\.vn(/phan-anh/\S+/unsubscribe\?\S+)", body)
    assert link is not None
    client = Client()
    page = client.get(link[1])
    assert page.status_code == 200 and b'id="confirm"' in page.content
    forged = client.post(link[1][:-3] + "xyz")
    assert forged.status_code == 400 and forged.json()["code"] == "invalid_report"
    done = client.post(link[1])  # one-click, as mail clients send it (no CSRF token)
    assert done.status_code == 200 and b'id="unsubscribed"' in done.content
    assert Unsubscribe.objects.filter(report=report, address=REPORTER).exists()
    services.step(report.code, StepIn(action="start"), operator)
    assert [n.address for n in _outbox(report, "start")] == [FOLLOWER]


def test_outbox_kept_when_the_request_commits_and_the_sender_is_down(
    http: httpx.Client, users: Users, reports_seeded: str, settings: Any
) -> None:
    """Over real HTTP (the server commits) with no SMTP server listening; the sweep sends later."""
    r = http.post(
        "/reports",
        json={
            "category": "pavement",
            "lon": WARD_POINT[0],
            "lat": WARD_POINT[1],
            "description": "Xe máy đỗ kín vỉa hè",
            "contact": {"email": REPORTER},
        },
    )
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    step = http.post(
        f"/reports/staff/{code}/step", json={"action": "accept"}, headers=auth(users.operator)
    )
    assert step.status_code == 200, step.text
    (row,) = _outbox(Report.objects.get(code=code), "accept")
    assert (row.state, row.address, row.attempts) == ("queued", REPORTER, 0)
    staff = http.get(f"/reports/staff/{code}", headers=auth(users.operator)).json()
    told = staff["properties"]["notifications"]
    assert [(n["step"], n["address"], n["state"]) for n in told] == [("accept", REPORTER, "queued")]
    for public in (f"/reports/public/{code}", f"/phan-anh/{code}"):  # the address stays private
        assert REPORTER not in http.get(public).text
    port = free_port()  # nothing listens there
    settings.MAILERS = smtp_mailer(port)
    with pytest.raises(channels.SendError):
        notify.deliver(row.pk)
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == 1 and "Connection" in row.last_error
    # Left queued (a job lost with its worker): the periodic sweep sends it once the server is up.
    Notification.objects.filter(pk=row.pk).update(
        state="queued", created_at=timezone.now() - timezone.timedelta(hours=1)
    )
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert notify.sweep() >= 1
    finally:
        controller.stop()
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    assert [rcpt for rcpt, msg in inbox.messages if code in msg["Subject"]] == [[REPORTER]]
