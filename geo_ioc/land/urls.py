from django.urls import path

from geo_ioc.land import api

urlpatterns = [
    path("land/api", api.openapi, name="land-openapi"),
    path("land/parcels", api.parcels, name="land-parcels"),
    path("land/parcels/lookup", api.lookup, name="land-parcel-lookup"),
    path("land/parcels/at", api.at, name="land-parcels-at"),
    path("land/parcels/<str:parcel_id>", api.parcel, name="land-parcel"),
    path("land/parcels/<str:parcel_id>/overlay", api.overlay, name="land-parcel-overlay"),
    path("land/conflicts", api.conflicts, name="land-conflicts"),
]
