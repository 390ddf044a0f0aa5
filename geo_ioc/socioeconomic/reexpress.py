"""Values re-expressed across the 2025 reform through the crosswalk.

A unit of today gets the values reported on the pre-2025 units it was formed from, each
weighted by the share of the old unit that went into it; a pre-2025 unit gets the values of
today's units, each weighted by the part of the new unit that the old one was. Shares are of
population where the crosswalk knows it, of area (VN-2000) otherwise; each link says which.
Going back from a new unit to an old one the weight is share × size(old) ÷ size(new), sizes
being areas (unit populations are not stored, so the way back is always by area). Where an
old district and its communes both overlap a unit, only the communes are read.

Sums re-express as Σ weight × total; a ratio as the ratio of its re-expressed numerator and
denominator; a weighted mean as Σ weight × mean × W ÷ Σ weight × W, W the weight indicator's
total in each source unit. Targets are not re-expressed (plans are set on today's units).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from geo_ioc.socioeconomic import analytics
from geo_ioc.socioeconomic.analytics import Components, Query
from geo_ioc.socioeconomic.models import AdminUnit, Aggregation, Crosswalk, Level

FINENESS: dict[str, int] = {Level.COMMUNE: 0, Level.DISTRICT: 1, Level.PROVINCE: 2}


@dataclass(frozen=True)
class Link:
    """One source unit of a requested unit and its weight."""

    unit: AdminUnit  # the requested unit
    source: AdminUnit  # a unit on the other side of the reform
    weight: float
    basis: str  # "population" or "area"

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "unit": self.unit.code,
            "from": self.source.code,
            "weight": round(self.weight, 6),
            "basis": self.basis,
        }


def links(units: list[AdminUnit]) -> list[Link]:
    """The crosswalk's links of the requested units, in the direction each one needs."""
    by_id = {u.pk: u for u in units}
    rows = Crosswalk.objects.filter(Q(new__in=units) | Q(old__in=units)).select_related(
        "old", "new"
    )
    out = []
    for c in rows.order_by("old__code", "new__code"):
        if c.new_id in by_id:  # an old unit's values onto a new unit
            pop = c.population_share is not None
            share = c.population_share if pop else c.area_share
            basis = "population" if pop else "area"
            out.append(Link(by_id[c.new_id], c.old, float(share or 0), basis))
        if c.old_id in by_id and c.old.area_km2 and c.new.area_km2:  # and back
            weight = c.area_share * c.old.area_km2 / c.new.area_km2
            out.append(Link(by_id[c.old_id], c.new, weight, "area"))
    # An old district and its communes both overlap a new commune: keep, per requested unit,
    # only the finest level of sources, or a value would be counted twice.
    finest: dict[int, int] = {}
    for link in out:
        rank = FINENESS.get(link.source.level, 9)
        finest[link.unit.pk] = min(finest.get(link.unit.pk, 9), rank)
    return [link for link in out if FINENESS.get(link.source.level, 9) == finest[link.unit.pk]]


def combine(q: Query, found: list[Link], source: Components) -> Components:
    """Components of the requested units as weighted combinations of their sources'."""
    inds = analytics.components_of(q.indicators)
    weights = {
        i.pk: i.weight_id
        for i in inds.values()
        if i.aggregation == Aggregation.WEIGHTED_MEAN and i.weight_id is not None
    }
    acc: dict[tuple[int, str, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for link in found:
        for (unit, pkey, ind), (total, n, wmean) in source.items():
            if unit != link.source.pk:
                continue
            a = acc[(link.unit.pk, pkey, ind)]
            a[0] += link.weight * total
            a[1] += n
            if ind in weights and wmean is not None:
                w = source.get((unit, pkey, weights[ind]))
                if w is not None:
                    a[2] += link.weight * wmean * w[0]
                    a[3] += link.weight * w[0]
    return {key: (a[0], int(a[1]), a[2] / a[3] if a[3] else None) for key, a in acc.items()}


def run(q: Query) -> tuple[list[analytics.Cell], list[Link]]:
    """The query's cells re-expressed from the other side of the crosswalk, and the links."""
    found = links(q.units)
    sources = sorted({link.source.pk for link in found})
    inds = analytics.components_of(q.indicators)
    values = analytics.rollup_values(q, inds, sources) if sources else {}
    return analytics.cells_of(q, combine(q, found, values), {}), found
