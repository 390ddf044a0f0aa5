"""Socio-economic statistics: administrative units over time, the indicator registry, values."""

from django.apps import AppConfig


class SocioeconomicConfig(AppConfig):
    """The socio-economic indicators domain (the console's operational KPIs are `indicators`)."""

    name = "geo_ioc.socioeconomic"
    label = "socioeconomic"
    verbose_name = "Socio-economic indicators"
    default_auto_field = "django.db.models.BigAutoField"
