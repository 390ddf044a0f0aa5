"""`POST /auth/token/rotate`: a token replaces itself (the new key is shown once)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from geo_ioc.core.errors import InvalidParameter, NotAuthenticated
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.models import ApiToken


@allow("POST")
def rotate(request: HttpRequest) -> HttpResponse:
    """Rotate the token the request carries; `?grace_hours=` keeps the old one that long."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is None:
        raise NotAuthenticated("Rotate a token by calling this with it.")
    raw = request.GET.get("grace_hours")
    grace = float(settings.GEO_IOC_TOKEN_GRACE_HOURS)
    if raw is not None:
        if not raw.isascii() or not raw.isdigit() or int(raw) > 24 * 30:
            raise InvalidParameter(
                "grace_hours must be a whole number up to 720.", field="grace_hours"
            )
        grace = int(raw)
    new, key = token.rotate(grace)
    return json_response(
        {
            "token": key,
            "prefix": new.prefix,
            "scope": new.scope,
            "expires_at": new.expires_at.isoformat() if new.expires_at else None,
            "previous_expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "previous_revoked": token.revoked,
        },
        status=201,
    )
