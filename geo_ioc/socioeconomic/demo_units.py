"""The demo's administrative units: Lâm Đồng before and after the 2025 reform, reproducibly.

Real: the province and district boundaries before 2025 (`lamdong_admin_districts_gov.gpkg`).
Synthetic (seeded Voronoi cells, marked so): the pre-2025 wards and communes of Đà Lạt and the
two Lạc Dương units that went into phường Lang Biang, and today's communes outside Đà Lạt, whose
boundaries and names are not available offline. Derived: the five Đà Lạt wards of Resolution
1671/NQ-UBTVQH15 (items 99–103) as unions of the old units they were formed from.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo_ioc.socioeconomic.models import AdminUnit, Crosswalk, Level
from geo_ioc.socioeconomic.units import build_crosswalk, measure_areas

REFORM = dt.date(2025, 7, 1)
OLD_END = REFORM - dt.timedelta(days=1)
OLD_START = dt.date(2004, 1, 1)  # Đắk Nông split off Lâm Đồng in 2004; older history is not kept
DALAT, LAC_DUONG = "672", "675"
PROVINCE = "68"

# Resolution 1671/NQ-UBTVQH15, items 99–103: new ward → the old units it was formed from.
DALAT_WARDS: dict[str, tuple[str, str, list[str]]] = {
    "68.XH": (
        "Phường Xuân Hương – Đà Lạt",
        "Xuan Huong - Da Lat Ward",
        ["Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 10"],
    ),
    "68.CL": (
        "Phường Cam Ly – Đà Lạt",
        "Cam Ly - Da Lat Ward",
        ["Phường 5", "Phường 6", "Xã Tà Nung"],
    ),
    "68.LV": (
        "Phường Lâm Viên – Đà Lạt",
        "Lam Vien - Da Lat Ward",
        ["Phường 8", "Phường 9", "Phường 12"],
    ),
    "68.XT": (
        "Phường Xuân Trường – Đà Lạt",
        "Xuan Truong - Da Lat Ward",
        ["Phường 11", "Xã Xuân Thọ", "Xã Xuân Trường", "Xã Trạm Hành"],
    ),
    "68.LB": (
        "Phường Lang Biang – Đà Lạt",
        "Lang Biang - Da Lat Ward",
        ["Phường 7", "Thị trấn Lạc Dương", "Xã Lát"],
    ),
}
# Old Đà Lạt communes: bearing (degrees from north) and distance (km) of their seed from the centre.
DALAT_COMMUNES = {
    "Xã Tà Nung": (255, 9),
    "Xã Xuân Thọ": (80, 8),
    "Xã Xuân Trường": (120, 10),
    "Xã Trạm Hành": (155, 12),
}
COMMUNES_PER_DISTRICT = 3
ASCII = str.maketrans(
    "ạảãàáâậầấẩẫăắằặẳẵóòọõỏôộổỗồốơờớợởỡéèẻẹẽêếềệểễúùụủũưựữửừứíìịỉĩýỳỷỵỹđ"
    "ẠẢÃÀÁÂẬẦẤẨẪĂẮẰẶẲẴÓÒỌÕỎÔỘỔỖỒỐƠỜỚỢỞỠÉÈẺẸẼÊẾỀỆỂỄÚÙỤỦŨƯỰỮỬỪỨÍÌỊỈĨÝỲỶỴỸĐ",
    "aaaaaaaaaaaaaaaaaoooooooooooooooooeeeeeeeeeeeuuuuuuuuuuuiiiiiyyyyyd"
    "AAAAAAAAAAAAAAAAAOOOOOOOOOOOOOOOOOEEEEEEEEEEEUUUUUUUUUUUIIIIIYYYYYD",
)


def ascii_name(name: str) -> str:
    """The name without diacritics (the ASCII form beside the Vietnamese one)."""
    return name.translate(ASCII)


def _multi(g: BaseGeometry) -> MultiPolygon:
    parts = [p for p in shapely.get_parts(g) if isinstance(p, Polygon) and not p.is_empty]
    return MultiPolygon(parts)


def _cells(area: BaseGeometry, seeds: list[Point]) -> list[MultiPolygon]:
    """Voronoi cells of the seeds clipped to the area, in seed order."""
    frame = area.envelope.buffer(20_000.0)
    cells = list(
        shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=frame))
    )
    return [_multi(next(c for c in cells if c.contains(s)).intersection(area)) for s in seeds]


def _inside(area: BaseGeometry, centre: Point, bearing: float, km: float) -> Point:
    """A point at a bearing and distance from the centre, pulled inwards until in the area."""
    for f in np.linspace(1.0, 0.1, 10):
        p = Point(
            centre.x + km * 1000 * f * math.sin(math.radians(bearing)),
            centre.y + km * 1000 * f * math.cos(math.radians(bearing)),
        )
        if area.contains(p):
            return p
    return area.representative_point()


def _random_seeds(area: BaseGeometry, n: int, rng: np.random.Generator) -> list[Point]:
    minx, miny, maxx, maxy = area.bounds
    out: list[Point] = []
    while len(out) < n:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(p):
            out.append(p)
    return sorted(out, key=lambda p: (-p.y, p.x))  # numbered from the north-west


def old_dalat(district: BaseGeometry, rng: np.random.Generator) -> dict[str, MultiPolygon]:
    """Phường 1–12 around the centre and the four communes outside, as seeded cells."""
    centre = Point(district.centroid.x, district.centroid.y)
    seeds = [centre]
    for i in range(1, 12):
        ring, k = (1.3, i) if i <= 5 else (2.8, i - 5)
        angle = k * (72 if i <= 5 else 60) + rng.uniform(-12, 12)
        seeds.append(_inside(district, centre, angle, ring + rng.uniform(-0.2, 0.2)))
    seeds += [_inside(district, centre, b, km) for b, km in DALAT_COMMUNES.values()]
    names = [f"Phường {n}" for n in range(1, 13)] + list(DALAT_COMMUNES)
    return dict(zip(names, _cells(district, seeds), strict=True))


def build(data_dir: Path, seed: int = 7) -> list[dict[str, Any]]:
    """Every demo unit as a row (geometry in EPSG:4326), old and new."""
    srid = settings.GEO_IOC_LAND_SRID
    src = gpd.read_file(data_dir / "dalat" / "lamdong_admin_districts_gov.gpkg").to_crs(srid)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []

    def add(
        code: str,
        name: str,
        level: str,
        parent: str | None,
        geom: BaseGeometry,
        old: bool,
        source: str,
        note: str = "",
    ) -> None:
        rows.append(
            {
                "code": code,
                "name_vi": name,
                "name_en": ascii_name(name),
                "level": level,
                "parent_code": parent,
                "geom": _multi(geom),
                "valid_from": OLD_START if old else REFORM,
                "valid_to": OLD_END if old else None,
                "geom_source": source,
                "synthetic": source == "synthetic",
                "note": note,
                "kind": name.split(" ")[0] if level != "province" else "Tỉnh",
            }
        )

    province = src[src["level"] == 1].iloc[0]
    add(PROVINCE, "Tỉnh Lâm Đồng", "province", None, province.geometry, True, "official")
    add(
        PROVINCE,
        "Tỉnh Lâm Đồng",
        "province",
        None,
        province.geometry,
        False,
        "partial",
        "Chỉ có ranh giới của Lâm Đồng cũ; Đắk Nông và Bình Thuận chưa có dữ liệu mở / "
        "only the former Lâm Đồng is drawn: no open boundaries of Đắk Nông and Bình Thuận",
    )
    districts = src[src["level"] == 2].sort_values("code")
    for d in districts.itertuples():
        add(str(d.code), str(d.name), "district", PROVINCE, d.geometry, True, "official")

    by_code = {str(d.code): d.geometry for d in districts.itertuples()}
    old = old_dalat(by_code[DALAT], rng)
    for i, (name, geom) in enumerate(old.items(), start=1):
        add(f"{DALAT}.{i:02d}", name, "commune", DALAT, geom, True, "synthetic")
    # Two Lạc Dương units next to Đà Lạt that went into phường Lang Biang.
    ld = by_code[LAC_DUONG]
    ld_centre = shapely.ops.nearest_points(ld, old["Phường 7"].centroid)[0]
    near = ld.intersection(ld_centre.buffer(9000))
    tt, lat = _cells(near, [_inside(near, ld_centre, 20, 3), _inside(near, ld_centre, 320, 6)])
    add(f"{LAC_DUONG}.01", "Thị trấn Lạc Dương", "commune", LAC_DUONG, tt, True, "synthetic")
    add(f"{LAC_DUONG}.02", "Xã Lát", "commune", LAC_DUONG, lat, True, "synthetic")
    old |= {"Thị trấn Lạc Dương": tt, "Xã Lát": lat}

    note = (
        "Hợp của các đơn vị cũ theo Nghị quyết 1671/NQ-UBTVQH15 / union of the old units "
        "it was formed from (Resolution 1671/NQ-UBTVQH15); official code not at hand"
    )
    for code, (name, _, parts) in DALAT_WARDS.items():
        union = shapely.union_all([old[p] for p in parts])
        add(code, name, "commune", PROVINCE, union, False, "derived", note)
    lang_biang = shapely.union_all([tt, lat])
    synth = (
        "Giả lập: ranh giới và tên xã mới ở đây chưa có dữ liệu mở / synthetic: today's "
        "commune boundaries and names of this area are not available offline"
    )
    for code, area in by_code.items():
        if code == DALAT:
            continue
        rest = area.difference(lang_biang) if code == LAC_DUONG else area
        short = str(districts[districts["code"] == code].iloc[0]["name"]).split(" ", 1)[1]
        short = short.removeprefix("phố ")
        cells = _cells(rest, _random_seeds(rest, COMMUNES_PER_DISTRICT, rng))
        for n, cell in enumerate(cells, start=1):
            add(
                f"68.{code}.{n}",
                f"Xã {short}-{n}",
                "commune",
                PROVINCE,
                cell,
                False,
                "synthetic",
                synth,
            )
    for r in rows:
        r["geom"] = gpd.GeoSeries([r["geom"]], crs=srid).to_crs(4326).iloc[0]
    return rows


@transaction.atomic
def load(data_dir: Path, seed: int = 7) -> dict[str, int]:
    """Replace the demo's units and crosswalk (idempotent); counts of what was written."""
    rows = build(data_dir, seed)
    Crosswalk.objects.all().delete()
    for level in (Level.COMMUNE, Level.DISTRICT, Level.PROVINCE):  # children first (PROTECT)
        AdminUnit.objects.filter(level=level).delete()
    written: dict[tuple[str, dt.date], AdminUnit] = {}
    order = {"province": 0, "district": 1, "commune": 2}
    for r in sorted(rows, key=lambda r: order[r["level"]]):
        parent = None
        if r["parent_code"]:
            parent = written[(r["parent_code"], r["valid_from"])]
        unit = AdminUnit.objects.create(
            code=r["code"],
            name_vi=r["name_vi"],
            name_en=r["name_en"],
            kind=r["kind"],
            level=r["level"],
            parent=parent,
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            geom_source=r["geom_source"],
            synthetic=r["synthetic"],
            note=r["note"],
            geom=GEOSGeometry(r["geom"].wkb_hex, srid=4326),  # type: ignore[misc]
        )
        written[(unit.code, unit.valid_from)] = unit
    measure_areas()
    links = build_crosswalk(OLD_END) + build_crosswalk(OLD_END, ("province",))
    return {"units": len(rows), "crosswalk": links}
