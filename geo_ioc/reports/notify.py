"""Followers are told when a report's status changes in a way the public sees.

`enqueue(report, step)` runs inside the step's transaction: it writes one outbox row
(`Notification`) per follower and channel and defers a send job for each, so a rolled-back step
sends nothing and a committed one loses nothing, and nothing is sent inside the request.
`deliver(pk)` is the job's body (a row locked while it is sent, so the job and the sweep never
both send it); `sweep()` sends what is still queued after `GEO_IOC_NOTIFY_SWEEP_SECONDS`.

Who follows: the keys of `Follower` (an e-mail, `tel:+…`; device ids have no channel), the
contact of who filed the report or a duplicate merged into it (e-mail, phone), less those who
unsubscribed by the signed link that each message carries.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from geo_ioc.core import jobs
from geo_ioc.reports import channels
from geo_ioc.reports.models import Follower, Notification, Report, ReportContact, Step, Unsubscribe

SEND_TASK = "reports.notify"
# Steps that change what the public sees of the status → (Vietnamese, English).
NEWS: dict[str, tuple[str, str]] = {
    "route": ("đã được chuyển đến đơn vị xử lý", "has been routed to the unit responsible"),
    "accept": ("đã được đơn vị tiếp nhận", "has been accepted by the unit"),
    "start": ("đang được xử lý", "is in progress"),
    "resolve": ("đã được xử lý", "has been resolved"),
    "reject": ("bị từ chối", "has been rejected"),
    "close": ("đã đóng", "has been closed"),
    "reopen": ("đã được mở lại", "has been reopened"),
    "merge": ("đã được gộp vào một phản ánh khác", "has been merged into another report"),
}
NOTE_LABEL: dict[str, tuple[str, str]] = {
    "resolve": ("Trả lời của đơn vị", "The unit's answer"),
    "reject": ("Lý do", "Reason"),
    "merge": ("Lý do", "Reason"),
    "reopen": ("Lý do mở lại", "Why it was reopened"),
}
_signer = signing.Signer(salt="geo-ioc.reports.unsubscribe")


def channel_of(key: str) -> str | None:
    """The channel a follower key is reached on (None: a device id, nothing to send to)."""
    if key.startswith("tel:") and sum(ch.isdigit() for ch in key) >= 8:
        return Notification.Channel.SMS
    if "@" in key.strip("@") and " " not in key:
        return Notification.Channel.EMAIL
    return None


def followers(report: Report) -> set[str]:
    """The addresses (e-mails, `tel:` numbers) to tell about this report, less the unsubscribed."""
    from geo_ioc.reports.services import phone_key

    keys = set(Follower.objects.filter(report=report).values_list("key", flat=True))
    contacts = ReportContact.objects.filter(Q(report=report) | Q(report__duplicate_of=report))
    for email, phone in contacts.values_list("email", "phone"):
        keys |= {email.strip()} if email.strip() else set()
        keys |= {phone_key(phone)} if phone.strip() else set()
    keys -= set(Unsubscribe.objects.filter(report=report).values_list("address", flat=True))
    return {k for k in keys if channel_of(k)}


def enqueue(report: Report, step: Step) -> list[Notification]:
    """The outbox rows of a public status step, in the caller's transaction; jobs deferred."""
    if step.action not in NEWS or not step.public:
        return []
    rows = []
    for address in sorted(followers(report)):
        channel = channel_of(address)
        assert channel is not None
        row = Notification(report=report, step=step, channel=channel, address=address)
        if channel == Notification.Channel.SMS and not channels.sms_configured():
            row.state = Notification.State.SKIPPED
            row.last_error = "SMS gateway not configured (GEO_IOC_SMS_URL is not set)"
        row.save()
        rows.append(row)
    task = jobs.app.configure_task(SEND_TASK)
    for row in rows:
        if row.state == Notification.State.QUEUED:
            task.defer(notification_id=row.pk)
    return rows


def staff_outbox(report: Report) -> list[dict[str, object]]:
    """The report's notifications as handling staff see them (addresses included)."""
    rows = Notification.objects.filter(report=report).select_related("step").order_by("id")
    return [
        {
            "step": n.step.action,
            "channel": n.channel,
            "address": n.address,
            "state": n.state,
            "attempts": n.attempts,
            "last_error": n.last_error,
            "created_at": n.created_at.isoformat(),
            "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        }
        for n in rows
    ]


# --- links -----------------------------------------------------------------------------------


def track_url(report: Report) -> str:
    """The report's public page, absolute."""
    return f"{settings.GEO_IOC_PUBLIC_URL}/phan-anh/{report.code}"


def unsubscribe_url(row: Notification) -> str:
    """The signed link that stops messages about this report to this row's address."""
    code = row.report.code
    signature = _signer.signature(f"{code}:{row.pk}")
    query = urlencode({"m": row.pk, "s": signature})
    return f"{settings.GEO_IOC_PUBLIC_URL}/phan-anh/{code}/unsubscribe?{query}"


def check_link(code: str, message: str, signature: str) -> Notification | None:
    """The outbox row a signed unsubscribe link names, or None when the link is not genuine."""
    if not message.isdigit() or not signature:
        return None
    expected = _signer.signature(f"{code}:{message}")
    if not constant_time_compare(expected, signature):
        return None
    return (
        Notification.objects.select_related("report")
        .filter(pk=int(message), report__code=code)
        .first()
    )


@transaction.atomic
def unsubscribe(row: Notification) -> None:
    """No more messages about the row's report to its address (idempotent)."""
    Unsubscribe.objects.get_or_create(report=row.report, address=row.address)
    Follower.objects.filter(report=row.report, key=row.address).delete()
    Notification.objects.filter(
        report=row.report, address=row.address, state=Notification.State.QUEUED
    ).update(state=Notification.State.SKIPPED, last_error="unsubscribed", updated_at=timezone.now())


# --- messages --------------------------------------------------------------------------------


def _note(step: Step, report: Report) -> tuple[str, str, str]:
    """(Vietnamese label, English label, text) of what the step tells, if anything."""
    vi, en = NOTE_LABEL.get(step.action, ("Ghi chú", "Note"))
    text = step.note.strip()
    if step.action == "merge" and report.duplicate_of is not None:
        text = f"{text} → {report.duplicate_of.code}".strip()
    if step.action == "route" and report.unit is not None and not text:
        text = report.unit.name
    return vi, en, text


def email_of(row: Notification) -> channels.Email:
    """The e-mail of an outbox row: Vietnamese first, English beside, the two links."""
    report, step = row.report, row.step
    vi, en = NEWS[step.action]
    label_vi, label_en, note = _note(step, report)
    link, stop = track_url(report), unsubscribe_url(row)
    category = report.category
    lines = [
        f"Phản ánh {report.code} ({category.name_vi}) {vi}.",
        *([f"{label_vi}: {note}"] if note else []),
        f"Theo dõi: {link}",
        f"Ngừng nhận thông báo về phản ánh này: {stop}",
        "",
        "— English —",
        f"Report {report.code} ({category.name_en}) {en}.",
        *([f"{label_en}: {note}"] if note else []),
        f"Follow it: {link}",
        f"Stop messages about this report: {stop}",
    ]
    return channels.Email(
        to=row.address,
        subject=f"[{report.code}] Phản ánh {vi} / Report {en}",
        body="\n".join(lines) + "\n",
        unsubscribe=stop,
    )


def sms_of(row: Notification) -> str:
    """The short text of an outbox row, without accents, with the two links."""
    report = row.report
    vi, _ = NEWS[row.step.action]
    return channels.plain(
        f"{report.code}: phan anh {vi}. Xem {track_url(report)} Huy: {unsubscribe_url(row)}"
    )


# --- sending ---------------------------------------------------------------------------------


def deliver(pk: int) -> str:
    """Send one outbox row now; returns its state. A failure is recorded, then raised."""
    failure: channels.SendError | None = None
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("report__category", "report__duplicate_of", "report__unit", "step")
            .filter(pk=pk)
            .first()
        )
        if row is None:  # gone, or another sender holds it right now
            return "locked"
        if row.state not in (Notification.State.QUEUED, Notification.State.FAILED):
            return str(row.state)
        if Unsubscribe.objects.filter(report=row.report, address=row.address).exists():
            row.state, row.last_error = Notification.State.SKIPPED, "unsubscribed"
            row.save()
            return str(row.state)
        row.attempts += 1
        try:
            if row.channel == Notification.Channel.EMAIL:
                channels.send_email(email_of(row))
            else:
                channels.send_sms(row.address.removeprefix("tel:"), sms_of(row))
        except channels.NotConfigured as exc:
            row.state, row.last_error = Notification.State.SKIPPED, str(exc)
        except channels.SendError as exc:
            row.state, row.last_error = Notification.State.FAILED, str(exc)[:2000]
            failure = exc
        else:
            row.state, row.last_error, row.sent_at = Notification.State.SENT, "", timezone.now()
        row.save()
    if failure is not None:
        raise failure
    return str(row.state)


def sweep(limit: int = 200) -> int:
    """Send what is still queued after the sweep period (a lost job, a worker restart)."""
    cutoff = timezone.now() - timedelta(seconds=settings.GEO_IOC_NOTIFY_SWEEP_SECONDS)
    pending = list(
        Notification.objects.filter(state=Notification.State.QUEUED, created_at__lte=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        try:
            sent += deliver(pk) == Notification.State.SENT
        except channels.SendError:
            continue  # recorded on the row
    return sent
