"""The cameras app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.cameras.kpis import CamerasPart
from geo_ioc.core import domains
from geo_ioc.indicators.parts import KPI_PARTS
from geo_ioc.walls.layout import SCREEN_KINDS, ScreenKind

domains.register(KPI_PARTS, CamerasPart(), module=__name__)
# Cameras and incidents on a map.
domains.register(SCREEN_KINDS, ScreenKind("security", has_map=True), module=__name__)
