"""The socio-economic app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.core import domains
from geo_ioc.operations.rulekinds import RULE_KINDS
from geo_ioc.socioeconomic import wall
from geo_ioc.socioeconomic.rules import BELOW_TARGET, LATE_REPORT, OUT_OF_INTERVAL
from geo_ioc.walls.layout import SCREEN_KINDS, ScreenKind

# Alerts on overdue reports, indicators under target or outside their forecast (`rules.py`).
domains.register(RULE_KINDS, LATE_REPORT, BELOW_TARGET, OUT_OF_INTERVAL, module=__name__)
# Today's units with the indicators of a period on a wall screen.
domains.register(
    SCREEN_KINDS,
    ScreenKind(
        "indicators", has_map=True, keys=wall.KEYS, check=wall.check, complete=wall.complete
    ),
    module=__name__,
)
