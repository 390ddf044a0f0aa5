"""Routes of the map styles and their glyphs."""

from django.urls import re_path

from tiles import style_api

# Segments are matched loosely and validated in the views, so a bad name or range gets a JSON
# error that says what would be valid.
urlpatterns = [
    re_path(r"^styles/(?P<name>[^/]+)\.json$", style_api.style, name="style"),
    re_path(
        r"^fonts/(?P<fontstack>[^/]+)/(?P<start>[^/-]+)-(?P<end>[^/]+)\.pbf$",
        style_api.glyphs,
        name="glyphs",
    ),
]
