"""Who is on a WebSocket: the session user, or the owner of an API token.

Browsers cannot set headers on a WebSocket, so a token may also come as `?token=` (use wss in
production: the query string is part of the encrypted request).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from geo_ioc.core.models import ApiToken, hash_key

Scope = dict[str, Any]


def _token_user(key: str) -> Any:
    try:
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_key(key), revoked=False, user__is_active=True)
            .first()
        )
        return token.user if token else AnonymousUser()
    finally:
        connection.close()  # this thread belongs to one long-lived socket


def _token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            if scheme.lower() in ("token", "bearer") and key.strip():
                return key.strip()
    query = parse_qs(scope.get("query_string", b"").decode())
    return query.get("token", [None])[0]


class TokenAuthMiddleware:
    """Put the token's user in the scope; otherwise leave the session user."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        """Resolve the token, if any, before the consumer runs."""
        key = _token(scope)
        if key:
            scope = {**scope, "user": await sync_to_async(_token_user)(key)}
        return await self.inner(scope, receive, send)


def ws_auth(inner: Any) -> Any:
    """Session authentication, overridden by a token when one is given."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
