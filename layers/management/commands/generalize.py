"""`geo-ioc generalize SLUG`: show, derive, set or clear a layer's per-zoom generalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import TypeAdapter, ValidationError

from layers.definitions import ZoomRule
from layers.generalise import derive_rules, describe
from layers.models import Layer
from layers.sources import SqlSource, source_for

_RULES = TypeAdapter(list[ZoomRule])


class Command(BaseCommand):
    help = (
        "Show a layer's per-zoom generalisation (the catalogue's `generalize`), derive it from "
        "the data again, set it from JSON, or clear it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the layer")
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--derive", action="store_true", help="derive from the data")
        what.add_argument(
            "--rules",
            help='JSON list of rules, or @FILE: [{"zooms": [10, 13], "tolerance": 1, '
            '"min_size": 4, "fields": ["name"]}, {"zooms": [10, 14], "cluster": 32}]',
        )
        what.add_argument("--clear", action="store_true", help="no rules (the budget still caps)")
        parser.add_argument("--json", action="store_true", help="print the rules as JSON")

    def handle(self, *args: Any, **o: Any) -> None:
        layer = Layer.objects.filter(slug=o["slug"]).first()
        if layer is None:
            raise CommandError(f"No layer {o['slug']!r}; `geo-ioc layers` lists them.")
        rules = [ZoomRule.model_validate(r) for r in layer.generalize]
        if o["derive"]:
            source = source_for(layer)
            if not isinstance(source, SqlSource):
                raise CommandError(f"Layer {layer.slug!r} has no SQL rows to derive rules from.")
            rules = derive_rules(layer.definition(), source.relation())
        elif o["rules"] is not None:
            rules = self._parse(o["rules"])
        elif o["clear"]:
            rules = []
        if o["derive"] or o["rules"] is not None or o["clear"]:
            layer.generalize = _RULES.dump_python(rules, mode="json")
            try:
                layer.save()  # validated; the tile cache drops the layer's tiles
            except Exception as exc:
                raise CommandError(str(exc)) from None
        if o["json"]:
            self.stdout.write(json.dumps(_RULES.dump_python(rules, mode="json"), indent=2))
            return
        self.stdout.write(f"layer {layer.slug}: {len(rules)} rule(s)")
        for line in describe(rules) or ["  (none: the layer's own detail at every zoom)"]:
            self.stdout.write(f"  {line}")

    @staticmethod
    def _parse(raw: str) -> list[ZoomRule]:
        text = Path(raw[1:]).read_text("utf-8") if raw.startswith("@") else raw
        try:
            return _RULES.validate_json(text)
        except ValidationError as exc:
            raise CommandError(f"Invalid rules: {exc}") from None
