"""Typed outputs of the search API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# "place" and "street" from the catalogue; providers add theirs ("parcel", "incident", …).
Kind = str


class Result(BaseModel):
    """One hit: what it is, where it is and how well it matched (rank 0 is best)."""

    kind: Kind
    layer: str
    layer_title: dict[str, str]
    id: str
    title: str
    title_en: str | None = None
    subtitle: str | None = None
    lon: float
    lat: float
    bbox: tuple[float, float, float, float] | None = None
    rank: int
    features: int = 1
    properties: dict[str, Any] = Field(default_factory=dict)


class Results(BaseModel):
    """The hits of a query, best first."""

    query: str
    results: list[Result]
