from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "geo_ioc.cameras"
    label = "cameras"
    verbose_name = "Cameras"
