"""The alert-rule kinds of the cameras: silent, tampered, and congestion seen by a camera.

All three watch the cameras layer: the health and analytics write a camera only when its status,
tampering or congestion changes, and that change runs them (silence is also swept, since only
time reveals how long a camera has been offline). Each may open an incident — maintenance for a
silent or tampered camera, congestion for a queue — so the operators' workflow takes it from
there; the alert names the masked snapshot that shows what the camera saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from geo_ioc.cameras.models import Camera, CameraEvent
from geo_ioc.operations.models import Alert, AlertRule, Incident
from geo_ioc.operations.rulekinds import Changed, RuleKind, Rules, parse_params
from geo_ioc.operations.rules import fire, resolve
from geo_ioc.operations.schemas import IncidentCreate
from geo_ioc.operations.services import create_incident

LAYER = "cameras"
MAINTENANCE_UNIT = "Trung tâm giám sát, điều hành (bảo trì camera)"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cameras: list[str] = Field(default_factory=list, description="codes; empty: all")
    open_incident: bool = Field(default=False, description="also open an incident")
    severity: int = Field(default=2, ge=1, le=4, description="of the incident")


class CameraSilent(_Params):
    """A camera offline (no heartbeat) for at least `minutes`."""

    minutes: int = Field(default=5, ge=1, le=7 * 24 * 60)


class CameraTampered(_Params):
    """A camera covered, blurred, moved or looking elsewhere, with at least this confidence."""

    confidence_min: float = Field(default=0.6, gt=0, le=1)


class CameraCongestion(_Params):
    """A queue in a camera's analysis region: its stopped share at least `stopped_min`."""

    stopped_min: float = Field(default=0.25, gt=0, le=1)
    open_incident: bool = True


Open = dict[tuple[int, str], Alert]
Holds = Callable[[AlertRule, BaseModel, Camera, datetime], bool]


def _evidence(camera: Camera, kinds: Iterable[str]) -> str:
    """A line naming the newest event's masked snapshot, if there is one."""
    event = (
        CameraEvent.objects.filter(camera=camera, kind__in=list(kinds), snapshot__isnull=False)
        .order_by("-at", "-id")
        .first()
    )
    if event is None or event.snapshot_id is None:
        return ""
    return (
        f" Ảnh (đã che vùng riêng tư): /cameras/{camera.code}/snapshot?id={event.snapshot_id}"
        f" (độ tin cậy {event.confidence:.0%})."
    )


def _incident(
    camera: Camera, type_: Incident.Type, severity: int, text: str, unit: str
) -> Incident:
    return create_incident(
        IncidentCreate(
            type=type_,
            severity=severity,
            lon=camera.geom.x,
            lat=camera.geom.y,
            description=text[:4000],
            source=Incident.Source.CAMERA,
            road_name=camera.road_name[:200],
            responsible_unit=unit[:200],
        ),
        AnonymousUser(),
    )


def _silent(rule: AlertRule, p: BaseModel, cam: Camera, now: datetime) -> bool:
    assert isinstance(p, CameraSilent)
    since = cam.status_since or now
    return cam.status == Camera.Status.OFFLINE and now - since >= timedelta(minutes=p.minutes)


def _tampered(rule: AlertRule, p: BaseModel, cam: Camera, now: datetime) -> bool:
    assert isinstance(p, CameraTampered)
    return bool(cam.tamper) and (cam.tamper_confidence or 0) >= p.confidence_min


def _congested(rule: AlertRule, p: BaseModel, cam: Camera, now: datetime) -> bool:
    assert isinstance(p, CameraCongestion)
    return cam.congestion is not None and cam.congestion >= p.stopped_min


def _texts(rule: AlertRule, cam: Camera) -> tuple[str, str, Incident.Type, str]:
    """Headline, description, incident type and unit for a rule's kind."""
    where = f"{cam.name} ({cam.code})"
    if rule.kind == SILENT.name:
        since = f"{timezone.localtime(cam.status_since):%H:%M %d/%m}" if cam.status_since else "—"
        return (
            f"{rule.event}: {where} mất tín hiệu",
            f"Không nhận được tín hiệu từ {since}. Đơn vị quản lý: {cam.owner_unit or '—'}.",
            Incident.Type.INFRASTRUCTURE_FAILURE,
            MAINTENANCE_UNIT,
        )
    if rule.kind == TAMPERED.name:
        label = (
            Camera.Tamper(cam.tamper).label if cam.tamper in Camera.Tamper.values else cam.tamper
        )
        return (
            f"{rule.event}: {where} — {label}",
            f"Phát hiện can thiệp ({label}), độ tin cậy {cam.tamper_confidence or 0:.0%}."
            + _evidence(cam, [cam.tamper]),
            Incident.Type.INFRASTRUCTURE_FAILURE,
            MAINTENANCE_UNIT,
        )
    return (
        f"{rule.event}: ùn tắc tại {cam.road_name or where}",
        f"Camera {where}: {cam.congestion or 0:.0%} vùng phân tích là xe dừng, "
        f"{cam.occupancy or 0:.0%} bị chiếm." + _evidence(cam, [CameraEvent.Kind.CONGESTION]),
        Incident.Type.CONGESTION,
        cam.owner_unit,
    )


def _evaluate(cams: Iterable[Camera], rules: Rules, holds: Holds) -> None:
    now = timezone.now()
    open_: Open = {
        (a.rule_id, a.key): a
        for a in Alert.objects.filter(rule__in=[r for r, _ in rules]).exclude(
            status=Alert.Status.RESOLVED
        )
    }
    for cam in cams:
        for rule, params in rules:
            assert isinstance(params, _Params)
            if params.cameras and cam.code not in params.cameras:
                continue
            key = f"{rule.kind}:{cam.code}"
            alert = open_.get((rule.pk, key))
            on = holds(rule, params, cam, now)
            if on and alert is None:
                headline, text, type_, unit = _texts(rule, cam)
                incident = (
                    _incident(cam, type_, params.severity, f"{headline}. {text}", unit)
                    if params.open_incident
                    else None
                )
                fire(
                    rule,
                    key,
                    incident,
                    headline=headline[:300],
                    description=text,
                    area_desc=cam.name[:300],
                    area=cam.geom,
                    circle_radius_m=max(cam.range_m, 50.0),
                )
            elif not on and alert is not None:
                resolve(alert)


def _on_change(holds: Holds) -> Callable[[Rules, Changed], None]:
    def evaluate(rules: Rules, changed: Changed) -> None:
        cams = Camera.objects.in_bulk(list(changed))
        _evaluate([cams[pk] for pk in sorted(cams)], rules, holds)

    return evaluate


def _sweep_silent(rules: Rules) -> None:
    _evaluate(Camera.objects.order_by("pk"), rules, _silent)


def sweep_silent() -> None:
    """The silent-camera rules' sweep, for a consumer without workers (`camera_mqtt --sweep`).

    The workers run it with every kind's sweep.
    """
    found = [
        (rule, parse_params(rule))
        for rule in AlertRule.objects.filter(enabled=True, kind=SILENT.name).order_by("pk")
    ]
    if found:
        _sweep_silent(found)


SILENT = RuleKind(
    name="camera_silent",
    label="Camera mất tín hiệu / Silent camera",
    params=CameraSilent,
    layer=LAYER,
    evaluate=_on_change(_silent),
    sweep=_sweep_silent,
)
TAMPERED = RuleKind(
    name="camera_tampered",
    label="Camera bị can thiệp / Tampered camera",
    params=CameraTampered,
    layer=LAYER,
    evaluate=_on_change(_tampered),
)
CONGESTION = RuleKind(
    name="camera_congestion",
    label="Ùn tắc qua camera / Congestion seen by a camera",
    params=CameraCongestion,
    layer=LAYER,
    evaluate=_on_change(_congested),
)
