"""Alert rules in data: the incident kinds, and raising and resolving alerts for every kind.

The rules run when their input changes (`rulekinds.on_changes`, a subscriber of the event log).
Each kind has a parameter schema; a rule fires once per subject (a partial unique index keeps
one open alert per rule and key) and resolves itself when its condition stops holding.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any, Literal

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.measure import D
from django.db import connection
from django.utils import timezone
from psycopg import sql
from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo_ioc.core.live import events
from geo_ioc.operations.models import Alert, AlertRule, Incident
from geo_ioc.operations.rulekinds import Changed, RuleKind, Rules
from layers.models import Layer
from layers.sources import source_for

OPEN_STATUSES = (Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.DISPATCHED)
ALERTS_LAYER = "alerts"
INCIDENTS_LAYER = "incidents"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Geofence(_Strict):
    """An area: features of a polygon layer whose `field` equals `value`, or a WKT polygon."""

    layer: str | None = None
    field: str | None = None
    value: str | int | None = None
    wkt: str | None = None
    name: str = Field(default="", description="CAP areaDesc")

    @model_validator(mode="after")
    def _one_way(self) -> Geofence:
        if (self.wkt is None) == (self.layer is None):
            raise ValueError("give either wkt or layer + field + value")
        if self.layer is not None and (self.field is None or self.value is None):
            raise ValueError("a layer geofence needs field and value")
        return self


class IncidentInArea(_Strict):
    """An open incident of these types and at least this severity inside the area."""

    area: Geofence
    types: list[Incident.Type] = Field(default_factory=list)
    severity_min: int = Field(default=1, ge=1, le=4)
    trigger: Literal["inside", "enter", "exit"] = "inside"


class Hotspot(_Strict):
    """At least `count` open incidents within `radius_m` of each other in `minutes`."""

    count: int = Field(ge=2)
    radius_m: float = Field(gt=0, le=50_000)
    minutes: int = Field(gt=0, le=7 * 24 * 60)
    types: list[Incident.Type] = Field(default_factory=list)


def geofence_geometry(fence: Geofence) -> GEOSGeometry:
    """The geofence as one geometry in EPSG:4326."""
    if fence.wkt is not None:
        return GEOSGeometry(fence.wkt, srid=4326)
    layer = Layer.objects.get(slug=fence.layer)
    if fence.field not in {f.name for f in layer.field_defs()}:
        raise ValueError(f"layer {fence.layer} has no field {fence.field}")
    rel = source_for(layer).relation()
    query = sql.SQL("SELECT ST_AsEWKB(ST_Union({g})) FROM {r} WHERE {f}::text = %s").format(
        g=sql.Identifier(rel.geom_column), r=rel.relation, f=sql.Identifier(str(fence.field))
    )
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection), [str(fence.value)])
        row = cur.fetchone()
    if row is None or row[0] is None:
        raise ValueError(f"no feature of {fence.layer} has {fence.field} = {fence.value}")
    return GEOSGeometry(memoryview(bytes(row[0])))


def _matches(incident: Incident, types: list[Incident.Type]) -> bool:
    return incident.status in OPEN_STATUSES and (not types or incident.type in types)


def open_alert(rule: AlertRule, key: str) -> Alert | None:
    """The rule's unresolved alert for `key`, if any."""
    return Alert.objects.filter(rule=rule, key=key).exclude(status=Alert.Status.RESOLVED).first()


def fire(rule: AlertRule, key: str, incident: Incident | None, **fields: Any) -> Alert | None:
    """Raise an alert unless one is open for the same rule and key; publish it."""
    if open_alert(rule, key) is not None:
        return None  # fires once per subject
    alert = Alert.objects.create(
        identifier=uuid.uuid4(),
        rule=rule,
        key=key,
        sent=timezone.now(),
        incident=incident,
        **fields,
    )
    events.record(ALERTS_LAYER, "create", alert.pk, alert_summary(alert))
    return alert


def resolve(alert: Alert, actor: str = "") -> Alert:
    """Close an alert (by its rule when `actor` is empty) and publish the change."""
    alert.status = Alert.Status.RESOLVED
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor
    alert.save()
    events.record(ALERTS_LAYER, "resolve", alert.pk, alert_summary(alert), actor)
    return alert


def _incident_in_area(
    rule: AlertRule, p: IncidentInArea, incident: Incident, before: GEOSGeometry | None
) -> None:
    area = geofence_geometry(p.area)
    inside = area.intersects(incident.geom)
    was_inside = before is not None and area.intersects(before)
    watched = _matches(incident, p.types) and incident.severity >= p.severity_min
    # inside: while it is in the area; enter: it appeared in or moved into the area;
    # exit: it moved out. Each fires once per incident and ends when the incident is closed
    # (or, for inside and enter, when it leaves; for exit, when it comes back).
    if p.trigger == "inside":
        holds, starts = watched and inside, True
    elif p.trigger == "enter":
        holds, starts = watched and inside, not was_inside
    else:
        holds, starts = watched and not inside, was_inside
    key = f"{p.trigger}:{incident.pk}" if p.trigger != "inside" else f"incident:{incident.pk}"
    alert = open_alert(rule, key)
    if holds and starts and alert is None:
        label = incident.get_type_display()
        verb = {"inside": "tại", "enter": "đi vào", "exit": "rời khỏi"}[p.trigger]
        fire(
            rule,
            key,
            incident,
            headline=f"{rule.event}: {label} mức {incident.severity} {verb} {p.area.name}",
            description=incident.description,
            area_desc=p.area.name or rule.name,
            area=area,
        )
    elif not holds and alert is not None:
        resolve(alert)


def _cluster(p: Hotspot, centre: GEOSGeometry) -> list[Incident]:
    since = timezone.now() - timedelta(minutes=p.minutes)
    # Metres on the spheroid (the column is EPSG:4326); the time window keeps the set small.
    qs = Incident.objects.filter(
        status__in=OPEN_STATUSES,
        reported_at__gte=since,
        geom__distance_lte=(centre, D(m=p.radius_m)),
    )
    if p.types:
        qs = qs.filter(type__in=p.types)
    return list(qs.order_by("id"))


def _hotspot(rule: AlertRule, p: Hotspot, incident: Incident) -> None:
    # Open hotspots of this rule resolve when their cluster thins out.
    for alert in Alert.objects.filter(rule=rule).exclude(status=Alert.Status.RESOLVED):
        if len(_cluster(p, alert.area)) < p.count:
            resolve(alert)
    if not _matches(incident, p.types):
        return
    members = _cluster(p, incident.geom)
    if len(members) < p.count:
        return
    covered = Alert.objects.filter(rule=rule, area__distance_lte=(incident.geom, D(m=p.radius_m)))
    if covered.exclude(status=Alert.Status.RESOLVED).exists():
        return  # this hotspot is already alerted
    fire(
        rule,
        f"hotspot:{members[0].pk}",
        incident,
        headline=f"{rule.event}: {len(members)} sự cố trong bán kính {p.radius_m:.0f} m",
        description=", ".join(m.code for m in members),
        area_desc=f"{p.radius_m:.0f} m quanh {incident.road_name or incident.code}",
        area=incident.geom,
        circle_radius_m=p.radius_m,
    )


def _evaluate_incidents(rules: Rules, changed: Changed) -> None:
    """Run the incident rules on the incidents that changed (`changed`: id → old position)."""
    incidents = Incident.objects.in_bulk(list(changed))
    for pk in sorted(incidents):
        incident = incidents[pk]
        for rule, params in rules:
            if isinstance(params, IncidentInArea):
                _incident_in_area(rule, params, incident, changed[pk])
            elif isinstance(params, Hotspot):
                _hotspot(rule, params, incident)


INCIDENT_IN_AREA = RuleKind(
    name="incident_in_area",
    label="Sự cố trong vùng / Incident in an area",
    params=IncidentInArea,
    layer=INCIDENTS_LAYER,
    evaluate=_evaluate_incidents,
)
HOTSPOT = RuleKind(
    name="hotspot",
    label="Điểm nóng sự cố / Incident hotspot",
    params=Hotspot,
    layer=INCIDENTS_LAYER,
    evaluate=_evaluate_incidents,
)


def alert_summary(alert: Alert) -> dict[str, Any]:
    """An alert as a GeoJSON Feature (the live message and the JSON API share it)."""
    area = alert.area
    return {
        "type": "Feature",
        "id": alert.pk,
        "geometry": json.loads(area.json),
        "properties": {
            "identifier": str(alert.identifier),
            "rule": alert.rule.name,
            "event": alert.rule.event,
            "status": alert.status,
            "sent": alert.sent.isoformat(),
            "headline": alert.headline,
            "description": alert.description,
            "area_desc": alert.area_desc,
            "circle_radius_m": alert.circle_radius_m,
            "severity": alert.rule.severity,
            "urgency": alert.rule.urgency,
            "certainty": alert.rule.certainty,
            "incident": alert.incident_id,
            "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
            "acknowledged_by": alert.acknowledged_by,
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
            "resolved_by": alert.resolved_by,
        },
    }
