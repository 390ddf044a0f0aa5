"""The CQL2 tree: what `layers.ogc.cql2` parses filter text into, and its error type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal as TypingLiteral


class CqlError(ValueError):
    """A filter that is not valid CQL2-text; `position` is 1-based."""

    def __init__(self, message: str, position: int, text: str) -> None:
        self.message = message
        self.position = position
        self.text = text
        super().__init__(f"{message} at position {position}")

    def pointer(self) -> str:
        """The filter with a caret under the failing position (for messages)."""
        start = max(0, self.position - 1 - 30)
        snippet = self.text[start : self.position - 1 + 30]
        return f"{snippet}\n{' ' * (self.position - 1 - start)}^"


# --- the tree ----------------------------------------------------------------------------


LiteralKind = TypingLiteral["string", "number", "boolean", "date", "timestamp"]


@dataclass(frozen=True)
class Property:
    """A property (queryable) name."""

    name: str
    pos: int


@dataclass(frozen=True)
class Literal:
    """A scalar value: string, number, boolean, date or timestamp."""

    value: str | int | float | bool | date | datetime
    kind: LiteralKind
    pos: int


@dataclass(frozen=True)
class Casei:
    """`CASEI(x)`: compare case-insensitively."""

    arg: Property | Literal
    pos: int


@dataclass(frozen=True)
class GeometryLiteral:
    """A WKT geometry (or a `BBOX` as a polygon), in the filter CRS's axis order."""

    wkt: str
    pos: int


Expr = Property | Literal | Casei | GeometryLiteral


@dataclass(frozen=True)
class Comparison:
    """`a <op> b` with op one of = <> < > <= >=."""

    op: str
    left: Expr
    right: Expr
    pos: int


@dataclass(frozen=True)
class Like:
    """`a [NOT] LIKE 'pattern'` (`%` any text, `_` one character, backslash escapes)."""

    expr: Expr
    pattern: Expr
    negated: bool
    pos: int


@dataclass(frozen=True)
class Between:
    """`a [NOT] BETWEEN low AND high` (inclusive)."""

    expr: Expr
    low: Expr
    high: Expr
    negated: bool
    pos: int


@dataclass(frozen=True)
class InList:
    """`a [NOT] IN (v1, v2, …)`."""

    expr: Expr
    items: tuple[Expr, ...]
    negated: bool
    pos: int


@dataclass(frozen=True)
class IsNull:
    """`a IS [NOT] NULL`."""

    expr: Expr
    negated: bool
    pos: int


@dataclass(frozen=True)
class Spatial:
    """`S_<OP>(a, b)`: a spatial relation between two geometries."""

    op: str  # lower case: intersects, within, contains, …
    left: Expr
    right: Expr
    pos: int


@dataclass(frozen=True)
class DWithin:
    """`S_DWITHIN(a, b, distance[, units])`: within a distance, in metres on the ellipsoid."""

    left: Expr
    right: Expr
    metres: float
    pos: int


@dataclass(frozen=True)
class BoolConst:
    """`TRUE` or `FALSE` as a whole predicate."""

    value: bool
    pos: int


@dataclass(frozen=True)
class And:
    """All of the parts."""

    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Or:
    """Any of the parts."""

    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not:
    """The negation of a predicate."""

    item: Predicate
    pos: int


Predicate = (
    Comparison | Like | Between | InList | IsNull | Spatial | DWithin | BoolConst | And | Or | Not
)
