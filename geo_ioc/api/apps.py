from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "geo_ioc.api"
    label = "api"
    verbose_name = "API plumbing"
