"""Typed wall messages of the live WebSocket (see `layers.websocket`)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from pydantic_core import ErrorDetails

from geo_ioc.walls.errors import InvalidWallMessage

WallName = Annotated[str, Field(min_length=1, max_length=63)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class View(_Strict):
    """A map view: centre (lon, lat), zoom, bearing and pitch, as MapLibre has them."""

    center: tuple[float, float]
    zoom: float = Field(ge=0, le=24)
    bearing: float = Field(default=0.0, ge=-360, le=360)
    pitch: float = Field(default=0.0, ge=0, le=85)

    @field_validator("center")
    @classmethod
    def _lon_lat(cls, value: tuple[float, float]) -> tuple[float, float]:
        lon, lat = value
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError("center must be finite numbers")
        if not (-180 <= lon <= 180 and -85.06 <= lat <= 85.06):
            raise ValueError("center is [lon, lat]: lon in -180..180, lat in -85..85")
        return value


class Focus(_Strict):
    """Something the operator points the wall at: a place, optionally an incident."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-85.06, le=85.06)
    zoom: float | None = Field(default=None, ge=0, le=24)
    incident: int | None = Field(default=None, ge=1)
    label: str = Field(default="", max_length=200)


class Join(_Strict):
    """A screen (or a console) follows a wall."""

    type: Literal["wall_join"]
    wall: WallName
    screen: int | None = Field(default=None, ge=1, le=144)


class Leave(_Strict):
    """Stop following the wall."""

    type: Literal["wall_leave"]
    wall: WallName | None = None


class Drive(_Strict):
    """The console moved: every screen of the wall follows."""

    type: Literal["wall_view"]
    wall: WallName
    view: View


class Point(_Strict):
    """The console focuses something: the screens highlight it."""

    type: Literal["wall_focus"]
    wall: WallName
    focus: Focus


WallMessage = Annotated[Join | Leave | Drive | Point, Field(discriminator="type")]
_adapter: TypeAdapter[Join | Leave | Drive | Point] = TypeAdapter(WallMessage)


def _field(raw: object, error: ErrorDetails) -> str | None:
    """The message's own path to the invalid value, without the union's tag in front."""
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return "type"
    loc = list(error["loc"])
    # A discriminated union reports ("wall_view", "view", "center"): the tag is no field.
    if loc and isinstance(raw, dict) and loc[0] == raw.get("type"):
        loc = loc[1:]
    return ".".join(str(p) for p in loc) or None


def parse_message(raw: object) -> Join | Leave | Drive | Point:
    """A wall message from decoded JSON; errors name the field."""
    try:
        return _adapter.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field(raw, first)
        raise InvalidWallMessage(f"{field or 'message'}: {first['msg']}", field=field) from None
