"""Reads of features: a page of items or one item, as GeoJSON text assembled around PostGIS."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone

from geo_ioc.core.errors import NotFound
from layers.access import User, resolve
from layers.ogc.crs import Crs
from layers.ogc.documents import GEOJSON, JSON
from layers.ogc.params import FilterParams, ItemsParams
from layers.ogc.plan import plan_read


@dataclass(frozen=True)
class FeaturesBody:
    """A GeoJSON document as text, and the CRS of its coordinates (for `Content-Crs`)."""

    text: str
    crs: Crs


def _page_url(request: HttpRequest, query: Mapping[str, str], offset: int, limit: int) -> str:
    params = {**query, "offset": str(offset), "limit": str(limit)}
    base = request.build_absolute_uri(request.path)
    return f"{base}?{urlencode(sorted(params.items()))}"


def items(
    request: HttpRequest,
    user: User,
    slug: str,
    p: ItemsParams,
    query: Mapping[str, str] | None = None,
) -> FeaturesBody:
    """`/ogc/collections/{layer}/items`: one page, with numberMatched and next/prev links.

    `query` is what selected the page (the URL's parameters, or a POSTed search as
    parameters): the next/prev links are GET URLs carrying it.
    """
    query = query if query is not None else request.GET.dict()
    entry = resolve(user, slug)
    plan = plan_read(user, entry, p.filters, properties=p.properties, sortby=p.sortby)
    page = plan.source.features(plan, p.crs, p.limit, p.offset)
    matched, rows = page.matched, page.features
    links = [
        {
            "href": request.build_absolute_uri(),
            "rel": "self",
            "type": GEOJSON,
            "title": "This page",
        },
        {
            "href": request.build_absolute_uri(f"/ogc/collections/{slug}"),
            "rel": "collection",
            "type": JSON,
            "title": "The collection",
        },
    ]
    if p.offset + len(rows) < matched:
        links.append(
            {
                "href": _page_url(request, query, p.offset + p.limit, p.limit),
                "rel": "next",
                "type": GEOJSON,
                "title": "Next page",
            }
        )
    if p.offset > 0:
        links.append(
            {
                "href": _page_url(request, query, max(0, p.offset - p.limit), p.limit),
                "rel": "prev",
                "type": GEOJSON,
                "title": "Previous page",
            }
        )
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(rows),
        "timeStamp": timezone.now().isoformat(timespec="seconds"),
        "links": links,
    }
    # The features are JSON text from PostGIS already: splice them in rather than re-parse.
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [' + ",".join(rows) + "]}"
    return FeaturesBody(text, p.crs)


def item(request: HttpRequest, user: User, slug: str, fid: str, crs: Crs) -> FeaturesBody:
    """`/ogc/collections/{layer}/items/{id}`; a non-numeric id is simply not found."""
    entry = resolve(user, slug)
    try:
        number = int(fid)
    except ValueError:
        raise NotFound(f"No feature {fid!r} in {slug!r}.", field="id") from None
    if not -(2**63) <= number < 2**63:
        raise NotFound(f"No feature {fid!r} in {slug!r}.", field="id")
    plan = plan_read(user, entry, FilterParams())
    text = plan.source.feature(plan, crs, number)
    if text is None:
        raise NotFound(f"No feature {fid!r} in {slug!r}.", field="id")
    feature = json.loads(text)
    feature["links"] = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": GEOJSON},
        {
            "href": request.build_absolute_uri(f"/ogc/collections/{slug}"),
            "rel": "collection",
            "type": JSON,
        },
    ]
    return FeaturesBody(json.dumps(feature, ensure_ascii=False), crs)
