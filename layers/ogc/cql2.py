"""A CQL2-text parser: filter text in, a typed tree out (OGC 21-065, the parts we serve).

Supported: comparisons (`= <> < > <= >=`), `AND`/`OR`/`NOT`, `[NOT] LIKE`, `[NOT] BETWEEN`,
`[NOT] IN (…)`, `IS [NOT] NULL`, `CASEI(…)`, `TRUE`/`FALSE`, `DATE('…')` and `TIMESTAMP('…')`
literals, and the spatial predicates `S_INTERSECTS`, `S_WITHIN`, `S_CONTAINS`, `S_DISJOINT`,
`S_EQUALS`, `S_TOUCHES`, `S_OVERLAPS`, `S_CROSSES` and `S_DWITHIN(a, b, distance[, units])`
with WKT geometries or `BBOX(…)`. Nothing here touches SQL: `layers.ogc.compile` turns the
tree into parameterised SQL after checking property names against the catalogue.

Every error carries the 1-based character position where the text went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal as TypingLiteral

from layers.ogc.cql2_tree import (
    And,
    Between,
    BoolConst,
    Casei,
    Comparison,
    CqlError,
    DWithin,
    Expr,
    GeometryLiteral,
    InList,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    Predicate,
    Property,
    Spatial,
)

__all__ = [
    "And",
    "Between",
    "BoolConst",
    "Casei",
    "Comparison",
    "CqlError",
    "DWithin",
    "Expr",
    "GeometryLiteral",
    "InList",
    "IsNull",
    "Like",
    "Literal",
    "Not",
    "Or",
    "Predicate",
    "Property",
    "Spatial",
    "parse",
    "tokenize",
]

# --- the lexer -----------------------------------------------------------------------------

TokenKind = TypingLiteral["ident", "quoted", "string", "number", "op", "punct", "end"]


@dataclass(frozen=True)
class Token:
    """One lexical unit; `pos` is 1-based, `end` the 0-based index after it."""

    kind: TokenKind
    text: str
    pos: int
    end: int


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*")
_OPS = ("<=", ">=", "<>", "!=", "=", "<", ">")
MAX_LENGTH = 20_000


def tokenize(text: str) -> list[Token]:
    """Split filter text into tokens."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'":
            value, end = _read_string(text, i)
            tokens.append(Token("string", value, i + 1, end))
            i = end
            continue
        if ch == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise CqlError('Unterminated quoted property name (missing ")', i + 1, text)
            name = text[i + 1 : close]
            if not name:
                raise CqlError("Empty quoted property name", i + 1, text)
            tokens.append(Token("quoted", name, i + 1, close + 1))
            i = close + 1
            continue
        if ch in "(),":
            tokens.append(Token("punct", ch, i + 1, i + 1))
            i += 1
            continue
        op = next((o for o in _OPS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", op, i + 1, i + len(op)))
            i += len(op)
            continue
        match = _NUMBER.match(text, i)
        if match:
            tokens.append(Token("number", match.group(0), i + 1, match.end()))
            i = match.end()
            continue
        match = _IDENT.match(text, i)
        if match:
            tokens.append(Token("ident", match.group(0), i + 1, match.end()))
            i = match.end()
            continue
        raise CqlError(f"Unexpected character {ch!r}", i + 1, text)
    tokens.append(Token("end", "", n + 1, n))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """A single-quoted literal from `start`; a doubled or backslashed quote is a quote."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "'":
            if text.startswith("''", i):
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == "'":
            out.append("'")
            i += 2
            continue
        out.append(ch)
        i += 1
    raise CqlError("Unterminated string literal (missing ')", start + 1, text)


# --- the parser ----------------------------------------------------------------------------

_COMPARISON = {"=", "<>", "!=", "<", ">", "<=", ">="}
SPATIAL_OPS = {
    "S_INTERSECTS": "intersects",
    "S_WITHIN": "within",
    "S_CONTAINS": "contains",
    "S_DISJOINT": "disjoint",
    "S_EQUALS": "equals",
    "S_TOUCHES": "touches",
    "S_OVERLAPS": "overlaps",
    "S_CROSSES": "crosses",
}
_WKT_TYPES = {
    "POINT",
    "LINESTRING",
    "POLYGON",
    "MULTIPOINT",
    "MULTILINESTRING",
    "MULTIPOLYGON",
    "GEOMETRYCOLLECTION",
}
_UNITS = {"m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0, "km": 1000.0}
_UNITS |= {"kilometer": 1000.0, "kilometers": 1000.0, "kilometre": 1000.0, "kilometres": 1000.0}
_RESERVED = {"AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    # token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def is_kw(self, word: str, tok: Token | None = None) -> bool:
        tok = tok or self.tok
        return tok.kind == "ident" and tok.text.upper() == word

    def error(self, message: str, tok: Token | None = None) -> CqlError:
        tok = tok or self.tok
        found = "the end of the filter" if tok.kind == "end" else repr(tok.text)
        return CqlError(f"{message}, found {found}", tok.pos, self.text)

    def expect_punct(self, ch: str) -> Token:
        if self.tok.kind != "punct" or self.tok.text != ch:
            raise self.error(f"Expected {ch!r}")
        return self.advance()

    def expect_kw(self, word: str) -> Token:
        if not self.is_kw(word):
            raise self.error(f"Expected {word}")
        return self.advance()

    # grammar
    def parse(self) -> Predicate:
        if self.tok.kind == "end":
            raise CqlError("The filter is empty", 1, self.text)
        tree = self.or_expr()
        if self.tok.kind != "end":
            raise self.error("Expected AND, OR or the end of the filter")
        return tree

    def or_expr(self) -> Predicate:
        items = [self.and_expr()]
        while self.is_kw("OR"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Predicate:
        items = [self.not_expr()]
        while self.is_kw("AND"):
            self.advance()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Predicate:
        if self.is_kw("NOT"):
            tok = self.advance()
            return Not(self.not_expr(), tok.pos)
        return self.primary()

    def primary(self) -> Predicate:
        tok = self.tok
        if tok.kind == "punct" and tok.text == "(" and self._paren_is_predicate():
            self.advance()
            inner = self.or_expr()
            self.expect_punct(")")
            return inner
        if tok.kind == "ident":
            word = tok.text.upper()
            if word in SPATIAL_OPS or word == "S_DWITHIN":
                return self.spatial()
            if word in {"TRUE", "FALSE"} and not self._starts_comparison(self.peek()):
                self.advance()
                return BoolConst(word == "TRUE", tok.pos)
        return self.predicate()

    def _paren_is_predicate(self) -> bool:
        """Whether `(` opens a nested predicate (not a parenthesised scalar)."""
        depth = 0
        for j in range(self.i, len(self.tokens)):
            t = self.tokens[j]
            if t.kind == "punct" and t.text == "(":
                depth += 1
            elif t.kind == "punct" and t.text == ")":
                depth -= 1
                if depth == 0:
                    return False  # closed without a comparison inside: a scalar in parentheses
            elif t.kind in {"op", "end"} or self._is_predicate_word(t):
                return True
        return True

    def _is_predicate_word(self, t: Token) -> bool:
        return t.kind == "ident" and (
            t.text.upper() in {"AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS"}
            or t.text.upper() in SPATIAL_OPS
            or t.text.upper() == "S_DWITHIN"
        )

    @staticmethod
    def _starts_comparison(t: Token) -> bool:
        return t.kind == "op" or (
            t.kind == "ident" and t.text.upper() in {"LIKE", "BETWEEN", "IN", "IS", "NOT"}
        )

    def predicate(self) -> Predicate:
        start = self.tok
        left = self.scalar()
        negated = False
        if self.is_kw("NOT") and (
            self.is_kw("LIKE", self.peek())
            or self.is_kw("BETWEEN", self.peek())
            or self.is_kw("IN", self.peek())
        ):
            self.advance()
            negated = True
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARISON and not negated:
            self.advance()
            right = self.scalar()
            op = "<>" if tok.text == "!=" else tok.text
            return Comparison(op, left, right, tok.pos)
        if self.is_kw("LIKE"):
            self.advance()
            return Like(left, self.scalar(), negated, tok.pos)
        if self.is_kw("BETWEEN"):
            self.advance()
            low = self.scalar()
            self.expect_kw("AND")
            high = self.scalar()
            return Between(left, low, high, negated, tok.pos)
        if self.is_kw("IN"):
            self.advance()
            self.expect_punct("(")
            items = [self.scalar()]
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.advance()
                items.append(self.scalar())
            self.expect_punct(")")
            return InList(left, tuple(items), negated, tok.pos)
        if self.is_kw("IS") and not negated:
            self.advance()
            is_not = False
            if self.is_kw("NOT"):
                self.advance()
                is_not = True
            self.expect_kw("NULL")
            return IsNull(left, is_not, tok.pos)
        if tok.kind == "end" and start is tok:
            raise self.error("Expected a predicate")
        raise self.error("Expected a comparison (=, <>, <, >, <=, >=, LIKE, BETWEEN, IN, IS NULL)")

    def spatial(self) -> Predicate:
        tok = self.advance()
        word = tok.text.upper()
        self.expect_punct("(")
        left = self.geometry_operand()
        self.expect_punct(",")
        right = self.geometry_operand()
        if word == "S_DWITHIN":
            self.expect_punct(",")
            dist_tok = self.tok
            distance = self.scalar()
            if not isinstance(distance, Literal) or distance.kind != "number":
                raise CqlError("S_DWITHIN needs a distance in metres", dist_tok.pos, self.text)
            factor = 1.0
            if self.tok.kind == "punct" and self.tok.text == ",":
                self.advance()
                unit_tok = self.advance()
                unit = unit_tok.text.lower()
                if unit_tok.kind not in {"ident", "string"} or unit not in _UNITS:
                    raise CqlError(
                        f"Unknown distance unit {unit_tok.text!r}; use meters or kilometers",
                        unit_tok.pos,
                        self.text,
                    )
                factor = _UNITS[unit]
            self.expect_punct(")")
            assert isinstance(distance.value, int | float)
            metres = float(distance.value) * factor
            if metres < 0:
                raise CqlError("S_DWITHIN distance must not be negative", dist_tok.pos, self.text)
            return DWithin(left, right, metres, tok.pos)
        self.expect_punct(")")
        return Spatial(SPATIAL_OPS[word], left, right, tok.pos)

    def geometry_operand(self) -> Expr:
        tok = self.tok
        if tok.kind == "ident" and tok.text.upper() in _WKT_TYPES:
            return self.wkt()
        if tok.kind == "ident" and tok.text.upper() == "BBOX":
            return self.bbox()
        if tok.kind in {"ident", "quoted"}:
            return self.scalar()
        raise self.error("Expected a geometry property, a WKT geometry or BBOX(…)")

    def wkt(self) -> GeometryLiteral:
        start = self.advance()
        if self.tok.kind == "ident" and self.tok.text.upper() in {"Z", "M", "ZM"}:
            self.advance()
        if self.is_kw("EMPTY"):
            end = self.advance()
            return _geometry(self.text[start.pos - 1 : end.end], start.pos, self.text)
        if not (self.tok.kind == "punct" and self.tok.text == "("):
            raise self.error(f"Expected '(' after {start.text}")
        depth = 0
        while True:
            t = self.advance()
            if t.kind == "punct" and t.text == "(":
                depth += 1
            elif t.kind == "punct" and t.text == ")":
                depth -= 1
                if depth == 0:
                    return _geometry(self.text[start.pos - 1 : t.end], start.pos, self.text)
            elif t.kind == "end":
                raise CqlError(f"Unclosed {start.text} geometry", start.pos, self.text)
            elif t.kind not in {"number", "punct"} and not (
                t.kind == "ident" and t.text.upper() in _WKT_TYPES | {"EMPTY", "Z", "M", "ZM"}
            ):
                raise CqlError(f"Unexpected {t.text!r} in a WKT geometry", t.pos, self.text)

    def bbox(self) -> GeometryLiteral:
        start = self.advance()
        self.expect_punct("(")
        values: list[float] = []
        while True:
            t = self.tok
            if t.kind != "number":
                raise self.error("Expected a number in BBOX")
            values.append(float(self.advance().text))
            if self.tok.kind == "punct" and self.tok.text == ",":
                self.advance()
                continue
            break
        self.expect_punct(")")
        if len(values) == 6:
            values = [values[0], values[1], values[3], values[4]]
        if len(values) != 4:
            raise CqlError("BBOX takes 4 (or 6) numbers", start.pos, self.text)
        x1, y1, x2, y2 = values
        if x1 > x2 or y1 > y2:
            raise CqlError("BBOX minimum above maximum", start.pos, self.text)
        ring = f"{x1} {y1}, {x2} {y1}, {x2} {y2}, {x1} {y2}, {x1} {y1}"
        return GeometryLiteral(f"POLYGON(({ring}))", start.pos)

    def scalar(self) -> Expr:
        tok = self.tok
        if tok.kind == "string":
            self.advance()
            return Literal(tok.text, "string", tok.pos)
        if tok.kind == "number":
            self.advance()
            text = tok.text
            value: int | float = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
            return Literal(value, "number", tok.pos)
        if tok.kind == "quoted":
            self.advance()
            return Property(tok.text, tok.pos)
        if tok.kind == "punct" and tok.text == "(":
            self.advance()
            inner = self.scalar()
            self.expect_punct(")")
            return inner
        if tok.kind == "ident":
            word = tok.text.upper()
            if word in {"TRUE", "FALSE"}:
                self.advance()
                return Literal(word == "TRUE", "boolean", tok.pos)
            if word in {"DATE", "TIMESTAMP"} and self._next_is("("):
                return self.instant(word)
            if word == "CASEI" and self._next_is("("):
                self.advance()
                self.expect_punct("(")
                arg = self.scalar()
                self.expect_punct(")")
                if not isinstance(arg, Property | Literal):
                    raise CqlError("CASEI takes a property or a string", tok.pos, self.text)
                return Casei(arg, tok.pos)
            if word in _WKT_TYPES or word == "BBOX":
                return self.geometry_operand()
            if self._next_is("("):
                raise CqlError(f"Unknown function {tok.text!r}", tok.pos, self.text)
            if word in _RESERVED:
                raise self.error("Expected a property name or a value")
            self.advance()
            return Property(tok.text, tok.pos)
        raise self.error("Expected a property name or a value")

    def _next_is(self, ch: str) -> bool:
        nxt = self.peek()
        return nxt.kind == "punct" and nxt.text == ch

    def instant(self, word: str) -> Literal:
        tok = self.advance()
        self.expect_punct("(")
        arg = self.tok
        if arg.kind != "string":
            raise self.error(f"{word} takes a quoted value")
        self.advance()
        self.expect_punct(")")
        try:
            if word == "DATE":
                return Literal(date.fromisoformat(arg.text), "date", tok.pos)
            stamp = datetime.fromisoformat(arg.text.replace("z", "Z"))
        except ValueError:
            raise CqlError(f"{arg.text!r} is not a valid {word}", arg.pos, self.text) from None
        if stamp.tzinfo is None:
            raise CqlError(f"TIMESTAMP {arg.text!r} needs a time zone (e.g. Z)", arg.pos, self.text)
        return Literal(stamp, "timestamp", tok.pos)


def _geometry(wkt: str, pos: int, text: str) -> GeometryLiteral:
    """Check WKT with shapely (GEOS) so PostGIS never sees a malformed geometry."""
    import shapely

    try:
        geom = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as exc:
        reason = str(exc).split(":", 1)[-1].strip()
        raise CqlError(f"Invalid WKT geometry ({reason})", pos, text) from None
    if geom is None:
        raise CqlError("Invalid WKT geometry", pos, text)
    return GeometryLiteral(shapely.to_wkt(geom, rounding_precision=-1), pos)


def parse(text: str) -> Predicate:
    """Parse CQL2-text into a predicate tree; raises `CqlError` with the position."""
    if len(text) > MAX_LENGTH:
        raise CqlError(f"The filter is longer than {MAX_LENGTH} characters", MAX_LENGTH, text)
    return _Parser(text).parse()
