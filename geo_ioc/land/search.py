"""Parcels by number in the search box: "672.01/3/45", "tờ 3 thửa 45", "3/45"."""

from __future__ import annotations

import re

from geo_ioc.land.models import Parcel
from geo_ioc.search.providers import SearchProvider
from geo_ioc.search.queries import titles
from geo_ioc.search.schemas import Result
from layers.access import User
from layers.models import Layer

# "672.01/3/45", "672.01 3 45", "tờ 3 thửa 45", "3/45": ward code optional, sheet then parcel.
_WARD = re.compile(r"\b(\d{3}\.\d{2})\b")
_SHEET_PARCEL = re.compile(
    r"(?:(?:tờ|to|sheet)\s*(\d{1,4})\D+?(?:thửa|thua|parcel)\s*(\d{1,6}))"
    r"|(?:^|\s|/)(\d{1,4})\s*[/\s,-]\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)


def parcel_key(text: str) -> tuple[str | None, int, int] | None:
    """(ward code or None, sheet, parcel number) when the text names a parcel."""
    ward_match = _WARD.search(text)
    rest = _WARD.sub(" ", text).strip(" /,-")
    match = _SHEET_PARCEL.search(rest)
    if match is None:
        return None
    sheet, number = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
    return (ward_match.group(1) if ward_match else None, int(sheet), int(number))


def parcels(layer: Layer, text: str, limit: int) -> list[Result]:
    """Parcels named by ward/sheet/number (every ward's when no ward code is given)."""
    key = parcel_key(text)
    if key is None:
        return []
    ward, sheet, number = key
    qs = Parcel.objects.filter(sheet=sheet, number=number)
    if ward:
        qs = qs.filter(ward_code=ward)
    out = []
    for parcel in qs.order_by("ward_code")[:limit]:
        point = parcel.geom.point_on_surface
        xmin, ymin, xmax, ymax = parcel.geom.extent
        out.append(
            Result(
                kind="parcel",
                layer=layer.slug,
                layer_title=titles(layer),
                id=str(parcel.pk),
                title=parcel.label,
                subtitle=parcel.address or None,
                lon=point.x,
                lat=point.y,
                bbox=(xmin, ymin, xmax, ymax),
                rank=0 if ward else 1,
                properties={
                    "land_use": parcel.land_use,
                    "land_use_vi": parcel.land_use_vi,
                    "land_use_en": parcel.land_use_en,
                },
            )
        )
    return out


class ParcelSearch(SearchProvider):
    """Parcels named by ward, sheet and parcel number."""

    kind = "parcel"
    layer = "parcels"
    order = 1

    def search(self, layer: Layer, user: User, text: str, limit: int) -> list[Result]:
        """Parcels named by the text."""
        return parcels(layer, text, limit)
