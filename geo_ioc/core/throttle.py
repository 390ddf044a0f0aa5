"""Rate limits and lockouts shared by every server process.

Counters live in Redis when REDIS_URL is set, else in PostgreSQL (one upserted row per key).

A rule counts hits of one identity (an account, an address, a user) over a window that starts at
its first hit; past the limit, the identity is refused until the window ends (`Retry-After`).
Refusing costs one counter read, before any password is hashed or token looked up.
"""

from __future__ import annotations

import ipaddress
import math
import random
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from geo_ioc.core.errors import ApiError

PREFIX = "geoioc:throttle:"


class Throttled(ApiError):
    """Over a limit: answered 429 with Retry-After."""

    status = 429
    code = "throttled"
    default_message = "Too many requests; try again later."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Rule:
    """At most `limit` hits per `seconds` for one identity."""

    name: str
    limit: int
    seconds: int


class Store(Protocol):
    """Where counters live."""

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        """Count a hit; the count in the window and the seconds the window has left."""

    def peek(self, key: str) -> tuple[int, int]:
        """The count and seconds left without counting."""

    def clear(self, key: str) -> None:
        """Forget the key."""


class RedisStore:
    """INCR and EXPIRE: one round trip per hit."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        """See `Store`."""
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
        return int(count), max(int(ttl), 1)

    def peek(self, key: str) -> tuple[int, int]:
        """See `Store`."""
        pipe = self.redis.pipeline()
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = pipe.execute()
        return (int(count), max(int(ttl), 1)) if count is not None else (0, 0)

    def clear(self, key: str) -> None:
        """See `Store`."""
        self.redis.delete(key)


_UPSERT = """
INSERT INTO core_throttlecount AS t (key, count, expires_at)
VALUES (%(key)s, 1, now() + make_interval(secs => %(seconds)s))
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.count + 1 END,
    expires_at = CASE WHEN t.expires_at <= now() THEN EXCLUDED.expires_at ELSE t.expires_at END
RETURNING count, ceil(extract(epoch FROM t.expires_at - now()))::int
"""
_PEEK = (
    "SELECT count, ceil(extract(epoch FROM expires_at - now()))::int FROM core_throttlecount"
    " WHERE key = %s AND expires_at > now()"
)


class DatabaseStore:
    """One upserted row per key in `core_throttlecount`."""

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        """See `Store`."""
        with connection.cursor() as cur:
            cur.execute(_UPSERT, {"key": key, "seconds": seconds})
            count, left = cur.fetchone()
            if random.random() < 0.01:  # now and then, forget ended windows
                cur.execute("DELETE FROM core_throttlecount WHERE expires_at < now()")
        return int(count), max(int(left), 1)

    def peek(self, key: str) -> tuple[int, int]:
        """See `Store`."""
        with connection.cursor() as cur:
            cur.execute(_PEEK, [key])
            row = cur.fetchone()
        return (int(row[0]), max(int(row[1]), 1)) if row else (0, 0)

    def clear(self, key: str) -> None:
        """See `Store`."""
        with connection.cursor() as cur:
            cur.execute("DELETE FROM core_throttlecount WHERE key = %s", [key])


@cache
def store() -> Store:
    """The process's store."""
    url = settings.REDIS_URL
    return RedisStore(url) if url else DatabaseStore()


def _key(rule: Rule, ident: str) -> str:
    return f"{PREFIX}{rule.name}:{ident}"[:200]


def hit(rule: Rule, ident: str) -> int | None:
    """Count a hit; the seconds to wait when this one is over the limit, else None."""
    count, left = store().hit(_key(rule, ident), rule.seconds)
    return left if count > rule.limit else None


def blocked(rule: Rule, ident: str) -> int | None:
    """The seconds to wait when the identity is over the limit already (nothing counted)."""
    count, left = store().peek(_key(rule, ident))
    return left if count >= rule.limit else None


def clear(rule: Rule, ident: str) -> None:
    """Forget an identity's hits (a successful login clears its account's failures)."""
    store().clear(_key(rule, ident))


def enforce(rule: Rule, ident: str, message: str | None = None) -> None:
    """Count a hit and raise Throttled when it is over the limit."""
    wait = hit(rule, ident)
    if wait is not None:
        raise Throttled(wait, message)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def forwarded_client(remote: str, forwarded: str, cidrs: tuple[str, ...]) -> str:
    """The client behind trusted proxies: X-Forwarded-For read right to left, only from one.

    A request that does not come from a trusted proxy is its own client, whatever the header
    says; otherwise the first address, from the right, that is not a trusted proxy (a client
    can write anything on the left of the header, never on the right of what our proxies add).
    """
    networks = _trusted(cidrs)
    if not forwarded or not _is_trusted(remote, networks):
        return remote
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage where the proxy writes: trust nothing of it
    return hops[0] if hops else remote


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind trusted proxies, the one they saw (X-Forwarded-For).

    With GEO_IOC_TRUSTED_PROXIES (CIDRs) the header is read only from those proxies; without
    it, GEO_IOC_TRUSTED_PROXY=1 (one proxy, the sole way in) trusts the address it appended.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))[:64]
    cidrs = tuple(getattr(settings, "GEO_IOC_TRUSTED_PROXIES", ()) or ())
    if cidrs:
        return forwarded_client(remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), cidrs)[:64]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def rule(name: str) -> Rule:
    """A rule of the settings (GEO_IOC_THROTTLE_*): limit and window."""
    limit, seconds = settings.GEO_IOC_THROTTLE[name]
    return Rule(name, limit, seconds)


def retry_after(seconds: int) -> str:
    """The Retry-After header's value."""
    return str(math.ceil(max(seconds, 1)))
