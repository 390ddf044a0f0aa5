"""The live server's access log read as a client's traffic: which requests arrived, how many."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import ARTIFACTS

_REQUEST = re.compile(r'"(GET|POST|HEAD|PUT|PATCH|DELETE) (\S+) HTTP/[\d.]+" (\d{3})')


class ServerLog:
    """Requests logged by the session's live server from now on (`with ServerLog(url) as log`)."""

    def __init__(self, live_url: str, path: Path = ARTIFACTS / "server.log") -> None:
        self.live_url = live_url
        self.path = path
        self.start = 0
        self.seen: list[tuple[str, str, int]] = []

    def __enter__(self) -> ServerLog:
        self.start = self.path.stat().st_size
        return self

    def __exit__(self, *exc: object) -> None:
        self.collect()

    def collect(self) -> list[tuple[str, str, int]]:
        """(method, target, status) of every request so far; waits for a marker request."""
        mark = f"/healthz?mark={uuid.uuid4().hex}"
        httpx.get(self.live_url + mark, timeout=30)
        deadline = time.monotonic() + 30
        while True:
            text = self.path.read_bytes()[self.start :].decode("utf-8", "replace")
            if mark in text or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        found = [(m[1], m[2], int(m[3])) for m in _REQUEST.finditer(text)]
        self.seen = [r for r in found if r[1] != mark]
        return self.seen

    def targets(self, path_part: str) -> list[str]:
        """Request targets (path and query) whose path contains `path_part`."""
        return [t for _, t, _ in self.seen if path_part in urlsplit(t).path]


def query(target: str) -> dict[str, str]:
    """The decoded query parameters of a logged request target."""
    return {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
