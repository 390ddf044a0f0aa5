from django.contrib import admin

from geo_ioc.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created", "last_used", "revoked"]
    readonly_fields = ["key_hash", "prefix", "created", "last_used"]
