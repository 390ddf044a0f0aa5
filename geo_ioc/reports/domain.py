"""The reports app's contributions (its layers are in `layers.yaml` beside this file)."""

from geo_ioc.core import domains
from geo_ioc.indicators.parts import KPI_PARTS
from geo_ioc.operations.rulekinds import RULE_KINDS
from geo_ioc.reports.rules import REPORT_OVERDUE
from geo_ioc.reports.search import ReportSearch
from geo_ioc.reports.stats import ReportsPart
from geo_ioc.search.providers import SEARCH_PROVIDERS

domains.register(SEARCH_PROVIDERS, ReportSearch(), module=__name__)
domains.register(KPI_PARTS, ReportsPart(), module=__name__)
domains.register(RULE_KINDS, REPORT_OVERDUE, module=__name__)
