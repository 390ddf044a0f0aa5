"""`geo-ioc token list|issue|rotate|revoke`: API tokens of users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.core.models import ApiToken


def _by_prefix(prefix: str) -> ApiToken:
    found = list(ApiToken.objects.filter(prefix__startswith=prefix[:12], revoked=False)[:2])
    if len(found) != 1:
        raise CommandError(f"no single live token starts with {prefix!r}")
    return found[0]


class Command(BaseCommand):
    help = "List, issue, rotate or revoke API tokens (keys are shown once, when made)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="tokens of a user (or everyone)")
        listing.add_argument("username", nargs="?")
        issue = sub.add_parser("issue", help="a new token for a user")
        issue.add_argument("username")
        issue.add_argument("--name", default="default")
        issue.add_argument("--scope", choices=[s.value for s in ApiToken.Scope], default="full")
        issue.add_argument(
            "--days", type=int, help="lifetime (default GEO_IOC_TOKEN_DAYS; 0 never)"
        )
        rotate = sub.add_parser("rotate", help="a new key; the old one ends after --grace-hours")
        rotate.add_argument("prefix", help="the token's first characters (as listed)")
        rotate.add_argument("--grace-hours", type=float, default=None)
        revoke = sub.add_parser("revoke", help="end a token now")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "list":
            qs = ApiToken.objects.select_related("user").order_by("user__username", "created")
            if opts["username"]:
                qs = qs.filter(user__username=opts["username"])
            for t in qs:
                state = "revoked" if t.revoked else f"expires {t.expires_at or 'never'}"
                self.stdout.write(
                    f"{t.prefix}  {t.user.get_username()}  {t.name}  {t.scope}  {state}"
                )
        elif action == "issue":
            user = get_user_model().objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(f"no user {opts['username']!r}")
            extra: dict[str, Any] = {}
            if opts["days"] is not None:
                from datetime import timedelta

                from django.utils import timezone

                extra["expires_at"] = (
                    timezone.now() + timedelta(days=opts["days"]) if opts["days"] else None
                )
            _, key = ApiToken.issue(user, opts["name"], opts["scope"], **extra)
            self.stdout.write(f"API token (shown once): {key}")
        elif action == "rotate":
            grace = opts["grace_hours"]
            if grace is None:
                grace = settings.GEO_IOC_TOKEN_GRACE_HOURS
            old = _by_prefix(opts["prefix"])
            _, key = old.rotate(grace)
            self.stdout.write(f"old token ends {old.expires_at if not old.revoked else 'now'}")
            self.stdout.write(f"API token (shown once): {key}")
        else:
            token = _by_prefix(opts["prefix"])
            token.revoked = True
            token.save(update_fields=["revoked"])
            self.stdout.write(f"revoked {token.prefix}")
