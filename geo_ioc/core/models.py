"""The platform's tables: API tokens and the event log of live messages."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "gioc_"


def hash_key(key: str) -> str:
    """SHA-256 of a token key: enough for random 256-bit secrets, and constant-time to look up."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token that authenticates API calls as its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user}, {self.name})"

    @classmethod
    def issue(cls, user: models.Model, name: str = "default") -> tuple[ApiToken, str]:
        """Create a token for a user and return it with its key (shown once)."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_key(key), prefix=key[:10])
        return token, key


class Event(models.Model):
    """One live message, persisted before it is published; `seq` orders and replays them."""

    seq = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    layer = models.CharField(max_length=63, db_index=True)
    operation = models.CharField(max_length=16)  # create, update, transition, delete
    feature_id = models.BigIntegerField(null=True)
    actor = models.CharField(max_length=150, blank=True)
    data: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.layer} {self.operation} {self.feature_id}"
