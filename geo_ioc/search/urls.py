from django.urls import path

from geo_ioc.search import api

urlpatterns = [path("search", api.search, name="search")]
