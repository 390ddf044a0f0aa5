"""The search's provider contract: what a domain app contributes to `/search`.

Places and streets come from the catalogue itself (any visible layer with a `name` field);
everything else is a provider that an app registers in its `domain` module under
`SEARCH_PROVIDERS`. A provider searches one catalogue layer and is asked only when the caller
may see that layer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from geo_ioc.core import domains
from geo_ioc.search.schemas import Result
from layers.access import User
from layers.models import Layer


class SearchProvider(ABC):
    """Finds one kind of result in one catalogue layer."""

    kind: str  # the results' `kind`
    layer: str  # the catalogue layer searched; skipped when the caller may not see it
    order: int = 5  # among equally good matches, lower kinds first (places 2, streets 3)

    @abstractmethod
    def search(self, layer: Layer, user: User, text: str, limit: int) -> list[Result]:
        """At most `limit` results for the text, each ranked 0 (exact) to 3 (substring)."""


SEARCH_PROVIDERS: domains.Kind[SearchProvider] = domains.Kind("search_providers", SearchProvider)


def providers() -> list[SearchProvider]:
    """The search providers of the installed apps."""
    return domains.contributions(SEARCH_PROVIDERS)
