"""Citizen reports in the console's search box: by tracking code or words of the description."""

from __future__ import annotations

from django.db.models import Q

from geo_ioc.reports.models import Report
from geo_ioc.reports.workflow import OPEN
from geo_ioc.search.providers import SearchProvider
from geo_ioc.search.queries import titles
from geo_ioc.search.schemas import Result
from geo_ioc.search.text import words
from layers.access import User
from layers.models import Layer


class ReportSearch(SearchProvider):
    """Reports by code prefix or by every word of their description or address."""

    kind = "report"
    layer = "reports"
    order = 1

    def search(self, layer: Layer, user: User, text: str, limit: int) -> list[Result]:
        """Matching reports, open ones first, newest first."""
        code = text.strip().upper()
        condition = Q(code__startswith=code) | Q(code__startswith=f"PA-{code}")
        if words(text):
            by_words = Q()
            for word in words(text):
                by_words &= Q(description__unaccent__icontains=word) | Q(
                    address__unaccent__icontains=word
                )
            condition |= by_words
        found = Report.objects.filter(condition).select_related("category")
        ordered = sorted(
            found.order_by("-received_at")[: limit * 3],
            key=lambda r: (r.status not in OPEN, -r.received_at.timestamp()),
        )[:limit]
        return [
            Result(
                kind="report",
                layer=layer.slug,
                layer_title=titles(layer),
                id=str(r.pk),
                title=f"{r.code} · {r.category.name_vi}",
                subtitle=r.description[:120],
                lon=r.geom.x,
                lat=r.geom.y,
                rank=0 if r.code == code else (1 if r.code.startswith(code) else 3),
                properties={"status": r.status, "received_at": r.received_at.isoformat()},
            )
            for r in ordered
        ]
