"""Incidents, alert rules and the alerts they raise."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError


class Incident(models.Model):
    """Something happening in the city that operators follow from report to closure."""

    class Type(models.TextChoices):
        TRAFFIC_ACCIDENT = "traffic_accident", "Tai nạn giao thông"
        CONGESTION = "congestion", "Ùn tắc"
        FLOODING = "flooding", "Ngập lụt"
        FIRE = "fire", "Cháy"
        PUBLIC_ORDER = "public_order", "Trật tự công cộng"
        INFRASTRUCTURE_FAILURE = "infrastructure_failure", "Sự cố hạ tầng"
        ENVIRONMENTAL = "environmental", "Môi trường"
        OTHER = "other", "Khác"

    class Status(models.TextChoices):
        NEW = "new", "Mới"
        ACKNOWLEDGED = "acknowledged", "Đã tiếp nhận"
        DISPATCHED = "dispatched", "Đã điều phối"
        RESOLVED = "resolved", "Đã xử lý"
        CLOSED = "closed", "Đã đóng"

    class Source(models.TextChoices):
        OPERATOR = "operator", "Điều hành viên"
        CAMERA = "camera", "Camera"
        SENSOR = "sensor", "Cảm biến"
        CITIZEN = "citizen", "Người dân"

    code = models.CharField(max_length=32, unique=True)
    type = models.CharField(max_length=32, choices=Type.choices)
    severity = models.PositiveSmallIntegerField(help_text="1 (minor) to 4 (critical)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OPERATOR)
    description = models.TextField(blank=True)
    road_name = models.CharField(max_length=200, blank=True)
    responsible_unit = models.CharField(max_length=200, blank=True)
    geom = models.PointField(srid=4326)
    reported_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synthetic = models.BooleanField(default=False, help_text="Generated demo data")

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "reported_at"]),
            models.Index(fields=["reported_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=1, severity__lte=4), name="incident_severity_1_4"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.type} ({self.status})"


class AlertRule(models.Model):
    """A rule in data: what to watch and the CAP words of the alert it raises."""

    class Scope(models.TextChoices):
        PUBLIC = "Public", "Công khai"
        RESTRICTED = "Restricted", "Hạn chế"

    # The kinds this app contributes; the field takes any kind a domain app contributes
    # (`rulekinds.kinds()`), so it has no fixed choices and `clean` asks the registry.
    class Kind(models.TextChoices):
        INCIDENT_IN_AREA = "incident_in_area", "Sự cố trong vùng"
        HOTSPOT = "hotspot", "Điểm nóng sự cố"
        AQI_THRESHOLD = "aqi_threshold", "Ngưỡng chất lượng không khí"
        SILENT = "silent", "Trạm mất tín hiệu"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, help_text="A rule kind a domain app contributes")
    params: models.JSONField[dict[str, Any]] = models.JSONField(
        default=dict, help_text="Checked against the kind's parameter schema"
    )
    enabled = models.BooleanField(default=True)
    event = models.CharField(max_length=200, help_text="CAP info/event, e.g. Ngập lụt")
    category = models.CharField(max_length=16, default="Safety", help_text="CAP info/category")
    urgency = models.CharField(max_length=16, default="Immediate")
    severity = models.CharField(max_length=16, default="Severe")
    certainty = models.CharField(max_length=16, default="Observed")
    scope = models.CharField(
        max_length=16,
        choices=Scope.choices,
        default=Scope.RESTRICTED,
        db_default=Scope.RESTRICTED,  # rows written without the ORM stay Restricted
        help_text="CAP scope: Public alerts are in the anonymous feed (/alerts.cap)",
    )

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse a kind no installed app contributes, or parameters its schema refuses."""
        from geo_ioc.operations.rulekinds import parse_params  # the registry imports this module

        try:
            parse_params(self)
        except ValueError as exc:  # pydantic's ValidationError is one
            field = "kind" if "unknown alert rule kind" in str(exc) else "params"
            raise ValidationError({field: str(exc)}) from exc


class Alert(models.Model):
    """An alert raised by a rule; CAP 1.2 fields; active → acknowledged → resolved."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Đang hoạt động"
        ACKNOWLEDGED = "acknowledged", "Đã xác nhận"
        RESOLVED = "resolved", "Đã kết thúc"

    identifier = models.UUIDField(unique=True)
    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    key = models.CharField(max_length=200, help_text="What the rule fired for; one open alert each")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    sent = models.DateTimeField()
    headline = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    area_desc = models.CharField(max_length=300)
    area = models.GeometryField(srid=4326, help_text="The area to warn: a polygon or a circle")
    circle_radius_m = models.FloatField(
        null=True, blank=True, help_text="Set when area is a centre"
    )
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True, help_text="empty: the rule itself")

    class Meta:
        ordering = ["-sent"]
        constraints = [
            # Fires once: at most one unresolved alert per rule and subject.
            models.UniqueConstraint(
                fields=["rule", "key"],
                condition=~models.Q(status="resolved"),
                name="one_open_alert_per_rule_and_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.headline} ({self.status})"
