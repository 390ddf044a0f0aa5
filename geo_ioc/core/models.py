"""The platform's tables: API tokens and the event log of live messages."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

TOKEN_PREFIX = "gioc_"


def hash_key(key: str) -> str:
    """SHA-256 of a token key: enough for random 256-bit secrets, and constant-time to look up."""
    return hashlib.sha256(key.encode()).hexdigest()


class TokenQuerySet(models.QuerySet["ApiToken"]):
    """Tokens, and the ones that authenticate now."""

    def usable(self) -> TokenQuerySet:
        """Not revoked, not expired, of an active user."""
        return self.filter(revoked=False, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


def default_expiry() -> Any:
    """When a token issued now expires (GEO_IOC_TOKEN_DAYS; 0: never)."""
    days = int(getattr(settings, "GEO_IOC_TOKEN_DAYS", 90))
    return timezone.now() + timedelta(days=days) if days else None


class ApiToken(models.Model):
    """A bearer token that authenticates API calls as its user.

    Only the SHA-256 of the key is stored. A token expires (`expires_at`), may be rotated (a new
    key; the old one lives on for a grace period) and has a scope: `full` (what its user may
    do), `read` (safe methods only) or `gateway` (only posts readings).
    """

    class Scope(models.TextChoices):
        FULL = "full"
        READ = "read"
        GATEWAY = "gateway"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="None: never")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.FULL)

    objects = TokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user}, {self.name}, {self.scope})"

    @classmethod
    def issue(
        cls,
        user: models.Model,
        name: str = "default",
        scope: str = "full",
        expires_at: Any = "default",
    ) -> tuple[ApiToken, str]:
        """Create a token for a user and return it with its key (shown once)."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_key(key),
            prefix=key[:10],
            scope=cls.Scope(scope),
            expires_at=default_expiry() if expires_at == "default" else expires_at,
        )
        return token, key

    def rotate(self, grace_hours: float = 0) -> tuple[ApiToken, str]:
        """A new key of the same name and scope; this one ends now, or after the grace period."""
        new, key = ApiToken.issue(self.user, self.name, self.scope)
        if grace_hours > 0:
            end = timezone.now() + timedelta(hours=grace_hours)
            self.expires_at = min(end, self.expires_at) if self.expires_at else end
        else:
            self.revoked = True
        self.save(update_fields=["expires_at", "revoked"])
        return new, key


class ThrottleCount(models.Model):
    """A rate-limit counter when there is no Redis (`geo_ioc.core.throttle`)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class Event(models.Model):
    """One entry of the event log: a change to a layer's table, or a domain's live message.

    Changes are written by the change triggers on every layer table, whatever wrote the rows
    (`relation`, `feature_ids`, `geom`, `before`); messages by a domain service in the same
    transaction (`layer`, `feature_id`, `data`). `seq` is the position in commit order, given
    at COMMIT under one lock (see `live/sql/sequencer.sql`): when seq N is visible, every
    smaller seq that will ever exist is visible too, so "after N" is an exact resume point.
    """

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(null=True, unique=True, help_text="Commit order; set at COMMIT")
    # Database defaults: triggers and other programs write here too.
    created_at = models.DateTimeField(db_default=Now())
    layer = models.CharField(
        max_length=63, blank=True, db_default="", help_text="a message's layer slug"
    )
    relation = models.TextField(
        blank=True, db_default="", help_text="a change's schema.table, or 'catalogue'"
    )
    operation = models.CharField(max_length=16)  # create, update, transition, insert, delete, …
    feature_id = models.BigIntegerField(null=True)
    feature_ids = ArrayField(models.TextField(), null=True, blank=True)
    row_count = models.BigIntegerField(db_default=0)
    geom = gis_models.GeometryField(srid=3857, null=True, blank=True)
    before: models.JSONField[dict[str, str] | None] = models.JSONField(
        null=True, blank=True, help_text="a change's old geometries (EWKB hex) by feature id"
    )
    actor = models.CharField(max_length=150, blank=True, db_default="")
    data: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)  # SQL default: {}

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["layer", "seq"], name="core_event_layer_seq"),
            models.Index(fields=["created_at"], name="core_event_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.layer or self.relation} {self.operation}"


class Cursor(models.Model):
    """How far a durable subscriber (e.g. the alert rules) has read the event log."""

    name = models.CharField(max_length=63, primary_key=True)
    seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seq}"
