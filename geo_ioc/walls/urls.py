from django.urls import path

from geo_ioc.walls import api

urlpatterns = [
    path("walls", api.walls, name="walls"),
    path("walls/<str:name>", api.wall, name="wall-layout"),
]
