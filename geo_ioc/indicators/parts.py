"""The KPI parts contract: what a domain app contributes to `/indicators`.

A part computes one key of the KPI strip (`incidents`, `air`, …) from its app's tables; it is
registered in the app's `domain` module under `KPI_PARTS` and is null for a caller who may not
see its layer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from pydantic import BaseModel

from geo_ioc.core import domains


class KpiPart(ABC):
    """One part of the KPI strip, shown to callers who may see its layer."""

    key: str  # its key in the `/indicators` body
    layer: str  # the catalogue layer it summarises

    @abstractmethod
    def compute(self, now: datetime, hours: int) -> BaseModel:
        """The part's figures now, with series over the last `hours`."""


KPI_PARTS: domains.Kind[KpiPart] = domains.Kind("kpi_parts", KpiPart)


def parts() -> list[KpiPart]:
    """The KPI parts of the installed apps."""
    return domains.contributions(KPI_PARTS)
