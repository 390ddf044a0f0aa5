"""The public CAP feed: Public alerts to anyone, Restricted ones with a token; Atom and CAP 1.2."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree

from tests.conftest import Users
from tests.operations.test_alerts import (
    CAP_NS,
    FLOOD_RULE,
    SEVERE_RULE,
    alerts_of,
    auth,
    cap_schema,
    create,
    ward_point,
)

pytestmark = pytest.mark.django_db
ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM, "cap": CAP_NS}


def _identifiers(feed: etree._Element) -> set[str]:
    return {e.findtext("cap:identifier", namespaces=NS) for e in feed.iterfind(".//cap:alert", NS)}


def _assert_atom(feed: etree._Element) -> None:
    """RFC 4287: feed id, title, updated and author; each entry id, title, updated, content."""
    assert feed.tag == f"{{{ATOM}}}feed"
    for tag in ("id", "title", "updated"):
        assert (feed.findtext(f"atom:{tag}", namespaces=NS) or "").strip(), tag
    author = feed.find("atom:author", NS)
    assert author is not None and author.findtext("atom:name", namespaces=NS)
    assert feed.find("atom:link[@rel='self']", NS) is not None
    entries = feed.findall("atom:entry", NS)
    assert entries
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert (entry.findtext(f"atom:{tag}", namespaces=NS) or "").strip(), tag
        content = entry.find("atom:content", NS)
        assert content is not None and content.get("type") == "application/cap+xml"


def test_public_alerts_are_readable_anonymously(
    http: httpx.Client, live_url: str, users: Users
) -> None:
    schema = cap_schema()
    flood = create(http, users.operator, 108.4398, 11.9415, severity=3, description="Ngập")
    [public] = alerts_of(FLOOD_RULE, key=f"incident:{flood['id']}")
    fire = create(
        http, users.operator, *ward_point("672.01"), type="fire", severity=4, description="Cháy"
    )
    [restricted] = alerts_of(SEVERE_RULE, key=f"incident:{fire['id']}")

    r = httpx.get(f"{live_url}/alerts.cap")  # no token, no session
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(r.content)
    _assert_atom(feed)
    anonymous = _identifiers(feed)
    assert str(public.identifier) in anonymous and str(restricted.identifier) not in anonymous
    for alert in feed.iterfind(".//cap:alert", NS):
        schema.assertValid(etree.ElementTree(alert))
        assert alert.findtext("cap:scope", namespaces=NS) == "Public"
        assert alert.find("cap:restriction", NS) is None

    staff = etree.fromstring(http.get("/alerts.cap", headers=auth(users.operator)).content)
    _assert_atom(staff)
    assert {str(public.identifier), str(restricted.identifier)} <= _identifiers(staff)
    scopes = {
        a.findtext("cap:identifier", namespaces=NS): a.findtext("cap:scope", namespaces=NS)
        for a in staff.iterfind(".//cap:alert", NS)
    }
    assert scopes[str(restricted.identifier)] == "Restricted"

    # One alert: a Public one to anyone, a Restricted one only with a token.
    one = httpx.get(f"{live_url}/alerts/{public.pk}.cap")
    assert one.status_code == 200
    schema.assertValid(etree.fromstring(one.content))
    assert httpx.get(f"{live_url}/alerts/{restricted.pk}.cap").status_code == 401
    assert httpx.get(f"{live_url}/alerts/999999999.cap").status_code == 401
    assert http.get(f"/alerts/{restricted.pk}.cap", headers=auth(users.operator)).status_code == 200
