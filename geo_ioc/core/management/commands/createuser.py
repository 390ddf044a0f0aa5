"""`geo-ioc createuser NAME --role ROLE [--token]`."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from geo_ioc.core.models import ApiToken
from geo_ioc.core.roles import Role, ensure_groups


class Command(BaseCommand):
    help = "Create (or update) a user in one or more roles, optionally issuing an API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            choices=[r.value for r in Role],
            required=True,
            help="repeat for several roles",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: ask (or none with --no-password)")
        parser.add_argument(
            "--no-password", action="store_true", help="token-only user with an unusable password"
        )
        parser.add_argument("--token", action="store_true", help="issue an API token and print it")
        parser.add_argument(
            "--scope",
            choices=[s.value for s in ApiToken.Scope],
            default=ApiToken.Scope.FULL.value,
            help="of the token: full, read (safe methods only) or gateway (posts readings only)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **opts: Any) -> None:
        ensure_groups()
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=opts["username"], defaults={"email": opts["email"]}
        )
        if opts["no_password"]:
            user.set_unusable_password()
        elif opts["password"] or created:
            password = opts["password"] or getpass.getpass("Password: ")
            if not password:
                raise CommandError("a password is required (or pass --no-password)")
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("password refused: " + " ".join(exc.messages)) from None
            user.set_password(password)
        user.is_staff = Role.ADMIN.value in opts["role"]
        user.save()
        user.groups.add(*Group.objects.filter(name__in=opts["role"]))
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} user {user.username} with roles {', '.join(opts['role'])}")
        if opts["token"]:
            token, key = ApiToken.issue(user, scope=opts["scope"])
            until = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
            self.stdout.write(f"API token ({token.scope}, expires {until})")
            self.stdout.write(f"API token (shown once): {key}")
