"""`geo-ioc camera_simulate`: heartbeats for the demo cameras and synthetic frames for a few.

Each tick every camera not in maintenance sends a heartbeat (a few stay silent, so the silent
rule has work), and with `--frames N`, N cameras get a frame of their own synthetic street —
light traffic, now and then a queue or a covered lens — processed as a worker would (masked,
stored, analysed). Runs in its own process, never in the web server's.
"""

from __future__ import annotations

import random
import time
from typing import Any

import cv2
from django.core.management.base import BaseCommand, CommandParser

from geo_ioc.cameras import frames, health, synthetic
from geo_ioc.cameras.models import Camera


class Command(BaseCommand):
    help = "Send heartbeats (and synthetic frames) for the demo cameras."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=5.0, help="seconds between ticks")
        parser.add_argument("--frames", type=int, default=0, help="cameras given a frame per tick")
        parser.add_argument("--silent", type=float, default=0.05, help="share of silent cameras")
        parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        rng = random.Random(opts["seed"])
        cams = list(Camera.objects.filter(in_maintenance=False).order_by("code"))
        silent = {c.code for c in cams if rng.random() < opts["silent"]}
        scenes = {c.code: synthetic.Scene(seed=i) for i, c in enumerate(cams)}
        started, tick = time.monotonic(), 0
        while opts["seconds"] is None or time.monotonic() - started < opts["seconds"]:
            beats = [
                {
                    "camera": c.code,
                    "fps": round(c.expected_fps * rng.uniform(0.8, 1.0), 1),
                    "bitrate_kbps": round(rng.uniform(1500, 4000)),
                }
                for c in cams
                if c.code not in silent
            ]
            report = health.record_heartbeats(beats)
            for cam in rng.sample(cams, min(opts["frames"], len(cams))):
                roll = rng.random()
                scene = scenes[cam.code]
                image = scene.frame(0.85, 0, moving=False) if roll < 0.1 else scene.frame(0.2, tick)
                if roll > 0.98:
                    image = synthetic.covered(image)
                ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
                if ok:
                    frames.process(cam, jpeg.tobytes())
            self.stdout.write(
                f"tick {tick}: {report.accepted} heartbeats, changed {report.changed}"
            )
            tick += 1
            time.sleep(opts["every"])
