from django.urls import re_path

from tiles import api

# Segments are matched loosely and validated in the view, so a bad z/x/y gets a JSON 400
# that says what would be valid instead of a bare 404.
LAYERS = r"(?P<layers>[A-Za-z0-9_,%-]+)"

urlpatterns = [
    re_path(
        rf"^tiles/{LAYERS}/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.mvt$", api.tile, name="tile"
    ),
    re_path(rf"^tiles/{LAYERS}\.json$", api.tilejson, name="tilejson"),
]
