"""Who is on a WebSocket, and whether the page that opened it may: Origin, session or token.

Origin: a browser names the page's origin on every WebSocket; it must be this site itself (the
Host the socket was opened on) or one of CSRF_TRUSTED_ORIGINS, or the handshake is refused (403)
— otherwise any page an operator visits could drive the walls with the operator's session.
Programs that send no Origin are not browsers and carry no one's cookies.

Credentials: the session user, or the owner of an API token. Browsers cannot set headers on a
WebSocket, so the token may come as a subprotocol `token.<key>` beside `geo-ioc` (a header,
never logged), or — kept for old clients — `?token=` (redacted from the access log).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from geo_ioc.core import throttle
from geo_ioc.core.auth import scope_refusal, usable_token
from geo_ioc.core.models import ApiToken

Scope = dict[str, Any]
SUBPROTOCOL = "geo-ioc"
TOKEN_SUBPROTOCOL = "token."


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def origin_allowed(scope: Scope) -> bool:
    """No Origin (not a browser), this site's own, or a trusted one."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    trusted = {o.lower().rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS}
    if origin in trusted:
        return True
    host = (_header(scope, b"host") or "").strip().lower()
    return bool(host) and origin in (f"http://{host}", f"https://{host}")


def _ip(scope: Scope) -> str:
    client = scope.get("client") or ("", 0)
    return str(client[0])


def _token_user(key: str, ip: str) -> tuple[Any, ApiToken | None]:
    try:
        if throttle.blocked(throttle.rule("token_ip"), ip) is not None:
            return AnonymousUser(), None
        token = usable_token(key)
        if token is None:
            throttle.hit(throttle.rule("token_ip"), ip)
            return AnonymousUser(), None
        if scope_refusal(token, "GET", "/ws/live") is not None:
            return AnonymousUser(), None  # a gateway token follows nothing
        return token.user, token
    finally:
        connection.close()  # this thread belongs to one long-lived socket


def _token(scope: Scope) -> str | None:
    header = _header(scope, b"authorization")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() in ("token", "bearer") and key.strip():
            return key.strip()
    for proto in scope.get("subprotocols", []):
        if proto.startswith(TOKEN_SUBPROTOCOL) and len(proto) > len(TOKEN_SUBPROTOCOL):
            return str(proto[len(TOKEN_SUBPROTOCOL) :])
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
            user, token = await sync_to_async(_token_user)(key, _ip(scope))
            scope = {**scope, "user": user, "api_token_id": token.pk if token else None}
        return await self.inner(scope, receive, send)


class OriginMiddleware:
    """Refuse the handshake of a page from another origin."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        """Check the Origin header first of all."""
        if not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)


def ws_auth(inner: Any) -> Any:
    """Origin check, then session authentication, overridden by a token when one is given."""
    return OriginMiddleware(AuthMiddlewareStack(TokenAuthMiddleware(inner)))
