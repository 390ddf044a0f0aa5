"""Compile a CQL2 tree into a parameterised SQL condition (psycopg.sql).

Property names are looked up in the layer's queryables (the fields this user may see, the id
and the geometry) and become `sql.Identifier`s of catalogue names only; every value becomes a
bound parameter with an explicit cast chosen from the property's catalogue type. A value whose
type does not fit its property is refused here, with its position, before any SQL runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal as TypingLiteral

from psycopg import sql

from layers.definitions import FieldDef, FieldType
from layers.ogc import cql2
from layers.ogc.bind import Bindings
from layers.ogc.cql2_json import parse_json
from layers.ogc.crs import CRS84, Crs, input_geometry

Kind = TypingLiteral["string", "number", "boolean", "date", "timestamp", "geometry"]

KIND_OF: dict[FieldType, Kind] = {
    FieldType.STRING: "string",
    FieldType.INTEGER: "number",
    FieldType.NUMBER: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATETIME: "timestamp",
    FieldType.DATE: "date",
}
CAST: dict[str, str] = {
    "string": "text",
    "number": "numeric",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}
GEOMETRY_NAMES = ("geometry", "geom")
_SPATIAL_SQL = {
    "intersects": "ST_Intersects",
    "within": "ST_Within",
    "contains": "ST_Contains",
    "disjoint": "ST_Disjoint",
    "equals": "ST_Equals",
    "touches": "ST_Touches",
    "overlaps": "ST_Overlaps",
    "crosses": "ST_Crosses",
}
_KIND_WORDS = {
    "string": "text (compare it with a quoted 'value')",
    "number": "a number",
    "boolean": "a boolean (TRUE or FALSE)",
    "date": "a date (DATE('2025-01-31'))",
    "timestamp": "a timestamp (TIMESTAMP('2025-01-31T08:00:00Z'))",
    "geometry": "the geometry (use it in S_INTERSECTS and the other spatial functions)",
}


@dataclass(frozen=True)
class Queryables:
    """What a filter may name on one layer, for one user."""

    fields: Sequence[FieldDef]
    id_column: str
    geom_column: str
    by_name: dict[str, FieldDef] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def names(self) -> list[str]:
        """Every queryable name, for messages and the queryables document."""
        return ["id", *self.by_name, GEOMETRY_NAMES[0]]

    def resolve(self, name: str) -> tuple[sql.Composable, Kind] | None:
        """Column and kind of a queryable, or None when the name is unknown to this user."""
        if name in self.by_name:
            return sql.Identifier(name), KIND_OF[self.by_name[name].type]
        if name == "id":
            return sql.Identifier(self.id_column), "number"
        if name in GEOMETRY_NAMES or name == self.geom_column:
            return sql.Identifier(self.geom_column), "geometry"
        return None


class _Compiler:
    def __init__(self, text: str, q: Queryables, bind: Bindings, filter_crs: Crs) -> None:
        self.text = text
        self.q = q
        self.bind = bind
        self.crs = filter_crs

    def error(self, message: str, pos: int) -> cql2.CqlError:
        return cql2.CqlError(message, pos, self.text)

    # predicates
    def predicate(self, node: cql2.Predicate) -> sql.Composable:
        if isinstance(node, cql2.And | cql2.Or):
            joiner = sql.SQL(" AND " if isinstance(node, cql2.And) else " OR ")
            return sql.SQL("({})").format(joiner.join(self.predicate(p) for p in node.items))
        if isinstance(node, cql2.Not):
            return sql.SQL("(NOT {})").format(self.predicate(node.item))
        if isinstance(node, cql2.BoolConst):
            return sql.SQL("TRUE" if node.value else "FALSE")
        if isinstance(node, cql2.Comparison):
            return self.comparison(node)
        if isinstance(node, cql2.Like):
            return self.like(node)
        if isinstance(node, cql2.Between):
            return self.between(node)
        if isinstance(node, cql2.InList):
            return self.in_list(node)
        if isinstance(node, cql2.IsNull):
            expr, _ = self.operand(node.expr, allow_geometry=True)
            return sql.SQL("({} IS {}NULL)").format(expr, sql.SQL("NOT " if node.negated else ""))
        if isinstance(node, cql2.Spatial):
            a, b = self.geometry(node.left), self.geometry(node.right)
            return sql.SQL("{}({}, {})").format(sql.SQL(_SPATIAL_SQL[node.op]), a, b)
        if isinstance(node, cql2.DWithin):
            a, b = self.geometry(node.left), self.geometry(node.right)
            # Metres on the ellipsoid whatever the CRS: geography distance.
            return sql.SQL("ST_DWithin({}::geography, {}::geography, {})").format(
                a, b, self.bind.add(node.metres, "double precision")
            )
        raise TypeError(f"unknown node {node!r}")  # pragma: no cover

    def comparison(self, node: cql2.Comparison) -> sql.Composable:
        left, right = node.left, node.right
        if isinstance(left, cql2.Literal) and not isinstance(right, cql2.Literal):
            left, right = right, left
            flip = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
            op = flip.get(node.op, node.op)
        else:
            op = node.op
        lhs, kind = self.operand(left)
        rhs = self.value(right, kind, left)
        if op in {"<", ">", "<=", ">="} and kind == "boolean":
            raise self.error("Booleans can only be compared with = or <>", node.pos)
        return sql.SQL("({} {} {})").format(lhs, sql.SQL(op), rhs)

    def like(self, node: cql2.Like) -> sql.Composable:
        lhs, kind = self.operand(node.expr)
        if kind != "string":
            raise self.error("LIKE needs a text property", node.pos)
        if not isinstance(node.pattern, cql2.Literal | cql2.Casei):
            raise self.error("LIKE needs a quoted pattern", node.pos)
        pattern = self.value(node.pattern, "string", node.expr)
        if isinstance(node.pattern, cql2.Casei) and not isinstance(node.expr, cql2.Casei):
            lhs = sql.SQL("lower({})").format(lhs)
        not_ = sql.SQL("NOT " if node.negated else "")
        return sql.SQL("({} {}LIKE {})").format(lhs, not_, pattern)

    def between(self, node: cql2.Between) -> sql.Composable:
        lhs, kind = self.operand(node.expr)
        if kind in {"boolean", "geometry"}:
            raise self.error("BETWEEN needs a number, text, date or timestamp", node.pos)
        low = self.value(node.low, kind, node.expr)
        high = self.value(node.high, kind, node.expr)
        not_ = sql.SQL("NOT " if node.negated else "")
        return sql.SQL("({} {}BETWEEN {} AND {})").format(lhs, not_, low, high)

    def in_list(self, node: cql2.InList) -> sql.Composable:
        lhs, kind = self.operand(node.expr)
        if kind == "geometry":
            raise self.error("IN does not apply to the geometry", node.pos)
        items = sql.SQL(", ").join(self.value(v, kind, node.expr) for v in node.items)
        not_ = sql.SQL("NOT " if node.negated else "")
        return sql.SQL("({} {}IN ({}))").format(lhs, not_, items)

    # operands
    def operand(
        self, expr: cql2.Expr, *, allow_geometry: bool = False
    ) -> tuple[sql.Composable, Kind]:
        """A property (or CASEI of one) as SQL with its kind; literals get their own kind."""
        if isinstance(expr, cql2.Property):
            resolved = self.q.resolve(expr.name)
            if resolved is None:
                known = ", ".join(self.q.names())
                raise self.error(f"Unknown property {expr.name!r}; queryables: {known}", expr.pos)
            column, kind = resolved
            if kind == "geometry" and not allow_geometry:
                raise self.error(
                    f"{expr.name!r} is {_KIND_WORDS['geometry']}, not a value", expr.pos
                )
            return column, kind
        if isinstance(expr, cql2.Casei):
            inner, kind = self.operand(expr.arg)
            if kind != "string":
                raise self.error("CASEI applies to text only", expr.pos)
            return sql.SQL("lower({})").format(inner), "string"
        if isinstance(expr, cql2.Literal):
            return self.literal(expr, expr.kind), expr.kind
        raise self.error("A geometry cannot be compared as a value", expr.pos)

    def value(self, expr: cql2.Expr, kind: Kind, against: cql2.Expr) -> sql.Composable:
        """The right-hand side of a comparison with something of `kind`."""
        if isinstance(expr, cql2.Literal):
            return self.literal(expr, kind, against)
        if isinstance(expr, cql2.Casei) and isinstance(expr.arg, cql2.Literal):
            return sql.SQL("lower({})").format(self.literal(expr.arg, "string", against))
        column, other = self.operand(expr)
        if other != kind:
            raise self.error(f"Cannot compare {_KIND_WORDS[kind]} with {other}", expr.pos)
        return column

    def literal(
        self, lit: cql2.Literal, kind: Kind, against: cql2.Expr | None = None
    ) -> sql.Composable:
        """Bind a literal as `kind`, refusing values that do not fit."""
        what = f"{against.name!r} is " if isinstance(against, cql2.Property) else "expected "
        if kind == "geometry":
            raise self.error("A geometry cannot be compared as a value", lit.pos)
        value = _coerce(lit, kind)
        if value is None:
            raise self.error(f"{what}{_KIND_WORDS[kind]}; got {lit.kind} {lit.value!r}", lit.pos)
        return self.bind.add(value, CAST[kind])

    def geometry(self, expr: cql2.Expr) -> sql.Composable:
        if isinstance(expr, cql2.GeometryLiteral):
            wkt = sql.SQL("ST_GeomFromText({})").format(self.bind.add(expr.wkt, "text"))
            return input_geometry(wkt, self.crs, authority_axes=True)
        if isinstance(expr, cql2.Property):
            column, kind = self.operand(expr, allow_geometry=True)
            if kind == "geometry":
                return column
            raise self.error(f"{expr.name!r} is not the geometry; use geometry", expr.pos)
        raise self.error("Expected a geometry property or a WKT geometry", expr.pos)


def _coerce(lit: cql2.Literal, kind: Kind) -> str | int | float | bool | date | datetime | None:
    """The literal's value as `kind`, or None when it does not fit."""
    value = lit.value
    if kind == lit.kind:
        return value
    if kind == "timestamp" and lit.kind in {"date", "string"}:
        try:
            stamp = datetime.fromisoformat(str(value))
        except ValueError:
            return None
        return stamp
    if kind == "date" and lit.kind == "string":
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None
    return None


def compile_filter(
    tree: cql2.Predicate,
    text: str,
    queryables: Queryables,
    bind: Bindings,
    filter_crs: Crs = CRS84,
) -> sql.Composable:
    """SQL condition for a parsed filter; raises `CqlError` for unknown names and bad values."""
    return _Compiler(text, queryables, bind, filter_crs).predicate(tree)


def parse_and_compile(
    text: str,
    queryables: Queryables,
    bind: Bindings,
    filter_crs: Crs = CRS84,
    lang: str = "cql2-text",
) -> sql.Composable:
    """Parse CQL2 text (or CQL2-JSON with `lang="cql2-json"`) and compile it in one step."""
    tree = parse_json(text) if lang == "cql2-json" else cql2.parse(text)
    return compile_filter(tree, text, queryables, bind, filter_crs)
