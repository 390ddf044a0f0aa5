"""`geo-ioc publish SLUG [--access LEVEL]`: set who may see a layer (public by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from layers.definitions import AccessLevel
from layers.models import Layer


class Command(BaseCommand):
    help = "Make a layer public (or set its access level): its tiles and features follow."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the layer")
        parser.add_argument(
            "--access",
            choices=[a.value for a in AccessLevel],
            default=AccessLevel.PUBLIC.value,
            help="who may see it (default public: anyone, signed in or not)",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        layer = Layer.objects.filter(slug=o["slug"]).first()
        if layer is None:
            raise CommandError(f"No layer {o['slug']!r}; `geo-ioc layers` lists them.")
        layer.access_level = o["access"]
        layer.save()  # the catalogue and the tile cache follow the change feed
        self.stdout.write(self.style.SUCCESS(f"layer {layer.slug}: access {layer.access_level}"))
