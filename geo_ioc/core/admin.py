from django.contrib import admin

from geo_ioc.core.models import ApiToken, Event


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created", "last_used", "revoked"]
    readonly_fields = ["key_hash", "prefix", "created", "last_used"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("seq", "created_at", "layer", "operation", "feature_id", "actor")
    list_filter = ("layer", "operation")
