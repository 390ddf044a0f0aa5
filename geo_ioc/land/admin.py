from django.contrib.gis import admin

from geo_ioc.land.models import AuditEntry, Parcel, PlanningZone


@admin.register(Parcel)
class ParcelAdmin(admin.GISModelAdmin):
    list_display = ["ward_code", "sheet", "number", "land_use", "legal_area_m2", "plan_conflict"]
    list_filter = ["land_use", "plan_conflict", "ward_code"]
    search_fields = ["ward_code", "address"]
    readonly_fields = ["area_m2", "planned_use", "plan_conflict", "conflict_share"]


@admin.register(PlanningZone)
class PlanningZoneAdmin(admin.GISModelAdmin):
    list_display = ["id", "code", "plan_name", "period_start", "period_end"]
    list_filter = ["code", "plan_name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "object_type", "object_label", "fields"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_label"]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        """Entries are written by the API only."""
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        """The audit log is never edited."""
        return False
