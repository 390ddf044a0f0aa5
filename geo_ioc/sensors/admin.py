from django.contrib.gis import admin

from geo_ioc.sensors.models import Reading, Station


@admin.register(Station)
class StationAdmin(admin.GISModelAdmin):
    list_display = ("code", "name", "kind", "aqi", "last_reading_at", "stale", "synthetic")
    list_filter = ("kind", "stale", "synthetic")


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("station", "time", "pollutant", "value", "unit")
    list_filter = ("pollutant",)
