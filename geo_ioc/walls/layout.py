"""Wall layouts as validated data: rows × columns of screens and the view on each.

The layouts live in a YAML file named by `settings.GEO_IOC_WALLS_FILE` (by default the demo's,
`fixtures/demo/walls.yaml`; a deployment points it at its own) and are read directly rather than
loaded into a model: a wall is fixed hardware described once by whoever installs it, kept under
version control next to the rest of the city's configuration, and a typo must fail loudly naming the
wall and the key (the schema forbids unknown keys) instead of half-working from a database row
edited by hand. Only what changes at run time — the view a console drives the wall to — is stored
(`WallState`). The file is re-read when it changes, so editing it needs no restart.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geo_ioc.core import domains
from geo_ioc.walls.errors import UnknownScreen, UnknownWall


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    """A name in Vietnamese and English."""

    vi: str
    en: str


@dataclass(frozen=True)
class ScreenKind:
    """A kind of wall view an app contributes; on a map kind, `layers` and `follow` apply.

    `keys` are the view keys of `ViewSpec` that only this kind reads (refused on the others);
    `check` refuses a view of the kind with a ValueError naming what is wrong; `complete` gives
    the values a checked view takes beyond what the file says (the map layers it always draws,
    its defaults), so that the screen reads them from the view.
    """

    name: str
    has_map: bool
    keys: frozenset[str] = field(default_factory=frozenset)
    check: Callable[[ViewSpec], None] | None = None
    complete: Callable[[ViewSpec], dict[str, Any]] | None = None


# Wall-screen kinds, contributed by the apps' `domain` modules (`map` is the walls' own).
SCREEN_KINDS: domains.Kind[ScreenKind] = domains.Kind("wall_screen_kinds", ScreenKind)


def screen_kinds() -> dict[str, ScreenKind]:
    """The screen kinds of the installed apps, by name."""
    return {k.name: k for k in domains.contributions(SCREEN_KINDS)}


class Follow(StrEnum):
    """Whether a map view follows the console that drives the wall."""

    CONSOLE = "console"
    NONE = "none"


class Bezel(_Strict):
    """Pixels hidden by the frames between two screens, horizontally and vertically."""

    x: int = Field(default=0, ge=0, le=500)
    y: int = Field(default=0, ge=0, le=500)


class ViewSpec(_Strict):
    """One view on a rectangle of screens."""

    kind: str
    title: Title
    screens: list[int] = Field(min_length=1)
    center: tuple[float, float] | None = None
    zoom: float | None = Field(default=None, ge=0, le=22)
    follow: Follow = Follow.NONE
    zoom_offset: float = Field(default=0.0, ge=-10, le=10)
    layers: list[str] | None = None
    # The `indicators` kind's keys (geo_ioc.socioeconomic): the indicator mapped, its period
    # (YYYYMM; by default the latest with data), the province's headline indicators beside the
    # map and how often the figures are read again.
    indicator: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,58}$")
    period: str | None = Field(default=None, pattern=r"^(19|20)\d\d(0[1-9]|1[0-2])$")
    headline: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,58}$")]] | None = Field(
        default=None, min_length=1, max_length=8
    )
    refresh_seconds: int | None = Field(default=None, ge=30, le=86400)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        known = screen_kinds()
        if value not in known:
            names = ", ".join(repr(k) for k in known)
            raise ValueError(f"Input should be one of the screen kinds {names}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(set(self.screens)) != len(self.screens):
            raise ValueError(f"screens {self.screens} name a screen twice")
        if self.center is not None:
            lon, lat = self.center
            if not (-180 <= lon <= 180 and -85 <= lat <= 85):
                raise ValueError(f"center {list(self.center)} is not [lon, lat] in degrees")
        if not screen_kinds()[self.kind].has_map and (
            self.layers or self.follow is not Follow.NONE
        ):
            raise ValueError(f"a {self.kind} view has no map: layers and follow do not apply")
        kind = screen_kinds()[self.kind]
        for key in KIND_KEYS - kind.keys:
            if getattr(self, key) is not None:
                raise ValueError(f"{key} does not apply to a {self.kind} view")
        if kind.check is not None:
            kind.check(self)
        if kind.complete is not None:
            # A frozen model: the kind's values are set once, here, after validation.
            for key, value in kind.complete(self).items():
                object.__setattr__(self, key, value)
        return self


# The view keys that belong to one kind or another (`ScreenKind.keys`).
KIND_KEYS = frozenset({"indicator", "period", "headline", "refresh_seconds"})


class WallSpec(_Strict):
    """A wall: its grid of screens and the views on them."""

    title: Title
    rows: int = Field(ge=1, le=12)
    columns: int = Field(ge=1, le=12)
    bezel: Bezel = Bezel()
    views: list[ViewSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        count = self.rows * self.columns
        taken: dict[int, int] = {}
        for index, view in enumerate(self.views):
            for screen in view.screens:
                if not 1 <= screen <= count:
                    raise ValueError(
                        f"view {index + 1}: screen {screen} is not on a {self.rows} × "
                        f"{self.columns} wall (screens 1–{count})"
                    )
                if screen in taken:
                    raise ValueError(
                        f"screen {screen} is in views {taken[screen] + 1} and {index + 1}"
                    )
                taken[screen] = index
            cells = {divmod(s - 1, self.columns) for s in view.screens}
            rows = {r for r, _ in cells}
            cols = {c for _, c in cells}
            full = {
                (r, c)
                for r in range(min(rows), max(rows) + 1)
                for c in range(min(cols), max(cols) + 1)
            }
            if cells != full:
                raise ValueError(f"view {index + 1}: screens {view.screens} are not a rectangle")
        return self


class WallsFile(_Strict):
    """The whole file: walls by name."""

    walls: dict[str, WallSpec]

    # A field validator, not a model one, so that the error's location is `walls`, not empty.
    @field_validator("walls")
    @classmethod
    def _names(cls, walls: dict[str, WallSpec]) -> dict[str, WallSpec]:
        for name in walls:
            if not name.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"wall name {name!r}: use letters, digits, - and _")
        return walls


class Span(BaseModel):
    """Where a screen sits in its view: its column and row in the view's rectangle."""

    column: int
    row: int
    columns: int
    rows: int


class ScreenInfo(BaseModel):
    """Everything one screen's page needs."""

    wall: str
    title: Title
    screen: int
    row: int
    column: int
    rows: int
    columns: int
    bezel: Bezel
    view: ViewSpec | None
    span: Span | None


def default_path() -> Path:
    """The walls file (settings.GEO_IOC_WALLS_FILE; its default is the demo city's)."""
    return Path(settings.GEO_IOC_WALLS_FILE)


def parse(text: str, origin: str = "walls.yaml") -> WallsFile:
    """Validate the YAML text of a walls file; errors name the file, the wall and the key."""
    raw: Any = yaml.safe_load(text) or {}
    try:
        return WallsFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{origin}: {where}: {first['msg']}") from None


_lock = threading.Lock()
_cache: dict[Path, tuple[float, WallsFile]] = {}


def load(path: Path | None = None) -> WallsFile:
    """The walls file, re-read when its modification time changes."""
    path = path or default_path()
    mtime = path.stat().st_mtime if path.exists() else math.nan
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
    walls = parse(path.read_text("utf-8"), str(path)) if path.exists() else WallsFile(walls={})
    with _lock:
        _cache[path] = (mtime, walls)
    return walls


def get_wall(name: str) -> WallSpec:
    """A wall by name; 404 naming the walls there are."""
    walls = load().walls
    if name not in walls:
        known = ", ".join(sorted(walls)) or "none"
        raise UnknownWall(f"No wall {name!r}; walls: {known}.", field="wall")
    return walls[name]


def screen_info(name: str, screen: int) -> ScreenInfo:
    """The view on one screen of a wall, and where the screen sits in that view."""
    wall = get_wall(name)
    count = wall.rows * wall.columns
    if not 1 <= screen <= count:
        raise UnknownScreen(
            f"Wall {name!r} has screens 1 to {count}; there is no screen {screen}.",
            field="screen",
        )
    row, column = divmod(screen - 1, wall.columns)
    view = next((v for v in wall.views if screen in v.screens), None)
    span = None
    if view is not None:
        cells = [divmod(s - 1, wall.columns) for s in view.screens]
        top = min(r for r, _ in cells)
        left = min(c for _, c in cells)
        span = Span(
            column=column - left,
            row=row - top,
            columns=max(c for _, c in cells) - left + 1,
            rows=max(r for r, _ in cells) - top + 1,
        )
    return ScreenInfo(
        wall=name,
        title=wall.title,
        screen=screen,
        row=row + 1,
        column=column + 1,
        rows=wall.rows,
        columns=wall.columns,
        bezel=wall.bezel,
        view=view,
        span=span,
    )


def layout(name: str) -> dict[str, Any]:
    """A wall as JSON: its grid, its views and, per screen, the view and the place in it."""
    wall = get_wall(name)
    screens = []
    for n in range(1, wall.rows * wall.columns + 1):
        info = screen_info(name, n)
        view_index = wall.views.index(info.view) if info.view is not None else None
        screens.append(
            {
                "screen": n,
                "row": info.row,
                "column": info.column,
                "view": view_index,
                "span": info.span.model_dump() if info.span else None,
                "url": f"/wall/{name}?screen={n}",
            }
        )
    return {
        "name": name,
        **wall.model_dump(mode="json"),
        "screens": screens,
    }
