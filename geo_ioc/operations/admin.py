from django.contrib.gis import admin

from geo_ioc.operations.models import Incident


@admin.register(Incident)
class IncidentAdmin(admin.GISModelAdmin):
    list_display = ("code", "type", "severity", "status", "reported_at", "synthetic")
    list_filter = ("status", "type", "severity", "synthetic")
    search_fields = ("code", "description", "road_name")
