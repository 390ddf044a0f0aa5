from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "geo_ioc.core"
    label = "core"
    verbose_name = "Platform"
