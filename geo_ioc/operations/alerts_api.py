"""HTTP API of alerts: JSON list and detail, acknowledge and resolve, CAP 1.2 XML."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.core.errors import InvalidParameter, NotFound
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.inputs import int_or_none
from geo_ioc.core.live import events
from geo_ioc.operations import cap
from geo_ioc.operations.api import can_write
from geo_ioc.operations.errors import InvalidTransition
from geo_ioc.operations.models import Alert, AlertRule
from geo_ioc.operations.rules import ALERTS_LAYER, alert_summary, resolve
from layers.access import get_visible_layer, hidden_fields, redact_feature

CAP_TYPE = "application/cap+xml; charset=utf-8"


def _alert(raw_id: str) -> Alert:
    pk = int_or_none(raw_id)
    alert = Alert.objects.select_related("rule").filter(pk=pk).first() if pk else None
    if alert is None:
        raise NotFound(f"No alert {raw_id!r}.")
    return alert


def _listed(request: HttpRequest, public_only: bool = False) -> list[Alert]:
    statuses = [s for s in request.GET.get("status", "active,acknowledged").split(",") if s]
    bad = [s for s in statuses if s not in Alert.Status.values]
    if bad:
        raise InvalidParameter(
            f"status {bad[0]!r} is not one of {', '.join(Alert.Status.values)}.", field="status"
        )
    found = Alert.objects.select_related("rule").filter(status__in=statuses)
    if public_only:
        found = found.filter(rule__scope=AlertRule.Scope.PUBLIC)
    return list(found[:1000])


def _sees_restricted(request: HttpRequest) -> bool:
    """Whether the caller may read Restricted alerts (as the alerts layer allows)."""
    if not request.user.is_authenticated:
        return False
    get_visible_layer(request.user, ALERTS_LAYER)
    return True


def _summary(request: HttpRequest, alert: Alert) -> HttpResponse:
    hidden = hidden_fields(request.user, ALERTS_LAYER)
    return json_response(redact_feature(alert_summary(alert), hidden))


@allow("GET")
def alerts(request: HttpRequest) -> HttpResponse:
    """Alerts as GeoJSON (`?status=active,acknowledged` by default)."""
    get_visible_layer(request.user, ALERTS_LAYER)
    hidden = hidden_fields(request.user, ALERTS_LAYER)
    features = [redact_feature(alert_summary(a), hidden) for a in _listed(request)]
    return json_response({"type": "FeatureCollection", "features": features})


@allow("GET")
def alerts_cap(request: HttpRequest) -> HttpResponse:
    """An Atom feed of the listed alerts, each entry a CAP 1.2 alert.

    Anyone reads the alerts of scope Public (what a public warning system subscribes to);
    Restricted ones only a caller the alerts layer is visible to. Restricted fields are left out.
    """
    listed = _listed(request, public_only=not _sees_restricted(request))
    hidden = hidden_fields(request.user, ALERTS_LAYER)
    body = cap.feed_xml(listed, request.build_absolute_uri(), hidden)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@allow("GET")
def alert(request: HttpRequest, alert_id: str) -> HttpResponse:
    """One alert as GeoJSON."""
    get_visible_layer(request.user, ALERTS_LAYER)
    return _summary(request, _alert(alert_id))


@allow("GET")
def alert_cap(request: HttpRequest, alert_id: str) -> HttpResponse:
    """One alert as a CAP 1.2 document (a Public one to anyone)."""
    public = Alert.objects.filter(rule__scope=AlertRule.Scope.PUBLIC)
    pk = int_or_none(alert_id)
    if not (pk and public.filter(pk=pk).exists()):
        get_visible_layer(request.user, ALERTS_LAYER)  # 401/403 before saying what exists
    hidden = hidden_fields(request.user, ALERTS_LAYER)
    return HttpResponse(cap.alert_xml(_alert(alert_id), hidden), content_type=CAP_TYPE)


@allow("POST")
def acknowledge(request: HttpRequest, alert_id: str) -> HttpResponse:
    """An operator has seen the alert; who and when are recorded."""
    get_visible_layer(request.user, ALERTS_LAYER)
    can_write(request)
    with transaction.atomic():
        found = Alert.objects.select_for_update().get(pk=_alert(alert_id).pk)
        if found.status != Alert.Status.ACTIVE:
            raise InvalidTransition(
                f"The alert is {found.status}; only an active alert is acknowledged."
            )
        found.status = Alert.Status.ACKNOWLEDGED
        found.acknowledged_at = timezone.now()
        found.acknowledged_by = request.user.get_username()
        found.save()
        events.record(
            ALERTS_LAYER, "acknowledge", found.pk, alert_summary(found), found.acknowledged_by
        )
    return _summary(request, found)


@allow("POST")
def resolve_alert(request: HttpRequest, alert_id: str) -> HttpResponse:
    """An operator closes the alert by hand."""
    get_visible_layer(request.user, ALERTS_LAYER)
    can_write(request)
    with transaction.atomic():
        found = Alert.objects.select_for_update().get(pk=_alert(alert_id).pk)
        if found.status == Alert.Status.RESOLVED:
            raise InvalidTransition("The alert is resolved already.")
        resolve(found, request.user.get_username())
    return _summary(request, found)
