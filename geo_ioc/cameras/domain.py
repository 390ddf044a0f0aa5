"""The cameras app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.cameras.kpis import CamerasPart
from geo_ioc.cameras.rules import CONGESTION, SILENT, TAMPERED
from geo_ioc.cameras.search import CameraSearch
from geo_ioc.core import domains
from geo_ioc.indicators.parts import KPI_PARTS
from geo_ioc.operations.rulekinds import RULE_KINDS
from geo_ioc.search.providers import SEARCH_PROVIDERS
from geo_ioc.walls.layout import SCREEN_KINDS, ScreenKind

domains.register(KPI_PARTS, CamerasPart(), module=__name__)
# Cameras and incidents on a map; a grid of the newest snapshots of the cameras in view.
domains.register(
    SCREEN_KINDS,
    ScreenKind("security", has_map=True),
    ScreenKind("cameras", has_map=False),
    module=__name__,
)
# Alerts on silent and tampered cameras and on queues they see (`rules.py`).
domains.register(RULE_KINDS, SILENT, TAMPERED, CONGESTION, module=__name__)
# Cameras by code, name or road.
domains.register(SEARCH_PROVIDERS, CameraSearch(), module=__name__)
