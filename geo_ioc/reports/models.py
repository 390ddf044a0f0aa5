"""Citizens' field reports: categories, units and routing in data, reports and their steps.

What identifies a reporter (name, phone, e-mail, the caller's number, the device) lives in
`ReportContact`, a table of its own that no layer, export or public page reads: the report's
table carries nothing private, so a catalogue layer over it cannot leak a contact.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models


class Unit(models.Model):
    """A unit that handles reports (a ward's People's Committee, a city company, …)."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The superior an overdue report escalates to",
    )
    email = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What can be reported (an Open311 service) and its deadlines."""

    code = models.CharField(max_length=64, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=100, blank=True, help_text="Open311 group")
    keywords = models.CharField(max_length=300, blank=True)
    forward_minutes = models.PositiveIntegerField(default=5, help_text="route within (minutes)")
    answer_hours = models.PositiveIntegerField(default=8, help_text="first answer within")
    resolve_days = models.PositiveIntegerField(default=5, help_text="resolved within")
    # Open311 service definition attributes: [{code, datatype, required, description, values}].
    attributes: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list)
    default_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class Route(models.Model):
    """The unit responsible for a category in an administrative unit (by its code)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    area_code = models.CharField(max_length=32, help_text="commune/ward code of the area layer")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="routes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "area_code"], name="one_route_per_area")
        ]


class Holiday(models.Model):
    """A public holiday (no working hours); loaded from `holidays.yaml`, editable."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]


class Report(models.Model):
    """One citizen report; its public face is the `reports` layer."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Đã tiếp nhận"
        ROUTED = "routed", "Đã chuyển đơn vị"
        ACCEPTED = "accepted", "Đơn vị đã nhận"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        RESOLVED = "resolved", "Đã xử lý"
        CLOSED = "closed", "Đã đóng"
        REJECTED = "rejected", "Từ chối"

    class Source(models.TextChoices):
        WEB = "web", "Trang web"
        HOTLINE = "hotline", "Đường dây nóng 1022"
        OPEN311 = "open311", "Open311"

    class Rejection(models.TextChoices):
        DUPLICATE = "duplicate", "Trùng phản ánh khác"
        NOT_RESPONSIBLE = "not_responsible", "Không thuộc thẩm quyền của tỉnh"
        INVALID = "invalid", "Không hợp lệ"

    code = models.CharField(max_length=16, unique=True, help_text="tracking code")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    description = models.TextField()
    address = models.CharField(max_length=300, blank=True)
    geom = models.PointField(srid=4326)
    area_code = models.CharField(max_length=32, blank=True, help_text="commune/ward code")
    area_name = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    attributes: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    due_forward_at = models.DateTimeField(null=True, blank=True)
    due_answer_at = models.DateTimeField(null=True, blank=True)
    due_resolve_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="the unit's first answer")
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(default=False, help_text="past a deadline, kept by the sweep")
    answer = models.TextField(blank=True, help_text="the unit's answer, public")
    rejection = models.CharField(max_length=16, choices=Rejection.choices, blank=True)
    reason = models.TextField(blank=True, help_text="why rejected, public")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    incident = models.ForeignKey(
        "operations.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    client = models.ForeignKey(
        "reports.ClientApp", null=True, blank=True, on_delete=models.SET_NULL
    )
    synthetic = models.BooleanField(default=False, help_text="Generated demo data")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["category", "status", "received_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["status", "overdue"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.category_id} ({self.status})"


class ReportContact(models.Model):
    """Who reported: private, read only by handling staff."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=200, blank=True)
    device_id = models.CharField(max_length=200, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)


class Step(models.Model):
    """One step of a report's history: who did what, when, and what the citizen is told."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="'' for the citizen/system")
    action = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Report.Status.choices)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["at", "id"]


class Follower(models.Model):
    """Someone following a report (by device or e-mail); private like a contact."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    key = models.CharField(max_length=200, help_text="a device id or an e-mail")
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="follow_once")]


class Photo(models.Model):
    """A photo as stored: re-encoded, metadata stripped, faces and plates blurred."""

    class Role(models.TextChoices):
        REPORT = "report", "Ảnh phản ánh"
        ANSWER = "answer", "Ảnh kết quả xử lý"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.REPORT)
    image = models.BinaryField()
    thumbnail = models.BinaryField()
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    blurred = models.PositiveSmallIntegerField(default=0, help_text="faces and plates blurred")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ClientApp(models.Model):
    """An Open311 client application with its api_key (stored hashed)."""

    name = models.CharField(max_length=200, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class AreaLoad(models.Model):
    """Open and overdue reports per area of the routing level: the choropleth layer's table.

    The areas (code, name, shape) are copied from the routing layer by `stats.rebuild_areas()`;
    the counts are kept by a trigger on the reports' table (`sql/area_load.sql`) that touches
    an area's row only when its counts change, so the layer's tiles are dropped exactly then.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    open = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    geom = models.MultiPolygonField(srid=4326)
    geom_3857 = models.MultiPolygonField(srid=3857)

    def __str__(self) -> str:
        return f"{self.code} {self.overdue}/{self.open}"


class Notification(models.Model):
    """The outbox: one message to one follower on one channel about one public step.

    Written in the step's transaction (nothing lost, nothing sent inside the request); a worker
    sends it. `address` is the follower's key (an e-mail or `tel:+…`): private like a contact.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        QUEUED = "queued", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"
        SKIPPED = "skipped", "Bỏ qua"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notifications")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=200)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "channel", "address"], name="one_message_per_step"
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"])]


class Unsubscribe(models.Model):
    """A follower who asked for no more messages about a report (by the link in one)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="unsubscribes")
    address = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "address"], name="unsubscribe_once")
        ]
