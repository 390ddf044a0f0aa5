from django.urls import re_path

from tiles import api, crs84, ogc

# Segments are matched loosely and validated in the view, so a bad z/x/y gets a JSON 400
# that says what would be valid instead of a bare 404.
LAYERS = r"(?P<layers>[A-Za-z0-9_,%-]+)"
LAYER = r"(?P<layer>[^/]+)"

urlpatterns = [
    re_path(r"^tiles/?$", ogc.tilesets, name="ogc-tilesets"),
    re_path(
        rf"^tiles/{LAYERS}/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.mvt$", api.tile, name="tile"
    ),
    # GDAL's MVT driver reads a zoom level `MVT:…/tiles/roads/14`: {z}/{x}/{y}.pbf tiles and
    # the TileJSON beside them as metadata.json.
    re_path(rf"^tiles/{LAYERS}/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.pbf$", api.tile),
    re_path(rf"^tiles/{LAYERS}/metadata\.json$", api.tilejson),
    re_path(rf"^tiles/{LAYERS}\.json$", api.tilejson, name="tilejson"),
    re_path(r"^ogc/tileMatrixSets/?$", ogc.tile_matrix_sets, name="ogc-tmss"),
    re_path(r"^ogc/tileMatrixSets/(?P<tms>[^/]+)/?$", ogc.tile_matrix_set_view, name="ogc-tms"),
    re_path(
        rf"^ogc/collections/{LAYER}/tiles/?$", ogc.collection_tilesets, name="ogc-collection-tiles"
    ),
    re_path(
        rf"^ogc/collections/{LAYER}/tiles/(?P<tms>[^/]+)/?$",
        ogc.collection_tileset,
        name="ogc-tileset",
    ),
    re_path(
        rf"^ogc/collections/{LAYER}/tiles/WorldCRS84Quad/(?P<z>[^/]+)/(?P<row>[^/]+)/(?P<col>[^/]+)$",
        crs84.tile,
        name="ogc-crs84-tile",
    ),
]
