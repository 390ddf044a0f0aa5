from typing import Any

from django.contrib.gis import admin
from django.http import HttpRequest, HttpResponse

from geo_ioc.land import queries, services
from geo_ioc.land.models import AuditEntry, Parcel, PlanningZone


@admin.register(Parcel)
class ParcelAdmin(admin.GISModelAdmin):
    list_display = ["ward_code", "sheet", "number", "land_use", "legal_area_m2", "plan_conflict"]
    list_filter = ["land_use", "plan_conflict", "ward_code"]
    search_fields = ["ward_code", "address"]
    readonly_fields = ["area_m2", "planned_use", "plan_conflict", "conflict_share"]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The parcel's page shows the holder fields: each showing is audited like the API's."""
        response = super().change_view(request, object_id, form_url, extra_context)
        parcel = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and isinstance(parcel, Parcel):
            services.audit_restricted_read(
                request.user, parcel, list(queries.RESTRICTED_FIELDS), request.get_full_path()
            )
        return response


@admin.register(PlanningZone)
class PlanningZoneAdmin(admin.GISModelAdmin):
    list_display = ["id", "code", "plan_name", "period_start", "period_end"]
    list_filter = ["code", "plan_name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included (the table refuses changes too)."""

    list_display = ["at", "username", "action", "object_type", "object_label", "fields"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_label"]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        """Entries are written by the API only."""
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        """The audit log is never edited."""
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]
        """Nor emptied, even by a superuser."""
        return False
