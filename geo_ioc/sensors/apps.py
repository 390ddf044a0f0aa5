from django.apps import AppConfig


class SensorsConfig(AppConfig):
    name = "geo_ioc.sensors"
    label = "sensors"
    verbose_name = "Sensors"
