from django.contrib.gis import admin

from geo_ioc.operations.models import Event, Incident


@admin.register(Incident)
class IncidentAdmin(admin.GISModelAdmin):
    list_display = ("code", "type", "severity", "status", "reported_at", "synthetic")
    list_filter = ("status", "type", "severity", "synthetic")
    search_fields = ("code", "description", "road_name")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("seq", "created_at", "layer", "operation", "feature_id", "actor")
    list_filter = ("layer", "operation")
