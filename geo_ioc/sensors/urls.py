"""URLs of the sensors API."""

from django.urls import path

from geo_ioc.sensors import api

urlpatterns = [
    path("sensors/readings", api.post_readings, name="sensor-readings"),
    path("sensors/stations", api.stations, name="stations"),
    path("sensors/stations/<str:code>", api.station, name="station"),
    path("sensors/stations/<str:code>/aqi", api.station_aqi, name="station-aqi"),
    path("sensors/stations/<str:code>/aqi/daily", api.station_aqi_daily, name="station-aqi-daily"),
    path("sensors/stations/<str:code>/readings", api.station_readings, name="station-readings"),
]
