from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "geo_ioc.search"
    label = "search"
    verbose_name = "Search"
