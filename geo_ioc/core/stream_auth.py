"""Open streams (WebSocket, SSE) stay authorised: what they were opened with is re-checked.

A stream keeps the credential it was opened with: the session key, or the API token. It is
checked again every GEO_IOC_STREAM_RECHECK_SECONDS and at once when the event log carries an
`_auth` message — written when a token is revoked or rotated away, a user logs out or is
deactivated — and the stream closes when the credential no longer holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from geo_ioc.core.live.hub import AUTH_LAYER
from geo_ioc.core.models import ApiToken


@dataclass(frozen=True)
class Credential:
    """What a stream was opened with; anonymous streams have nothing to lose."""

    user_id: Any = None
    token_id: int | None = None
    session_key: str | None = None

    @property
    def anonymous(self) -> bool:
        """No user: public layers only, nothing to re-check."""
        return self.user_id is None

    def holds(self) -> bool:
        """Whether the token or the session still authenticates the same active user."""
        if self.anonymous:
            return True
        try:
            if self.token_id is not None:
                return ApiToken.objects.usable().filter(pk=self.token_id).exists()
            if not self.session_key:
                return False
            engine = import_module(settings.SESSION_ENGINE)
            data = engine.SessionStore(self.session_key).load()
            if str(data.get(SESSION_KEY)) != str(self.user_id):
                return False
            return get_user_model().objects.filter(pk=self.user_id, is_active=True).exists()
        finally:
            connection.close()  # called from a long-lived stream's thread


def of_request(request: HttpRequest) -> Credential:
    """The credential of an HTTP request (SSE)."""
    user = request.user
    if not user.is_authenticated:
        return Credential()
    token = getattr(request, "api_token", None)
    if token is not None:
        return Credential(user.pk, token_id=token.pk)
    return Credential(user.pk, session_key=request.session.session_key)


def of_scope(scope: dict[str, Any]) -> Credential:
    """The credential of a WebSocket (see `ws_auth`)."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return Credential()
    token_id = scope.get("api_token_id")
    if token_id is not None:
        return Credential(user.pk, token_id=token_id)
    session = scope.get("session")
    return Credential(user.pk, session_key=getattr(session, "session_key", None))


def announce(operation: str, user_id: Any) -> None:
    """Tell every server process's open streams to re-check (in the writer's transaction)."""
    from geo_ioc.core.live import events

    events.record(AUTH_LAYER, operation, None, {"user": user_id})


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any = None, user: Any = None, **kw: Any) -> None:
    # Django flushes the session after this signal: end it first, so that the streams told
    # now find it gone (logout's own flush then ends an empty one).
    session = getattr(request, "session", None)
    if session is not None:
        session.flush()
    if user is not None:
        announce("logout", user.pk)


@receiver(post_save, sender=ApiToken)
def _token_saved(sender: Any, instance: ApiToken, created: bool, **kw: Any) -> None:
    if not created:
        announce("token", instance.user_id)


def _user_saved(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    if not created and not instance.is_active:
        announce("deactivate", instance.pk)


post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="stream-auth-user")
