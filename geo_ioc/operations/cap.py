"""CAP 1.2 XML for alerts (OASIS Common Alerting Protocol), and an Atom feed of them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon

from geo_ioc.operations.models import Alert, AlertRule

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
# CAP polygons are lists of points; keep them small enough for any receiver.
MAX_POLYGON_POINTS = 200


def _sender() -> str:
    return str(getattr(settings, "GEO_IOC_CAP_SENDER", "ioc@geo-ioc.local"))


def _cap_time(alert: Alert) -> str:
    # CAP dateTime: no fractional seconds, explicit offset ("Z" is not allowed).
    return alert.sent.replace(microsecond=0).isoformat().replace("+00:00", "-00:00")


def _rings(area: GEOSGeometry) -> list[str]:
    """CAP polygons ("lat,lon lat,lon …", closed) of the outer rings of a (multi)polygon."""
    polygons: list[Any] = [area] if isinstance(area, Polygon) else list(area)  # type: ignore[call-overload]
    rings = []
    for polygon in polygons:
        simple, tolerance = polygon, 0.0
        while simple.exterior_ring.num_points > MAX_POLYGON_POINTS:
            tolerance = tolerance * 2 or 1e-5
            simple = polygon.simplify(tolerance, preserve_topology=True)
        # Axis order: CAP writes latitude first.
        rings.append(" ".join(f"{y:.6f},{x:.6f}" for x, y in simple.exterior_ring.coords))
    return rings


def alert_element(
    alert: Alert, ns: str = CAP_NS, hidden: frozenset[str] = frozenset()
) -> ET.Element:
    """The <alert> element of one alert, without the fields the reader may not see."""

    def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ns}}}{tag}")
        el.text = text
        return el

    root = ET.Element(f"{{{ns}}}alert")
    sub(root, "identifier", str(alert.identifier))
    sub(root, "sender", _sender())
    sub(root, "sent", _cap_time(alert))
    sub(root, "status", "Actual")
    sub(root, "msgType", "Alert")
    sub(root, "scope", alert.rule.scope)
    if alert.rule.scope == AlertRule.Scope.RESTRICTED:
        sub(root, "restriction", "Control-room staff")
    if alert.incident_id:
        sub(root, "incidents", f"incident-{alert.incident_id}")
    info = ET.SubElement(root, f"{{{ns}}}info")
    sub(info, "language", "vi-VN")
    sub(info, "category", alert.rule.category)
    sub(info, "event", alert.rule.event)
    sub(info, "urgency", alert.rule.urgency)
    sub(info, "severity", alert.rule.severity)
    sub(info, "certainty", alert.rule.certainty)
    sub(info, "senderName", "geo-ioc")
    if "headline" not in hidden:
        sub(info, "headline", alert.headline[:160])
    if alert.description and "description" not in hidden:
        sub(info, "description", alert.description)
    area = ET.SubElement(info, f"{{{ns}}}area")
    sub(area, "areaDesc", alert.area_desc)
    if alert.circle_radius_m is not None:
        centre = alert.area.centroid
        sub(area, "circle", f"{centre.y:.6f},{centre.x:.6f} {alert.circle_radius_m / 1000:.3f}")
    elif alert.area.geom_type in ("Polygon", "MultiPolygon"):
        for ring in _rings(alert.area):
            sub(area, "polygon", ring)
    return root


def alert_xml(alert: Alert, hidden: frozenset[str] = frozenset()) -> bytes:
    """One CAP 1.2 document."""
    ET.register_namespace("", CAP_NS)
    return ET.tostring(alert_element(alert, hidden=hidden), encoding="utf-8", xml_declaration=True)


def feed_xml(alerts: Iterable[Alert], self_url: str, hidden: frozenset[str] = frozenset()) -> bytes:
    """An Atom feed with one entry per alert, the CAP alert as the entry's content."""
    ET.register_namespace("", ATOM_NS)
    ET.register_namespace("cap", CAP_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = "geo-ioc alerts"
    # RFC 4287 4.1.1: a feed names an author unless every entry does.
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    ET.SubElement(author, f"{{{ATOM_NS}}}name").text = "geo-ioc"
    ET.SubElement(author, f"{{{ATOM_NS}}}email").text = _sender()
    alerts = list(alerts)
    updated = max((a.sent for a in alerts), default=None)
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = (
        updated.isoformat() if updated else "1970-01-01T00:00:00+00:00"
    )
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=self_url)
    for alert in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = f"urn:uuid:{alert.identifier}"
        title = alert.rule.event if "headline" in hidden else alert.headline
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = title
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = alert.sent.isoformat()
        content = ET.SubElement(entry, f"{{{ATOM_NS}}}content", type="application/cap+xml")
        content.append(alert_element(alert, hidden=hidden))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
