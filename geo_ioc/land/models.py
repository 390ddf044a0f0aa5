"""Cadastral parcels, land-use planning zones and the audit log of restricted reads."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform

from geo_ioc.land.codes import CODES

LAND_USE_CHOICES = [(code, f"{code} – {names[0]}") for code, names in CODES.items()]


def _web_mercator() -> models.GeneratedField:
    # Tiles read a stored, indexed 3857 copy instead of transforming every row per tile.
    return models.GeneratedField(
        expression=Transform("geom", 3857),
        output_field=models.MultiPolygonField(srid=3857, spatial_index=False),
        db_persist=True,
    )


class Parcel(models.Model):
    """A parcel (thửa đất) of the cadastral map: ward, map sheet (tờ) and parcel number (thửa)."""

    ward_code = models.CharField(max_length=16, help_text="Administrative code of the ward")
    sheet = models.PositiveIntegerField(help_text="Map sheet number (số tờ bản đồ)")
    number = models.PositiveIntegerField(help_text="Parcel number on the sheet (số thửa)")
    land_use = models.CharField(max_length=8, choices=LAND_USE_CHOICES)
    land_use_vi = models.CharField(max_length=120)
    land_use_en = models.CharField(max_length=120)
    legal_area_m2 = models.FloatField(help_text="Area on the land-use certificate (m²)")
    # Measured area in the province's VN-2000 TM-3 zone, kept by `services.measure_parcels`.
    area_m2 = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    # Restricted: only land officers and admins read these, and every read is audited.
    holder_name = models.CharField(max_length=200, blank=True)
    certificate_no = models.CharField(max_length=32, blank=True)
    # Agreement with the land-use plan, kept by `services.refresh_plan_status`.
    planned_use = models.CharField(max_length=8, blank=True)
    plan_conflict = models.BooleanField(default=False)
    conflict_share = models.FloatField(default=0.0)
    synthetic = models.BooleanField(default=False, help_text="Generated demo data")
    geom = models.MultiPolygonField(srid=4326)
    geom_3857 = _web_mercator()

    class Meta:
        ordering = ["ward_code", "sheet", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward_code", "sheet", "number"], name="land_parcel_ward_sheet_number"
            ),
            models.CheckConstraint(
                condition=models.Q(sheet__gte=1, number__gte=1), name="land_parcel_numbers_1"
            ),
            models.CheckConstraint(
                condition=models.Q(legal_area_m2__gt=0), name="land_parcel_legal_area_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["ward_code", "plan_conflict"], name="land_parcel_ward_conflict"),
            models.Index(fields=["land_use"], name="land_parcel_land_use"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Ward/sheet/parcel, as officers write it."""
        return f"{self.ward_code}/{self.sheet}/{self.number}"


class PlanningZone(models.Model):
    """A zone of the land-use plan (quy hoạch sử dụng đất) with its planned use."""

    code = models.CharField(max_length=8, choices=LAND_USE_CHOICES, help_text="Planned use")
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    plan_name = models.CharField(max_length=200)
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    synthetic = models.BooleanField(default=False, help_text="Generated demo data")
    geom = models.MultiPolygonField(srid=4326)
    geom_3857 = _web_mercator()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.plan_name} {self.period_start}–{self.period_end})"


class ParcelConflict(models.Model):
    """Parcels whose use conflicts with the plan: a database view, served as a layer."""

    ward_code = models.CharField(max_length=16)
    sheet = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    land_use = models.CharField(max_length=8)
    planned_use = models.CharField(max_length=8)
    conflict_share = models.FloatField()
    area_m2 = models.FloatField(null=True)
    address = models.CharField(max_length=300)
    geom = models.MultiPolygonField(srid=4326)
    geom_3857 = models.MultiPolygonField(srid=3857)

    class Meta:
        managed = False
        db_table = "land_parcel_conflict"

    def __str__(self) -> str:
        return f"{self.ward_code}/{self.sheet}/{self.number}"


class AuditEntry(models.Model):
    """One read of restricted fields: who, when, which object and which fields.

    Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (`sql/audit_append_only.sql`).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No foreign key: deleting a user must leave the entries about them as they were written.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=32, default="read_restricted")
    object_type = models.CharField(max_length=63)
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=100, blank=True)
    fields: models.JSONField[list[str]] = models.JSONField(default=list)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="land_audit_object")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_label}"
