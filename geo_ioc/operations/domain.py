"""The operations app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.core import domains
from geo_ioc.indicators.parts import KPI_PARTS
from geo_ioc.operations.kpis import AlertsPart, IncidentsPart
from geo_ioc.operations.rulekinds import RULE_KINDS
from geo_ioc.operations.rules import HOTSPOT, INCIDENT_IN_AREA
from geo_ioc.operations.search import IncidentSearch
from geo_ioc.search.providers import SEARCH_PROVIDERS
from geo_ioc.walls.layout import SCREEN_KINDS, ScreenKind

domains.register(SEARCH_PROVIDERS, IncidentSearch(), module=__name__)
domains.register(KPI_PARTS, IncidentsPart(), AlertsPart(), module=__name__)
# KPIs, alert feed, charts and the latest incidents on a wall screen.
domains.register(SCREEN_KINDS, ScreenKind("alerts", has_map=False), module=__name__)
domains.register(RULE_KINDS, INCIDENT_IN_AREA, HOTSPOT, module=__name__)
