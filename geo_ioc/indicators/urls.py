from django.urls import path

from geo_ioc.indicators import api

urlpatterns = [
    path("indicators", api.indicators, name="indicators"),
    path("indicators/timeline", api.timeline, name="indicators-timeline"),
]
