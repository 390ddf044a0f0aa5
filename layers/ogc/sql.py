"""Builders of the features SQL: pure functions of a plan, names as identifiers, values bound."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg import sql

from layers.ogc.crs import Crs, output_geometry
from layers.sources.relation import SqlRelation

if TYPE_CHECKING:  # the plan imports the sources, which build their SQL here
    from layers.ogc.plan import Plan

# json_build_object takes at most 100 arguments: properties go in chunks of 50 pairs.
_PAIRS_PER_CALL = 50


def properties_json(plan: Plan) -> sql.Composable:
    """A JSON object of the plan's fields, keys in catalogue order."""
    if not plan.fields:
        return sql.SQL("'{}'::json")
    chunks = [
        plan.fields[i : i + _PAIRS_PER_CALL] for i in range(0, len(plan.fields), _PAIRS_PER_CALL)
    ]
    calls = [
        sql.SQL("json_build_object({})").format(
            sql.SQL(", ").join(
                sql.SQL("{}, {}").format(sql.Literal(f.name), sql.Identifier(f.name)) for f in chunk
            )
        )
        for chunk in chunks
    ]
    if len(calls) == 1:
        return calls[0]
    return sql.SQL("({})::json").format(
        sql.SQL(" || ").join(sql.SQL("{}::jsonb").format(c) for c in calls)
    )


def feature_json(plan: Plan, crs: Crs) -> sql.Composable:
    """One GeoJSON Feature per row, as text, built by PostGIS (coordinates in `crs` axis order).

    ST_AsGeoJSON option 0: no legacy `crs` member; the CRS travels in `Content-Crs`.
    """
    rel = plan.relation
    geom = output_geometry(sql.Identifier(rel.geom_column), crs, authority_axes=True)
    return sql.SQL(
        "json_build_object('type', 'Feature', 'id', {id},"
        " 'geometry', ST_AsGeoJSON({geom}, {dec}, 0)::json, 'properties', {props})::text"
    ).format(
        id=sql.Identifier(rel.id_column),
        geom=geom,
        dec=sql.Literal(crs.decimals),
        props=properties_json(plan),
    )


def select_features(plan: Plan, crs: Crs, limit: int, offset: int) -> sql.Composed:
    """A page of features in the plan's order."""
    return sql.SQL(
        "SELECT {f} FROM {rel} WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    ).format(
        f=feature_json(plan, crs),
        rel=plan.relation.relation,
        where=plan.where,
        order=plan.order,
        limit=plan.bind.add(limit, "bigint"),
        offset=plan.bind.add(offset, "bigint"),
    )


def count_features(plan: Plan) -> sql.Composed:
    """How many features the plan matches."""
    return sql.SQL("SELECT count(*) FROM {rel} WHERE {where}").format(
        rel=plan.relation.relation, where=plan.where
    )


def select_feature(plan: Plan, crs: Crs, fid: int) -> sql.Composed:
    """One feature by id."""
    return sql.SQL("SELECT {f} FROM {rel} WHERE {id} = {fid} AND {where}").format(
        f=feature_json(plan, crs),
        rel=plan.relation.relation,
        id=sql.Identifier(plan.relation.id_column),
        fid=plan.bind.add(fid, "bigint"),
        where=plan.where,
    )


def time_extent(rel: SqlRelation, column: str) -> sql.Composed:
    """Earliest and latest value of the time field."""
    return sql.SQL("SELECT min({c}), max({c}) FROM {rel}").format(
        c=sql.Identifier(column), rel=rel.relation
    )


def chunk_sql(plan: Plan, crs: Crs) -> sql.Composed:
    """One keyset page for exports: rows after `%(after)s` by id, geometry as WKB (x = east)."""
    rel = plan.relation
    ident = sql.Identifier(rel.id_column)
    geom = output_geometry(sql.Identifier(rel.geom_column), crs, authority_axes=False)
    cols = sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(f.name)) for f in plan.fields)
    return sql.SQL(
        "SELECT {id}{cols}, ST_AsBinary({geom}) FROM {rel}"
        " WHERE {where} AND {id} > %(after)s ORDER BY {id} LIMIT %(chunk)s"
    ).format(id=ident, cols=cols, geom=geom, rel=rel.relation, where=plan.where)
