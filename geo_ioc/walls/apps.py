from django.apps import AppConfig


class WallsConfig(AppConfig):
    name = "geo_ioc.walls"
    label = "walls"
    verbose_name = "Video walls"
