from django.urls import re_path

from layers.ogc import api

# Segments are matched loosely and checked in the views, so a bad name gets a JSON error.
LAYER = r"(?P<layer>[^/]+)"

urlpatterns = [
    re_path(r"^ogc/?$", api.landing, name="ogc-landing"),
    re_path(r"^ogc/api/?$", api.api_document, name="ogc-openapi"),
    re_path(r"^ogc/conformance/?$", api.conformance, name="ogc-conformance"),
    re_path(r"^ogc/collections/?$", api.collections, name="ogc-collections"),
    re_path(rf"^ogc/collections/{LAYER}/?$", api.collection, name="ogc-collection"),
    re_path(rf"^ogc/collections/{LAYER}/queryables/?$", api.queryables, name="ogc-queryables"),
    re_path(rf"^ogc/collections/{LAYER}/schema/?$", api.schema, name="ogc-schema"),
    re_path(rf"^ogc/collections/{LAYER}/items/?$", api.items, name="ogc-items"),
    re_path(rf"^ogc/collections/{LAYER}/items/(?P<fid>[^/]+)/?$", api.item, name="ogc-item"),
]
