"""What QGIS 3.22 (Debian's PyQGIS) makes of a running server; run by tests/clients/test_qgis.py.

Runs under Debian's /usr/bin/python3 (python3-qgis imports nowhere else), headless
(QT_QPA_PLATFORM=offscreen), and prints one JSON document with everything it saw:

- every published style converted by QGIS's MapLibre converter, with its warnings;
- the land-use layer rendered through the converted style (and through the same style with
  scalar `match` labels, the spelling QGIS 3.22 turns into `IN ()`), with the colours found;
- features read through the OAPIF provider with a view extent, with and without
  "only request features overlapping the view extent" (restrictToRequestBBOX).

Usage: python3 qgis_checks.py SERVER OUT_DIR STYLES CX CY HALF_M LON0 LAT0 LON1 LAT1
(STYLES: comma list of style names; the view: a centre and half-size in EPSG:3857 metres; the
OAPIF read: a bbox in degrees). Between the two OAPIF reads it asks for `/healthz?mark=…`, so
the server log tells the requests of each apart.
"""

from __future__ import annotations

import copy
import json
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsFeatureRequest,
    QgsMapBoxGlStyleConverter,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def scalar_labels(expr: Any) -> Any:
    """The style as it was before: each one-element label array back to a bare value."""
    if isinstance(expr, list) and expr and expr[0] == "match":
        out = [expr[0], expr[1]]
        for i in range(2, len(expr) - 1, 2):
            label = expr[i]
            out += [label[0] if isinstance(label, list) and len(label) == 1 else label, expr[i + 1]]
        return [*out, expr[-1]]
    if isinstance(expr, list):
        return [scalar_labels(e) for e in expr]
    if isinstance(expr, dict):
        return {k: scalar_labels(v) for k, v in expr.items()}
    return expr


def convert(style: dict[str, Any]) -> QgsMapBoxGlStyleConverter:
    converter = QgsMapBoxGlStyleConverter()
    converter.convert(style)
    return converter


def tile_layer(template: str, name: str, zmin: int, zmax: int) -> QgsVectorTileLayer:
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", template)
    uri.setParam("zmin", str(zmin))
    uri.setParam("zmax", str(zmax))
    layer = QgsVectorTileLayer(bytes(uri.encodedUri()).decode(), name)
    assert layer.isValid(), f"vector tile layer {name} is not valid"
    return layer


def render(
    layer: QgsVectorTileLayer, extent: QgsRectangle, path: Path
) -> Counter[tuple[int, int, int]]:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(extent)
    settings.setOutputSize(QSize(512, 512))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(path))
    colours: Counter[tuple[int, int, int]] = Counter()
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = QColor(image.pixel(x, y))
            colours[(c.red(), c.green(), c.blue())] += 1
    return colours


def oapif_requests(server: str, bbox: QgsRectangle, restrict: bool) -> int:
    """Features of roads inside bbox (EPSG:4326) read through the OAPIF provider."""
    uri = (
        f"url='{server}/ogc' typename='roads' pagingEnabled='true' pageSize='1000' "
        f"restrictToRequestBBOX='{1 if restrict else 0}'"
    )
    layer = QgsVectorLayer(uri, "roads", "OAPIF")
    assert layer.isValid(), "OAPIF layer is not valid"
    request = QgsFeatureRequest().setFilterRect(bbox)
    request.setFlags(QgsFeatureRequest.ExactIntersect)
    return sum(1 for _ in layer.getFeatures(request))


def main() -> None:
    server, out_dir, names = sys.argv[1], Path(sys.argv[2]), sys.argv[3].split(",")
    cx, cy, half = (float(v) for v in sys.argv[4:7])
    app = QgsApplication([], False)
    app.initQgis()
    report: dict[str, Any] = {"styles": {}}

    for name in names:
        style = get_json(f"{server}/styles/{name}.json")
        converter = convert(style)
        renderer = converter.renderer()
        report["styles"][name] = {
            "layers": len(style["layers"]),
            "renderer_styles": len(renderer.styles()) if renderer else 0,
            "warnings": list(converter.warnings()),
        }

    # Land use alone, as the basemap style draws it.
    basemap = get_json(f"{server}/styles/basemap.json")
    land_use = [lyr for lyr in basemap["layers"] if lyr.get("source-layer") == "land_use"]
    alone = {**basemap, "layers": land_use}
    extent = QgsRectangle(cx - half, cy - half, cx + half, cy + half)
    template = f"{server}/tiles/land_use/{{z}}/{{x}}/{{y}}.mvt"
    report["land_use"] = {"paint": land_use[0]["paint"]}
    for variant, style in (("arrays", alone), ("scalars", scalar_labels(copy.deepcopy(alone)))):
        layer = tile_layer(template, f"land_use_{variant}", 10, 16)
        converter = convert(style)
        layer.setRenderer(converter.renderer())
        colours = render(layer, extent, out_dir / f"qgis_land_use_{variant}.png")
        report["land_use"][variant] = [[*rgb, n] for rgb, n in colours.most_common(40)]

    # OAPIF: the same view extent with and without restrictToRequestBBOX.
    lon0, lat0, lon1, lat1 = (float(v) for v in sys.argv[7:11])
    bbox = QgsRectangle(lon0, lat0, lon1, lat1)
    report["oapif"] = {}
    for mode, restrict in (("restricted", True), ("unrestricted", False)):
        get_json(f"{server}/healthz?mark=qgis-{mode}")
        report["oapif"][mode] = oapif_requests(server, bbox, restrict)
    get_json(f"{server}/healthz?mark=qgis-end")
    print(json.dumps(report))
    app.exitQgis()


if __name__ == "__main__":
    main()
