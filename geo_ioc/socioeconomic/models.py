"""Administrative units with validity dates, their crosswalk, and the indicator registry.

Since 2025-07-01 Vietnam has two tiers (province → commune); the district level is kept only as
history. A unit is valid on [valid_from, valid_to] (valid_to NULL: still valid today).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform


class Level(models.TextChoices):
    """Tier of an administrative unit."""

    PROVINCE = "province", "Tỉnh / Province"
    DISTRICT = "district", "Huyện (trước 2025) / District (before 2025)"
    COMMUNE = "commune", "Xã, phường, đặc khu / Commune"


class AdminUnit(models.Model):
    """An administrative unit as it was valid between two dates."""

    code = models.CharField(max_length=16, help_text="Official code (mã đơn vị hành chính)")
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, help_text="ASCII / English form")
    kind = models.CharField(max_length=40, blank=True, help_text="Phường, Xã, Tỉnh, Huyện …")
    level = models.CharField(max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    # How the geometry was obtained: official, derived (union of old units), synthetic (seeded).
    geom_source = models.CharField(max_length=16, default="official")
    synthetic = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    area_km2 = models.FloatField(null=True, blank=True, help_text="Area in VN-2000 TM-3")
    geom = models.MultiPolygonField(srid=4326)
    geom_3857 = models.GeneratedField(
        expression=Transform("geom", 3857),
        output_field=models.MultiPolygonField(srid=3857),
        db_persist=True,
    )

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="se_unit_code_from"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="se_unit_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi} ({self.valid_from}–{self.valid_to or ''})"


class _UnitView(models.Model):
    """The columns the two unit views share (read-only: views over `AdminUnit`)."""

    code = models.CharField(max_length=16)
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    kind = models.CharField(max_length=40)
    level = models.CharField(max_length=16)
    parent_code = models.CharField(max_length=16, null=True)
    valid_from = models.DateField()
    geom_source = models.CharField(max_length=16)
    synthetic = models.BooleanField()
    area_km2 = models.FloatField(null=True)
    geom = models.MultiPolygonField(srid=4326)
    geom_3857 = models.MultiPolygonField(srid=3857)

    class Meta:
        abstract = True


class CurrentUnit(_UnitView):
    """Units valid today (a view; the catalogue layer `admin_units_2025`)."""

    class Meta:
        managed = False
        db_table = "socioeconomic_current_unit"


class HistoricUnit(_UnitView):
    """Units no longer valid (a view; the catalogue layer `admin_units_history`)."""

    valid_to = models.DateField()

    class Meta:
        managed = False
        db_table = "socioeconomic_historic_unit"


class Crosswalk(models.Model):
    """Which share of an old unit went into a new one (area in VN-2000; population if known)."""

    old = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successors")
    new = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessors")
    area_share = models.FloatField(help_text="Share of the old unit's area now in the new one")
    population_share = models.FloatField(null=True, blank=True)
    whole = models.BooleanField(default=True, help_text="The whole old unit moved (not a part)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="se_crosswalk_pair")]


class Agency(models.Model):
    """A reporting agency (sở, ban, ngành) whose users' tokens submit its indicators."""

    code = models.CharField(max_length=32, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="agencies")

    def __str__(self) -> str:
        return self.code


class Periodicity(models.TextChoices):
    """How often an indicator is reported."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Aggregation(models.TextChoices):
    """How a value rolls up the hierarchy."""

    SUM = "sum"
    WEIGHTED_MEAN = "weighted_mean"  # mean weighted by another indicator's values
    RATIO = "ratio"  # sum(numerator) / sum(denominator) × factor


class Indicator(models.Model):
    """One indicator of the registry (chỉ tiêu)."""

    code = models.CharField(max_length=40, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    unit_vi = models.CharField(max_length=40, help_text="Unit of measure (đơn vị tính)")
    unit_en = models.CharField(max_length=40)
    group = models.CharField(max_length=32, help_text="KPI group (nhóm chỉ tiêu)")
    periodicity = models.CharField(max_length=8, choices=Periodicity.choices)
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices)
    weight = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    numerator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    factor = models.FloatField(default=1.0)
    higher_is_better = models.BooleanField(default=True)
    # A stock (population, households) is read at the period's end, a flow summed over it.
    stock = models.BooleanField(default=False)
    # Disaggregation dimensions and their members, e.g. {"sex": ["male", "female"]}.
    disaggregations = models.JSONField(default=dict, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="indicators")
    deadline_days = models.PositiveSmallIntegerField(
        default=10, help_text="Days after the period's end by which the report is due"
    )
    # Class breaks of its map: quantile, equal (intervals) or jenks (Fisher-Jenks natural breaks).
    map_scheme = models.CharField(max_length=12, default="quantile")
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["group", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(aggregation="weighted_mean") | models.Q(weight__isnull=False),
                name="se_indicator_weight",
            ),
            models.CheckConstraint(
                condition=~models.Q(aggregation="ratio")
                | models.Q(numerator__isnull=False, denominator__isnull=False),
                name="se_indicator_ratio_parts",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Value(models.Model):
    """A reported value: indicator × period (its first day) × unit × disaggregation."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.DateField(help_text="First day of the period")
    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="values")
    # "" is the total; otherwise "dimension:member", e.g. "sex:female".
    disaggregation = models.CharField(max_length=64, default="", blank=True)
    value = models.FloatField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reported_at = models.DateTimeField()
    synthetic = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "unit", "disaggregation"], name="se_value_key"
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "period"]),
            # Roll-ups probe one range per (unit, indicator) and read the value from the index.
            models.Index(
                fields=["unit", "indicator", "disaggregation", "period"],
                include=["value"],
                name="se_value_unit_ind_period",
            ),
        ]


class Target(models.Model):
    """A planned value (kế hoạch) for an indicator, period and unit."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.DateField()
    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="targets")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "unit"], name="se_target_key")
        ]
        indexes = [
            models.Index(
                fields=["unit", "indicator", "period"],
                include=["value"],
                name="se_target_unit_ind_period",
            )
        ]


class Submission(models.Model):
    """An agency's report for one period, as received (DHIS2's completeness registration)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="submissions")
    periodicity = models.CharField(max_length=8, choices=Periodicity.choices)
    period = models.DateField()
    received_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "periodicity", "period"], name="se_submission_key"
            )
        ]
