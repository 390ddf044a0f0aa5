from django.contrib.gis import admin

from geo_ioc.cameras.models import Camera


@admin.register(Camera)
class CameraAdmin(admin.GISModelAdmin):
    list_display = ["code", "name", "kind", "status", "road_name"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name", "road_name"]
