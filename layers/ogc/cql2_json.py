"""CQL2-JSON (OGC 21-065, JSON encoding) read into the same tree as CQL2 text.

One tree, one SQL compiler (`layers.ogc.compile`): a filter means the same whichever encoding
it came in. JSON has no character positions, so errors carry position 1 and name the place in
the document as a path (`args/1/args/0`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import shapely
import shapely.geometry

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

MAX_DEPTH = 100
_COMPARISON = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_SPATIAL = {
    "s_intersects": "intersects",
    "s_within": "within",
    "s_contains": "contains",
    "s_disjoint": "disjoint",
    "s_equals": "equals",
    "s_touches": "touches",
    "s_overlaps": "overlaps",
    "s_crosses": "crosses",
}
_UNITS = {"m": 1.0, "meters": 1.0, "metres": 1.0, "km": 1000.0, "kilometers": 1000.0}
_GEOJSON_TYPES = {
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, message: str, path: str) -> CqlError:
        return CqlError(f"{message} (at {path or 'the top'})", 1, self.text)

    def predicate(self, node: Any, path: str, depth: int = 0) -> Predicate:
        if depth > MAX_DEPTH:
            raise self.error(f"The filter nests deeper than {MAX_DEPTH} levels", path)
        if isinstance(node, bool):
            return BoolConst(node, 1)
        if not isinstance(node, dict) or "op" not in node:
            raise self.error('Expected a predicate {"op": …, "args": […]}', path)
        op = str(node["op"])
        args = node.get("args", [])
        if not isinstance(args, list):
            raise self.error('"args" must be an array', path)
        low = op.lower()

        def arg(i: int) -> str:
            return f"{path}/args/{i}".lstrip("/")

        def need(n: int) -> None:
            if len(args) != n:
                raise self.error(f"{op!r} takes {n} arguments, got {len(args)}", path)

        if low in {"and", "or"}:
            if len(args) < 2:
                raise self.error(f"{op!r} needs at least 2 arguments", path)
            parts = tuple(self.predicate(a, arg(i), depth + 1) for i, a in enumerate(args))
            return And(parts) if low == "and" else Or(parts)
        if low == "not":
            need(1)
            return Not(self.predicate(args[0], arg(0), depth + 1), 1)
        if op in _COMPARISON:
            need(2)
            return Comparison(
                _COMPARISON[op], self.expr(args[0], arg(0)), self.expr(args[1], arg(1)), 1
            )
        if low == "like":
            need(2)
            return Like(self.expr(args[0], arg(0)), self.expr(args[1], arg(1)), False, 1)
        if low == "between":
            need(3)
            e, lo, hi = (self.expr(a, arg(i)) for i, a in enumerate(args))
            return Between(e, lo, hi, False, 1)
        if low == "in":
            need(2)
            if not isinstance(args[1], list) or not args[1]:
                raise self.error("'in' needs a non-empty array of values", arg(1))
            items = tuple(self.expr(v, f"{arg(1)}/{i}") for i, v in enumerate(args[1]))
            return InList(self.expr(args[0], arg(0)), items, False, 1)
        if low == "isnull":
            need(1)
            return IsNull(self.expr(args[0], arg(0)), False, 1)
        if low in _SPATIAL:
            need(2)
            return Spatial(_SPATIAL[low], self.expr(args[0], arg(0)), self.expr(args[1], arg(1)), 1)
        if low == "s_dwithin":
            if len(args) not in {3, 4}:
                raise self.error("'s_dwithin' takes 3 or 4 arguments", path)
            distance = args[2]
            unit = str(args[3]).lower() if len(args) == 4 else "m"
            if isinstance(distance, bool) or not isinstance(distance, int | float):
                raise self.error("The distance must be a number", arg(2))
            if unit not in _UNITS:
                raise self.error(f"Unknown distance unit {unit!r}", arg(3))
            a, b = self.expr(args[0], arg(0)), self.expr(args[1], arg(1))
            return DWithin(a, b, float(distance) * _UNITS[unit], 1)
        raise self.error(f"Unknown or unsupported operator {op!r}", path)

    def expr(self, node: Any, path: str) -> Expr:
        if isinstance(node, bool):
            return Literal(node, "boolean", 1)
        if isinstance(node, int | float):
            return Literal(node, "number", 1)
        if isinstance(node, str):
            return Literal(node, "string", 1)
        if not isinstance(node, dict):
            raise self.error("Expected a property, a value or a geometry", path)
        if "property" in node:
            return Property(str(node["property"]), 1)
        if "date" in node:
            try:
                return Literal(date.fromisoformat(str(node["date"])), "date", 1)
            except ValueError:
                raise self.error(f"{node['date']!r} is not a valid date", path) from None
        if "timestamp" in node:
            try:
                stamp = datetime.fromisoformat(str(node["timestamp"]).replace("z", "Z"))
            except ValueError:
                raise self.error(f"{node['timestamp']!r} is not a valid timestamp", path) from None
            if stamp.tzinfo is None:
                raise self.error("A timestamp needs a time zone (e.g. Z)", path)
            return Literal(stamp, "timestamp", 1)
        if "bbox" in node:
            return self.bbox(node["bbox"], path)
        if node.get("type") in _GEOJSON_TYPES:
            return self.geometry(node, path)
        if str(node.get("op", "")).lower() == "casei":
            args = node.get("args")
            if not isinstance(args, list) or len(args) != 1:
                raise self.error("'casei' takes 1 argument", path)
            inner = self.expr(args[0], f"{path}/args/0")
            if not isinstance(inner, Property | Literal):
                raise self.error("'casei' applies to a property or a text value", path)
            return Casei(inner, 1)
        raise self.error("Expected a property, a value or a geometry", path)

    def bbox(self, values: Any, path: str) -> GeometryLiteral:
        if not isinstance(values, list) or len(values) not in {4, 6}:
            raise self.error("bbox needs 4 (or 6) numbers", path)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise self.error("bbox needs 4 (or 6) numbers", path)
        if len(values) == 6:
            values = [values[0], values[1], values[3], values[4]]
        return GeometryLiteral(shapely.box(*values).wkt, 1)

    def geometry(self, node: dict[str, Any], path: str) -> GeometryLiteral:
        try:
            geom = shapely.geometry.shape(node)
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
            raise self.error("Invalid GeoJSON geometry", path) from None
        return GeometryLiteral(shapely.to_wkt(geom, rounding_precision=-1), 1)


def parse_json(filter_: str | dict[str, Any] | bool) -> Predicate:
    """A CQL2-JSON filter (text or already decoded) as the CQL2 tree; raises `CqlError`."""
    if isinstance(filter_, str):
        text = filter_
        try:
            filter_ = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CqlError(f"Not valid JSON ({exc.msg})", exc.pos + 1, text) from None
        except RecursionError:
            raise CqlError(f"The filter nests deeper than {MAX_DEPTH} levels", 1, text) from None
    else:
        text = json.dumps(filter_, ensure_ascii=False)
    return _Reader(text).predicate(filter_, "")
