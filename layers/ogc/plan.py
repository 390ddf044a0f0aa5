"""Plan a read of one layer for one user: fields, WHERE and ORDER BY, shared by items and exports.

Everything the user names is checked against the fields this user may see, so a restricted
field can neither be selected, filtered nor sorted on: it does not exist for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from psycopg import sql

from geo_ioc.core.errors import InvalidParameter, NotFound
from layers.access import User, entry_fields, entry_of
from layers.catalogue import Entry
from layers.definitions import FieldDef, FieldType
from layers.models import Layer
from layers.ogc import cql2
from layers.ogc.bind import Bindings
from layers.ogc.compile import CAST, KIND_OF, Queryables, parse_and_compile
from layers.ogc.crs import input_geometry
from layers.ogc.errors import InvalidFilter, NoTimeField
from layers.ogc.params import BBox, FilterParams, Interval
from layers.sources import LayerSource, SqlRelation

TIME_TYPES = {FieldType.DATETIME, FieldType.DATE}


@dataclass(frozen=True)
class Plan:
    """A read of one layer: relation, output fields, condition and order, with its bindings."""

    layer: Layer
    source: LayerSource
    relation: SqlRelation
    fields: Sequence[FieldDef]
    queryables: Queryables
    where: sql.Composable
    order: sql.Composable
    bind: Bindings


def time_field(fields: Sequence[FieldDef]) -> FieldDef | None:
    """The field `datetime` filters on: the first date or datetime field of the layer."""
    return next((f for f in fields if f.type in TIME_TYPES), None)


def feature_source(entry: Entry) -> LayerSource:
    """The entry's source when it has features to read (404 for one that only draws tiles)."""
    source = entry.source
    if not source.supports_features:
        raise NotFound(f"Layer {entry.slug!r} has no features to list.", field="layer")
    return source


def queryables_for(user: User, layer: Layer | Entry) -> Queryables:
    """The names this user may filter on."""
    entry = layer if isinstance(layer, Entry) else entry_of(layer)
    rel = feature_source(entry).relation()
    return Queryables(entry_fields(user, entry), rel.id_column, rel.geom_column)


def bbox_condition(geom: sql.Composable, bbox: BBox, bind: Bindings) -> sql.Composable:
    """`ST_Intersects` with the box, brought to EPSG:4326 (densified first when projected)."""
    parts = []
    for minx, miny, maxx, maxy in bbox.boxes_xy():
        env: sql.Composable = sql.SQL("ST_MakeEnvelope({}, {}, {}, {})").format(
            *(bind.add(v, "double precision") for v in (minx, miny, maxx, maxy))
        )
        if bbox.crs.srid != 4326:
            # A projected rectangle is curved in longitude/latitude: densify before transforming.
            step = max(maxx - minx, maxy - miny) / 32
            env = sql.SQL("ST_Segmentize({}, {})").format(env, bind.add(step, "double precision"))
        env = input_geometry(env, bbox.crs, authority_axes=False)
        parts.append(sql.SQL("ST_Intersects({}, {})").format(geom, env))
    return sql.SQL("({})").format(sql.SQL(" OR ").join(parts))


def datetime_condition(
    column: sql.Composable, ftype: FieldType, interval: Interval, bind: Bindings
) -> sql.Composable:
    """Instant: equality; interval: inclusive ends (a whole day excludes the next midnight)."""
    cast = "date" if ftype is FieldType.DATE else "timestamptz"

    def value(v: datetime) -> sql.Composable:
        return bind.add(v.date() if cast == "date" else v, cast)

    if interval.exact and interval.start is not None:
        return sql.SQL("({} = {})").format(column, value(interval.start))
    parts: list[sql.Composable] = []
    if interval.start is not None:
        parts.append(sql.SQL("{} >= {}").format(column, value(interval.start)))
    if interval.end is not None:
        op = sql.SQL("<" if interval.end_exclusive else "<=")
        parts.append(sql.SQL("{} {} {}").format(column, op, value(interval.end)))
    return sql.SQL("({})").format(sql.SQL(" AND ").join(parts))


def _coerce_raw(raw: str, f: FieldDef, name: str) -> str | int | float | bool | date | datetime:
    """A property filter's text as the field's type."""
    kind = KIND_OF[f.type]
    try:
        if kind == "number":
            return int(raw) if f.type is FieldType.INTEGER else float(raw)
        if kind == "boolean":
            low = raw.strip().lower()
            if low not in {"true", "false"}:
                raise ValueError(raw)
            return low == "true"
        if kind == "timestamp":
            return datetime.fromisoformat(raw.replace("z", "Z"))
        if kind == "date":
            return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(
            f"{name}={raw!r} does not fit the property's type ({f.type.value}).", field=name
        ) from None
    return raw


def equality_condition(f: FieldDef, raw: str, bind: Bindings) -> sql.Composable:
    """`property=value` from the query string."""
    value = _coerce_raw(raw, f, f.name)
    return sql.SQL("({} = {})").format(
        sql.Identifier(f.name), bind.add(value, CAST[KIND_OF[f.type]])
    )


def plan_read(
    user: User,
    layer: Layer | Entry,
    filters: FilterParams,
    *,
    properties: Sequence[str] | None = None,
    sortby: Sequence[tuple[str, bool]] = (),
    bind: Bindings | None = None,
) -> Plan:
    """Check every name against what the user may see, and compose the read."""
    bind = bind or Bindings()
    entry = layer if isinstance(layer, Entry) else entry_of(layer)
    source = feature_source(entry)
    rel = source.relation()
    fields = entry_fields(user, entry)
    slug = entry.slug
    q = Queryables(fields, rel.id_column, rel.geom_column)
    geom = sql.Identifier(rel.geom_column)
    where: list[sql.Composable] = []
    if filters.bbox is not None:
        where.append(bbox_condition(geom, filters.bbox, bind))
    if filters.datetime is not None:
        tf = time_field(fields)
        if tf is None:
            raise NoTimeField(
                f"Collection {slug!r} has no time field; datetime does not apply.",
                field="datetime",
            )
        where.append(datetime_condition(sql.Identifier(tf.name), tf.type, filters.datetime, bind))
    for name, raw in filters.equals:
        f = q.by_name.get(name)
        if f is None:
            known = ", ".join(q.by_name)
            raise InvalidParameter(
                f"Unknown parameter or property {name!r}; properties of {slug!r}: {known}.",
                field=name,
            )
        where.append(equality_condition(f, raw, bind))
    if filters.filter is not None:
        try:
            where.append(
                parse_and_compile(filters.filter, q, bind, filters.filter_crs, filters.filter_lang)
            )
        except cql2.CqlError as exc:
            raise InvalidFilter(exc) from None
    out_fields = list(fields)
    if properties is not None:
        unknown = [n for n in properties if n not in q.by_name]
        if unknown:
            raise InvalidParameter(
                f"Unknown properties {', '.join(map(repr, unknown))}; "
                f"properties of {slug!r}: {', '.join(q.by_name)}.",
                field="properties",
            )
        out_fields = [q.by_name[n] for n in dict.fromkeys(properties)]
    order: list[sql.Composable] = []
    for name, descending in sortby:
        resolved = q.resolve(name)
        if resolved is None or resolved[1] == "geometry":
            raise InvalidParameter(
                f"Cannot sort by {name!r}; sortable: id, {', '.join(q.by_name)}.", field="sortby"
            )
        direction = sql.SQL(" DESC NULLS LAST" if descending else " ASC NULLS LAST")
        order.append(sql.SQL("{}{}").format(resolved[0], direction))
    order.append(sql.Identifier(rel.id_column))  # a stable order, so pages never overlap
    return Plan(
        layer=entry.layer,
        source=source,
        relation=rel,
        fields=out_fields,
        queryables=q,
        where=sql.SQL(" AND ").join(where) if where else sql.SQL("TRUE"),
        order=sql.SQL(", ").join(order),
        bind=bind,
    )
