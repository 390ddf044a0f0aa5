from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "geo_ioc.operations"
    label = "operations"
    verbose_name = "Operations"
