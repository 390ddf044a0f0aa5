"""The walls app's contributions: the plain map screen."""

from geo_ioc.core import domains
from geo_ioc.walls.layout import SCREEN_KINDS, ScreenKind

domains.register(SCREEN_KINDS, ScreenKind("map", has_map=True), module=__name__)
