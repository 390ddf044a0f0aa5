from django.contrib import admin

from geo_ioc.walls.models import WallState


@admin.register(WallState)
class WallStateAdmin(admin.ModelAdmin):
    list_display = ("wall", "updated_by", "updated_at")
    readonly_fields = ("wall", "view", "focus", "updated_at", "updated_by")
