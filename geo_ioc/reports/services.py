"""Writes to reports: intake, steps of the workflow, merges, incidents.

Each write persists the report, its step and its live message (`events.record`, public fields
only) in one transaction; the alert rules and the console hear of it when it commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from geo_ioc.core.live import events
from geo_ioc.reports import notify, routing, workflow
from geo_ioc.reports.clock import LOCAL, calendar
from geo_ioc.reports.errors import InvalidReport, InvalidStep
from geo_ioc.reports.models import Category, ClientApp, Follower, Report, ReportContact, Step, Unit
from geo_ioc.reports.queries import report_feature
from geo_ioc.reports.schemas import ReportIn, StepIn

LAYER = "reports"
User = AbstractBaseUser | AnonymousUser
# Tracking codes: no 0/O, 1/I/L, short enough to read over the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code() -> str:
    """A random tracking code like PA-7KQ3M9XD (not guessable from another one)."""
    return "PA-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def ip_hash(ip: str) -> str:
    """A reporter's address, kept only as a hash (abuse checks, never shown)."""
    return hashlib.sha256(f"geo-ioc-reports:{ip}".encode()).hexdigest()


def _actor(user: User | None) -> tuple[AbstractBaseUser | None, str]:
    if user is not None and user.is_authenticated:
        return user, str(user.get_username())  # type: ignore[return-value]
    return None, ""


def publish(report: Report, operation: str, user: User | None = None) -> None:
    """The report's live message (public fields only), in the writer's transaction."""
    events.record(LAYER, operation, report.pk, report_feature(report), _actor(user)[1])


def add_step(
    report: Report,
    action: str,
    user: User | None,
    note: str = "",
    *,
    public: bool = True,
    at: datetime | None = None,
) -> Step:
    """Record one step of the report's history (timestamped, with the user)."""
    actor, name = _actor(user)
    return Step.objects.create(  # type: ignore[misc]
        report=report,
        at=at or timezone.now(),
        actor=actor,
        actor_name=name,
        action=action,
        status=report.status,
        note=note,
        public=public,
        unit=report.unit,
    )


def set_deadlines(report: Report, category: Category, start: datetime) -> None:
    """Forwarding in wall-clock minutes (the hotline never closes); the rest in working time."""
    cal = calendar(start.astimezone(LOCAL).date())
    report.due_forward_at = start + timedelta(minutes=category.forward_minutes)
    report.due_answer_at = cal.add(start, timedelta(hours=category.answer_hours))
    report.due_resolve_at = cal.add_days(start, category.resolve_days)


def _route(report: Report, unit: Unit | None, user: User | None, note: str, at: datetime) -> Step:
    report.unit = unit
    report.status = Report.Status.ROUTED
    report.routed_at = at
    return add_step(report, "route", user, note, at=at)


@transaction.atomic
def create_report(
    data: ReportIn,
    user: User | None = None,
    *,
    ip: str = "",
    client: ClientApp | None = None,
    received_at: datetime | None = None,
    synthetic: bool = False,
) -> Report:
    """Take a report in: check the place, route it by commune and category, start its clocks."""
    category = Category.objects.filter(code=data.category, active=True).first()
    if category is None:
        raise InvalidReport(f"Unknown category {data.category!r}.", field="category")
    area = routing.require_area(data.lon, data.lat)
    now = received_at or timezone.now()
    report = Report(
        category=category,
        source=data.source,
        description=data.description.strip(),
        address=data.address,
        geom=Point(data.lon, data.lat, srid=4326),
        area_code=area.code,
        area_name=area.name,
        attributes=data.attributes,
        received_at=now,
        client=client,
        synthetic=synthetic,
    )
    set_deadlines(report, category, now)
    for _ in range(5):  # a clash of random codes is rare; try again
        report.code = new_code()
        try:
            with transaction.atomic():
                report.save()
            break
        except IntegrityError:
            continue
    add_step(report, "receive", user, f"Tiếp nhận qua {report.get_source_display()}", at=now)
    c = data.contact
    ReportContact.objects.create(
        report=report,
        name=c.name,
        phone=c.phone,
        email=c.email,
        device_id=c.device_id,
        ip_hash=ip_hash(ip) if ip else "",
    )
    for key in {c.device_id, c.email} - {""}:
        Follower.objects.get_or_create(report=report, key=key)
    unit = routing.responsible_unit(category, area.code)
    if unit is not None:  # routed at once; without a route it waits for an operator
        _route(report, unit, None, f"Chuyển {unit.name}", now)
        report.save()
    publish(report, "create", user)
    return report


def _check(report: Report, action: str) -> None:
    if action not in workflow.ACTIONS:
        raise InvalidStep(
            f"Unknown step {action!r}; known: {', '.join(workflow.ACTIONS)}.", field="action"
        )
    sources, _ = workflow.ACTIONS[action]
    if report.status not in sources:
        raise InvalidStep(
            f"Report {report.code} is {report.status}; {action} needs {', '.join(sources)}.",
            field="action",
        )


@transaction.atomic
def step(code: str, data: StepIn, user: User, *, photo: bytes | None = None) -> Report:
    """A staff step along the workflow (route/re-route, accept, start, resolve, close, reject)."""
    report = Report.objects.select_for_update().select_related("category").get(code=code)
    action = data.action
    _check(report, action)
    if action == "reopen":
        raise InvalidStep("Only the reporter reopens a report.", field="action")
    merging = action == "reject" and data.rejection == Report.Rejection.DUPLICATE
    if action in workflow.NEEDS_NOTE and not data.note.strip() and not merging:
        raise InvalidReport(f"A {action} step needs a note the citizen reads.", field="note")
    now = timezone.now()
    done: Step | None = None  # the step followers are told of (a merge tells its own)
    if action == "route":
        unit = Unit.objects.filter(code=data.unit or "").first()
        if unit is None:
            raise InvalidReport("Routing needs a known unit code.", field="unit")
        if report.status != Report.Status.RECEIVED and not data.note.strip():
            raise InvalidReport("Re-routing needs a reason.", field="note")
        done = _route(report, unit, user, data.note or f"Chuyển {unit.name}", now)
    elif action == "reject" and data.rejection == Report.Rejection.DUPLICATE:
        from geo_ioc.reports.dedupe import merge

        if not data.duplicate_of:
            raise InvalidReport("A duplicate names the original's code.", field="duplicate_of")
        merge(report, data.duplicate_of, user, data.note)
    else:
        if action == "reject":
            if data.rejection is None:
                raise InvalidReport("A rejection gives its kind.", field="rejection")
            report.rejection = data.rejection
            report.reason = data.note
        report.status = workflow.ACTIONS[action][1]
        if action == "resolve":
            report.answer = data.note
            report.resolved_at = now
        if action == "close":
            report.closed_at = now
        done = add_step(report, action, user, data.note, public=data.public)
    if action in workflow.ANSWERS and report.answered_at is None:
        report.answered_at = now
    if report.status in workflow.DONE:
        report.overdue = False
    report.save()
    if photo is not None:
        from geo_ioc.reports.photos import store

        store(report, photo, role="answer")
    if done is not None:
        notify.enqueue(report, done)
    publish(report, action, user)
    return report


def reporter_keys(report: Report) -> set[str]:
    """The device ids and e-mails of who reported it, or reported a duplicate merged into it.

    Following is open to anyone; reopening is the reporters' right only.
    """
    contacts = ReportContact.objects.filter(
        Q(report=report) | Q(report__duplicate_of=report)
    ).values_list("device_id", "email")
    return {key for pair in contacts for key in pair if key}


@transaction.atomic
def reopen(code: str, note: str, key: str) -> Report:
    """A reporter reopens a resolved or rejected report within 7 days."""
    report = Report.objects.select_for_update().select_related("category").get(code=code)
    _check(report, "reopen")
    if key not in reporter_keys(report):
        raise InvalidStep("Only the reporter (of this report or of one merged into it) reopens.")
    done_at = report.resolved_at or report.updated_at
    if timezone.now() - done_at > workflow.REOPEN_WINDOW:
        raise InvalidStep(f"A report can be reopened within {workflow.REOPEN_DAYS} days only.")
    if not note.strip():
        raise InvalidReport("Say why the report is reopened.", field="note")
    report.status = Report.Status.ROUTED
    report.resolved_at = report.closed_at = None
    report.rejection = ""
    set_deadlines(report, report.category, timezone.now())
    done = add_step(report, "reopen", None, note)
    report.save()
    notify.enqueue(report, done)
    publish(report, "reopen")
    return report


def phone_key(phone: str) -> str:
    """A follower key for a phone number: `tel:` and its digits (a leading + kept)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def follow(code: str, key: str) -> Report:
    """Follow a report by its code (a device id or an e-mail); idempotent."""
    report = Report.objects.get(code=code)
    Follower.objects.get_or_create(report=report, key=key)
    return report


@transaction.atomic
def to_incident(code: str, kind: str, severity: int, user: User) -> Report:
    """Open an incident from a report (source: citizen); the report keeps the link."""
    from geo_ioc.operations.models import Incident
    from geo_ioc.operations.schemas import IncidentCreate
    from geo_ioc.operations.services import create_incident

    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "unit")
        .get(code=code)
    )
    if report.incident_id is not None:
        raise InvalidStep(f"Report {code} is already incident {report.incident_id}.")
    data = IncidentCreate(
        type=Incident.Type(kind),
        severity=severity,
        lon=report.geom.x,
        lat=report.geom.y,
        description=f"[{report.code}] {report.description}"[:2000],
        source=Incident.Source.CITIZEN,
        road_name=report.address,
        responsible_unit=report.unit.name if report.unit else "",
    )
    incident = create_incident(data, user)
    report.incident = incident
    report.save(update_fields=["incident", "updated_at"])
    add_step(report, "incident", user, f"Chuyển thành sự cố {incident.code}", public=False)
    publish(report, "incident", user)
    return report


AUTO_CLOSE_NOTE = (
    f"Tự động đóng sau {workflow.REOPEN_DAYS} ngày không mở lại / "
    f"Closed automatically after {workflow.REOPEN_DAYS} days without a reopening"
)


@transaction.atomic
def close_resolved(now: datetime | None = None, limit: int = 500) -> int:
    """Close reports resolved more than the reopening window ago (a reopen clears resolved_at).

    Rows locked by another writer are skipped and closed by the next run; returns how many.
    """
    cutoff = (now or timezone.now()) - workflow.REOPEN_WINDOW
    due = (
        Report.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("category", "unit", "duplicate_of")
        .filter(status=Report.Status.RESOLVED, resolved_at__lte=cutoff)
        .order_by("resolved_at")[:limit]
    )
    closed = 0
    for report in due:
        report.status = Report.Status.CLOSED
        report.closed_at = timezone.now()
        report.overdue = False
        report.save()
        notify.enqueue(report, add_step(report, "close", None, AUTO_CLOSE_NOTE))
        publish(report, "close")
        closed += 1
    return closed
