"""Shared helpers of the OGC API tests: auth headers and SQL truth."""

from __future__ import annotations

from typing import Any

import httpx
from django.db import connection


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Token {token}"} if token else {}


def sql_ids(query: str, params: list[Any] | None = None) -> set[int]:
    """Ids a hand-written SQL query selects: the independent truth."""
    with connection.cursor() as cur:
        cur.execute(query, params)
        return {int(r[0]) for r in cur.fetchall()}


def served_ids(http: httpx.Client, layer: str, token: str | None = None, **params: Any) -> set[int]:
    """All ids the items endpoint returns for these parameters (one big page)."""
    r = http.get(
        f"/ogc/collections/{layer}/items", params={"limit": 10000, **params}, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["numberMatched"] == body["numberReturned"] == len(body["features"])
    return {f["id"] for f in body["features"]}
