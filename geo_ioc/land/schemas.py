"""Typed outputs of the land API."""

from __future__ import annotations

from pydantic import BaseModel

from geo_ioc.land.models import Parcel


class ParcelRef(BaseModel):
    """Which parcel a report is about."""

    id: int
    ward_code: str
    sheet: int
    number: int
    label: str
    land_use: str
    land_use_vi: str
    land_use_en: str

    @classmethod
    def of(cls, parcel: Parcel) -> ParcelRef:
        """The reference of a parcel."""
        return cls(
            id=parcel.pk,
            ward_code=parcel.ward_code,
            sheet=parcel.sheet,
            number=parcel.number,
            label=parcel.label,
            land_use=parcel.land_use,
            land_use_vi=parcel.land_use_vi,
            land_use_en=parcel.land_use_en,
        )


class ZoneOverlap(BaseModel):
    """A planning zone a parcel intersects: overlapped area, share and agreement."""

    zone_id: int
    code: str
    name_vi: str
    name_en: str
    plan_name: str
    period: str
    overlap_m2: float
    share: float
    agrees: bool


class OverlayReport(BaseModel):
    """A parcel against the land-use plan, with areas in the province's VN-2000 zone."""

    parcel: ParcelRef
    crs: str
    measured_area_m2: float
    legal_area_m2: float
    area_difference_m2: float
    area_difference_pct: float
    zones: list[ZoneOverlap]
    covered_share: float
    planned_use: str | None
    conflict_share: float
    conflict: bool


class AreaTotal(BaseModel):
    """Parcels and their area for one land-use code."""

    code: str
    name_vi: str
    name_en: str
    parcels: int
    area_m2: float
    legal_area_m2: float
