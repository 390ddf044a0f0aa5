from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "geo_ioc.indicators"
    label = "indicators"
    verbose_name = "Indicators"
