from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "geo_ioc.reports"
    label = "reports"
    verbose_name = "Citizen reports"
