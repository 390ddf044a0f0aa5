"""The sensors app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.core import domains
from geo_ioc.indicators.parts import KPI_PARTS
from geo_ioc.operations.rulekinds import RULE_KINDS
from geo_ioc.sensors.kpis import AirPart
from geo_ioc.sensors.rules import AQI_THRESHOLD, SILENT
from geo_ioc.walls.layout import SCREEN_KINDS, ScreenKind

domains.register(KPI_PARTS, AirPart(), module=__name__)
# Stations by VN_AQI on a map, with a ranking.
domains.register(SCREEN_KINDS, ScreenKind("environment", has_map=True), module=__name__)
# Alerts on bad air and on silent stations (`rules.py`).
domains.register(RULE_KINDS, AQI_THRESHOLD, SILENT, module=__name__)
