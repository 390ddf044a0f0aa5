from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "geo_ioc.land"
    label = "land"
    verbose_name = "Land parcels"
