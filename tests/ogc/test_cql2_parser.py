"""The CQL2-text parser on its own: every operator becomes the right tree, errors say where."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from layers.ogc import cql2
from layers.ogc.cql2 import CqlError, parse


def test_comparisons_and_logic() -> None:
    tree = parse("name = 'Yersin' AND (lanes > 2 OR NOT maxspeed <= 40)")
    assert isinstance(tree, cql2.And)
    first, second = tree.items
    assert first == cql2.Comparison(
        "=", cql2.Property("name", 1), cql2.Literal("Yersin", "string", 8), 6
    )
    assert isinstance(second, cql2.Or)
    assert isinstance(second.items[1], cql2.Not)
    for op in ("=", "<>", "<", ">", "<=", ">="):
        node = parse(f"lanes {op} 2")
        assert isinstance(node, cql2.Comparison) and node.op == op
    assert parse("lanes != 2") == parse("lanes <> 2")


def test_precedence_and_binds_tighter_than_or() -> None:
    tree = parse("a = 1 OR b = 2 AND c = 3")
    assert isinstance(tree, cql2.Or)
    assert isinstance(tree.items[1], cql2.And)


def test_like_between_in_is_null() -> None:
    like = parse("name NOT LIKE 'Hồ%'")
    assert isinstance(like, cql2.Like) and like.negated
    assert like.pattern == cql2.Literal("Hồ%", "string", 15)
    between = parse("lanes BETWEEN 2 AND 4")
    assert isinstance(between, cql2.Between) and not between.negated
    inl = parse("highway IN ('primary', 'secondary')")
    assert isinstance(inl, cql2.InList) and len(inl.items) == 2
    notin = parse("highway NOT IN ('primary')")
    assert isinstance(notin, cql2.InList) and notin.negated
    assert parse("ref IS NULL") == cql2.IsNull(cql2.Property("ref", 1), False, 5)
    assert isinstance(parse("ref IS NOT NULL"), cql2.IsNull)
    casei = parse("CASEI(name) = CASEI('yersin')")
    assert isinstance(casei, cql2.Comparison) and isinstance(casei.left, cql2.Casei)


def test_literals() -> None:
    node = parse("reported_at >= TIMESTAMP('2025-01-31T08:00:00Z') AND d = DATE('2025-01-31')")
    assert isinstance(node, cql2.And)
    ts, d = node.items
    assert isinstance(ts, cql2.Comparison) and isinstance(d, cql2.Comparison)
    assert ts.right == cql2.Literal(datetime(2025, 1, 31, 8, tzinfo=UTC), "timestamp", 16)
    assert isinstance(d.right, cql2.Literal) and d.right.value == date(2025, 1, 31)
    quoted = parse("name = 'It''s' AND \"weird name\" = -1.5e2 AND flag = TRUE")
    assert isinstance(quoted, cql2.And)
    assert quoted.items[0].right.value == "It's"  # type: ignore[union-attr]
    assert quoted.items[1].left == cql2.Property("weird name", 20)  # type: ignore[union-attr]
    assert quoted.items[1].right.value == -150.0  # type: ignore[union-attr]
    assert parse("TRUE") == cql2.BoolConst(True, 1)


def test_spatial_predicates() -> None:
    for name in ("S_INTERSECTS", "S_WITHIN", "S_CONTAINS", "S_DISJOINT", "S_TOUCHES"):
        node = parse(f"{name}(geometry, POINT(108.44 11.94))")
        assert isinstance(node, cql2.Spatial) and node.op == name[2:].lower()
        assert node.right == cql2.GeometryLiteral("POINT (108.44 11.94)", len(name) + 12)
    poly = parse("S_WITHIN(geometry, POLYGON((108 11, 109 11, 109 12, 108 12, 108 11)))")
    assert isinstance(poly, cql2.Spatial) and poly.right.wkt.startswith("POLYGON")  # type: ignore[union-attr]
    box = parse("s_intersects(geom, BBOX(108.4, 11.9, 108.5, 12.0))")
    assert isinstance(box, cql2.Spatial) and "108.5 12.0" in box.right.wkt  # type: ignore[union-attr]
    near = parse("S_DWITHIN(geometry, POINT(108.44 11.94), 1.5, kilometers)")
    assert isinstance(near, cql2.DWithin) and near.metres == 1500.0
    assert parse("S_DWITHIN(geometry, POINT(108.44 11.94), 300)").metres == 300.0  # type: ignore[union-attr]
    multi = parse("S_INTERSECTS(geometry, MULTIPOINT((1 2), (3 4)))")
    assert isinstance(multi, cql2.Spatial)


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("name = 'x", 8, "Unterminated string"),
        ("name = ", 8, "Expected a property name or a value"),
        ("name == 'x'", 7, "Expected a property name or a value"),
        ("name = 'x'; DROP TABLE roads", 11, "Unexpected character ';'"),
        ("a = 1 b = 2", 7, "Expected AND, OR"),
        ("(a = 1", 7, "Expected ')'"),
        ("lanes BETWEEN 1 4", 17, "Expected AND"),
        ("highway IN ('a' 'b')", 17, "Expected ')'"),
        ("ref IS NOTHING", 8, "Expected NULL"),
        ("S_INTERSECTS(geometry, POLYGON((1 2, 3 4)))", 24, "Invalid WKT"),
        ("S_INTERSECTS(geometry, POINT(1 x))", 32, "Unexpected 'x'"),
        ("S_DWITHIN(geometry, POINT(1 2), 10, parsecs)", 37, "Unknown distance unit"),
        ("pg_sleep(10) = 1", 1, "Unknown function"),
        ("reported_at > TIMESTAMP('yesterday')", 25, "not a valid TIMESTAMP"),
        ("", 1, "empty"),
        ("name = 'x' -- comment", 12, "Unexpected character '-'"),
        ("name = 'x' /* c */", 12, "Unexpected character '/'"),
    ],
)
def test_malformed_filters_say_where(text: str, position: int, words: str) -> None:
    with pytest.raises(CqlError) as info:
        parse(text)
    assert words in info.value.message
    assert info.value.position == position, info.value
    assert info.value.pointer().endswith("^")
