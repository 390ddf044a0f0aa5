"""`geo-ioc reports seed|demo|simulate|api-key`: the reports app's commands."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.reports import demo
from geo_ioc.reports.open311 import issue_key
from geo_ioc.reports.services import create_report


class Command(BaseCommand):
    help = "Citizen reports: seed categories/units/routes, synthesize the demo, simulate, keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "demo", "simulate", "api-key"])
        parser.add_argument("name", nargs="?", help="api-key: the client application's name")
        parser.add_argument("--count", type=int, default=0, help="reports (demo: 2000)")
        parser.add_argument("--every", type=float, default=60.0, help="simulate: seconds apart")
        parser.add_argument("--seed", type=int, help="random seed")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "api-key":
            if not opts["name"]:
                raise CommandError("give the client application's name")
            self.stdout.write(issue_key(opts["name"]))
            return
        counts = demo.seed()
        self.stdout.write(f"seeded {counts}")
        if action == "demo":
            made = demo.synthesize(opts["count"] or 2000, seed_value=opts["seed"] or 17)
            self.stdout.write(f"{made} synthetic reports over 90 days")
        elif action == "simulate":
            rng = np.random.default_rng(opts["seed"])
            n = 0
            while not opts["count"] or n < opts["count"]:
                (point,) = demo.road_points(1)
                report = create_report(demo.random_report(rng, point), synthetic=True)
                n += 1
                self.stdout.write(f"{report.code}: {report.category_id} at {point[2]}")
                if not opts["count"] or n < opts["count"]:
                    time.sleep(opts["every"])
