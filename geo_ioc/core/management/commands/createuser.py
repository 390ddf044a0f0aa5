"""`geo-ioc createuser NAME --role ROLE [--token]`."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
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
            user.set_password(password)
        user.is_staff = Role.ADMIN.value in opts["role"]
        user.save()
        user.groups.add(*Group.objects.filter(name__in=opts["role"]))
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} user {user.username} with roles {', '.join(opts['role'])}")
        if opts["token"]:
            _, key = ApiToken.issue(user)
            self.stdout.write(f"API token (shown once): {key}")
