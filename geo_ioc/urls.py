"""The URL map."""

from django.contrib import admin
from django.urls import include, path

from geo_ioc.client import views as client_views
from geo_ioc.core import token_api
from layers import api as layers_api
from layers import live as layers_live

urlpatterns = [
    path("", client_views.index, name="map"),
    path("healthz", client_views.healthz, name="healthz"),
    path("layers", layers_api.catalogue, name="layers"),
    path("live/events", layers_live.events, name="live-events"),
    path("auth/token/rotate", token_api.rotate, name="token-rotate"),
    path("", include("tiles.urls")),
    path("", include("tiles.style_urls")),
    path("", include("geo_ioc.operations.urls")),
    path("", include("geo_ioc.land.urls")),
    path("", include("layers.ogc.urls")),
    path("", include("layers.exports.urls")),
    path("", include("layers.uploads.urls")),
    path("", include("geo_ioc.sensors.urls")),
    path("", include("geo_ioc.cameras.urls")),
    path("", include("geo_ioc.indicators.urls")),
    path("", include("geo_ioc.socioeconomic.urls")),
    path("", include("geo_ioc.search.urls")),
    path("", include("geo_ioc.walls.urls")),
    path("", include("geo_ioc.reports.urls")),
    path("", include("geo_ioc.client.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "geo_ioc.core.errors.json_bad_request"
handler404 = "geo_ioc.core.errors.json_not_found"
handler500 = "geo_ioc.core.errors.json_server_error"
