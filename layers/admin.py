from django.contrib import admin

from layers.models import Layer


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_vi", "domain", "geometry_type", "access_level", "synthetic"]
    list_filter = ["domain", "access_level", "synthetic"]
    search_fields = ["slug", "title_vi", "title_en"]
