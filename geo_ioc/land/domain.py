"""The land app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.core import domains
from geo_ioc.land.search import ParcelSearch
from geo_ioc.search.providers import SEARCH_PROVIDERS

domains.register(SEARCH_PROVIDERS, ParcelSearch(), module=__name__)
