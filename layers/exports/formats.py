"""The export formats: GDAL driver, file name, media type and what each format can hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FormatName(StrEnum):
    """Names of the export formats, as used in `format=`."""

    GPKG = "gpkg"
    SHP = "shp"
    GEOJSON = "geojson"
    CSV = "csv"
    FGB = "fgb"
    KML = "kml"


@dataclass(frozen=True)
class Format:
    """How one format is written."""

    name: FormatName
    driver: str
    extension: str  # of the written dataset
    media_type: str
    download_extension: str  # of the file the user gets (a Shapefile is zipped)
    multi_layer: bool = False
    appendable: bool = True  # chunks can be appended (else written in one go)
    typed_datetimes: bool = True  # keeps DateTime fields (else ISO 8601 text)
    wgs84_only: bool = False
    layer_options: dict[str, str] = field(default_factory=dict)
    dataset_options: dict[str, str] = field(default_factory=dict)


FORMATS: dict[FormatName, Format] = {
    FormatName.GPKG: Format(
        FormatName.GPKG,
        "GPKG",
        ".gpkg",
        "application/geopackage+sqlite3",
        ".gpkg",
        multi_layer=True,
        # 1.2: what GDAL 3.6 and QGIS 3.22 read without "may only be partially supported"
        # (1.4 adds nothing an export uses).
        dataset_options={"VERSION": "1.2"},
    ),
    # UTF-8 in the .dbf, declared by a .cpg file, so Vietnamese survives ArcGIS and QGIS.
    FormatName.SHP: Format(
        FormatName.SHP,
        "ESRI Shapefile",
        ".shp",
        "application/zip",
        ".zip",
        multi_layer=True,
        typed_datetimes=False,
        layer_options={"ENCODING": "UTF-8"},
    ),
    FormatName.GEOJSON: Format(
        FormatName.GEOJSON, "GeoJSON", ".geojson", "application/geo+json", ".geojson"
    ),
    # Geometry as a WKT column; a byte-order mark so that Excel reads the text as UTF-8. A CSV
    # cannot carry a CRS: the last column, `wkt_crs`, names it on every row (`EPSG:5899`).
    FormatName.CSV: Format(
        FormatName.CSV,
        "CSV",
        ".csv",
        "text/csv; charset=utf-8",
        ".csv",
        typed_datetimes=False,
        layer_options={"GEOMETRY": "AS_WKT", "WRITE_BOM": "YES"},
    ),
    FormatName.FGB: Format(
        FormatName.FGB, "FlatGeobuf", ".fgb", "application/flatgeobuf", ".fgb", appendable=False
    ),
    # KML is WGS 84 by definition (OGC 07-147r2).
    FormatName.KML: Format(
        FormatName.KML,
        "KML",
        ".kml",
        "application/vnd.google-earth.kml+xml",
        ".kml",
        appendable=False,
        typed_datetimes=False,
        wgs84_only=True,
    ),
}


def format_names() -> list[str]:
    """The accepted values of `format=`."""
    return [f.value for f in FormatName]
