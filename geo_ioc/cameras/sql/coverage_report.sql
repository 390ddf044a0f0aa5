-- Per commune (admin units of level 3): road length, the part no camera's field of view covers,
-- and the places (schools, markets, junctions) outside every field of view. Lengths on the
-- spheroid (geography). With %(working)s, offline cameras and those in maintenance see nothing.
-- Junctions: points where three or more road ends meet (snapped to ~0.5 m), one at least of
-- a through road (motorway to tertiary).
WITH cover AS (
    SELECT ST_Union(fov) AS g FROM cameras_camera
    WHERE fov IS NOT NULL
      AND (NOT %(working)s OR status NOT IN ('offline', 'maintenance'))
),
communes AS (
    SELECT u.code, u.name, u.{units_geom} AS geom FROM {units} u WHERE u.level = 3
),
road AS (
    SELECT c.code, ST_Intersection(r.{roads_geom}, c.geom) AS g
    FROM communes c JOIN {roads} r
      ON r.{roads_geom} && c.geom AND ST_Intersects(r.{roads_geom}, c.geom)
),
lengths AS (
    SELECT road.code,
           sum(ST_Length(road.g::geography)) AS road_m,
           sum(CASE WHEN cover.g IS NULL OR NOT ST_Intersects(road.g, cover.g)
                    THEN ST_Length(road.g::geography)
                    ELSE ST_Length(ST_Difference(road.g, cover.g)::geography) END) AS uncovered_m
    FROM road CROSS JOIN cover
    GROUP BY road.code
),
ends AS (
    SELECT ST_SnapToGrid(e.pt, 0.000005) AS pt, r.highway
    FROM {roads} r
    CROSS JOIN LATERAL (VALUES (ST_StartPoint(r.{roads_geom})), (ST_EndPoint(r.{roads_geom}))) e(pt)
),
junctions AS (
    SELECT pt FROM ends GROUP BY pt
    HAVING count(*) >= 3
       AND bool_or(highway IN ('motorway', 'trunk', 'primary', 'secondary', 'tertiary'))
),
places AS (
    SELECT 'school' AS kind, p.name::text AS name, p.{schools_geom} AS geom FROM {schools} p
    UNION ALL
    SELECT 'market', p.name::text, p.{markets_geom} FROM {markets} p
    UNION ALL
    SELECT 'junction', NULL, pt FROM junctions
),
placed AS (
    SELECT c.code, p.kind, p.name, p.geom,
           (cover.g IS NOT NULL AND ST_Intersects(p.geom, cover.g)) AS seen
    FROM places p CROSS JOIN cover JOIN communes c ON ST_Intersects(p.geom, c.geom)
)
SELECT c.code, c.name,
       coalesce(l.road_m, 0) AS road_m, coalesce(l.uncovered_m, 0) AS uncovered_m,
       coalesce((SELECT jsonb_object_agg(kind, jsonb_build_object('total', total, 'uncovered', unseen))
                 FROM (SELECT kind, count(*) AS total, count(*) FILTER (WHERE NOT seen) AS unseen
                       FROM placed WHERE placed.code = c.code GROUP BY kind) k), '{{}}'::jsonb) AS places,
       coalesce((SELECT jsonb_agg(jsonb_build_object('kind', kind, 'name', name,
                        'lon', round(ST_X(geom)::numeric, 6), 'lat', round(ST_Y(geom)::numeric, 6))
                        ORDER BY kind, name)
                 FROM placed WHERE placed.code = c.code AND NOT seen), '[]'::jsonb) AS unseen
FROM communes c LEFT JOIN lengths l ON l.code = c.code
ORDER BY uncovered_m DESC, c.code
