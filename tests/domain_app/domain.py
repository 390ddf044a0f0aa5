"""The test domain's contributions: a search provider and an alert-rule kind."""

from __future__ import annotations

from geo_ioc.core import domains
from geo_ioc.operations.rulekinds import RULE_KINDS
from geo_ioc.search.providers import SEARCH_PROVIDERS, SearchProvider
from geo_ioc.search.schemas import Result
from layers.access import User
from layers.models import Layer
from tests.domain_app.models import Kiosk
from tests.domain_app.rules import KIOSK_OFFLINE


class KioskSearch(SearchProvider):
    """Kiosks by the start of their code."""

    kind = "kiosk"
    layer = "kiosks"
    order = 0

    def search(self, layer: Layer, user: User, text: str, limit: int) -> list[Result]:
        """Kiosks whose code starts with the text."""
        found = Kiosk.objects.filter(code__istartswith=text.strip()).order_by("code")[:limit]
        return [
            Result(
                kind=self.kind,
                layer=layer.slug,
                layer_title={"vi": layer.title_vi, "en": layer.title_en},
                id=str(k.pk),
                title=k.code,
                subtitle=k.name,
                lon=k.geom.x,
                lat=k.geom.y,
                rank=0 if k.code.lower() == text.strip().lower() else 1,
                properties={"status": k.status},
            )
            for k in found
        ]


domains.register(SEARCH_PROVIDERS, KioskSearch(), module=__name__)
domains.register(RULE_KINDS, KIOSK_OFFLINE, module=__name__)
