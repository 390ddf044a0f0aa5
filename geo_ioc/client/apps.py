from django.apps import AppConfig


class ClientConfig(AppConfig):
    name = "geo_ioc.client"
    label = "client"
    verbose_name = "Map client"
