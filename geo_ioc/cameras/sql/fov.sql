-- Fields of view of cameras (all when %(ids)s is null): the sector from the camera's position,
-- bearing, opening angle and range, less what buildings hide. Worked in the camera's UTM zone
-- (metres; bearings clockwise from north, so x = sin, y = cos). A building hides, behind each of
-- its edges, the quadrilateral from the edge to the edge pushed out along the camera's rays
-- (beyond the range): the union of those quadrilaterals is the building's exact shadow, concave
-- footprints included. The visible part is star-shaped from the camera, so one polygon: the
-- piece nearest the camera (ST_Difference may leave slivers). A building the camera stands in
-- (mounted on its wall) hides nothing.
WITH cam AS (
    SELECT c.id, c.heading_deg::float8 AS bearing, least(c.fov_deg, 359)::float8 AS fov,
           c.range_m, u.srid, ST_Transform(c.geom, u.srid) AS p, c.geom
    FROM cameras_camera c
    CROSS JOIN LATERAL (
        SELECT (CASE WHEN ST_Y(c.geom) >= 0 THEN 32600 ELSE 32700 END)
               + floor((ST_X(c.geom) + 180) / 6)::int + 1 AS srid
    ) u
    WHERE c.heading_deg IS NOT NULL AND c.range_m > 0 AND c.fov_deg > 0
      AND (%(ids)s::bigint[] IS NULL OR c.id = ANY(%(ids)s::bigint[]))
),
sector AS (
    SELECT cam.id, cam.srid, cam.p, cam.range_m, cam.geom,
           ST_MakePolygon(ST_MakeLine(
               ARRAY[cam.p] || array_agg(ST_SetSRID(ST_MakePoint(
                   ST_X(cam.p) + cam.range_m * sin(radians(a.deg)),
                   ST_Y(cam.p) + cam.range_m * cos(radians(a.deg))), cam.srid) ORDER BY a.i)
               || ARRAY[cam.p])) AS shape
    FROM cam
    CROSS JOIN LATERAL (
        SELECT i, cam.bearing - cam.fov / 2 + cam.fov * i / 32.0 AS deg
        FROM generate_series(0, 32) i
    ) a
    GROUP BY cam.id, cam.srid, cam.p, cam.range_m, cam.geom
),
shadow AS (
    SELECT s.id, ST_Union(ST_MakeValid(ST_MakePolygon(ST_MakeLine(ARRAY[
               a.pt, b.pt,
               ST_Translate(s.p, far * (ST_X(b.pt) - ST_X(s.p)) / greatest(ST_Distance(s.p, b.pt), 0.01),
                                 far * (ST_Y(b.pt) - ST_Y(s.p)) / greatest(ST_Distance(s.p, b.pt), 0.01)),
               ST_Translate(s.p, far * (ST_X(a.pt) - ST_X(s.p)) / greatest(ST_Distance(s.p, a.pt), 0.01),
                                 far * (ST_Y(a.pt) - ST_Y(s.p)) / greatest(ST_Distance(s.p, a.pt), 0.01)),
               a.pt])))) AS hidden
    FROM sector s
    CROSS JOIN LATERAL (SELECT s.range_m * 3 AS far) f
    JOIN {buildings} bld
      ON bld.{building_geom} && ST_Transform(ST_Envelope(s.shape), 4326)
     AND NOT ST_Intersects(bld.{building_geom}, s.geom)
    CROSS JOIN LATERAL ST_DumpSegments(ST_Transform(bld.{building_geom}, s.srid)) seg
    CROSS JOIN LATERAL (SELECT ST_StartPoint(seg.geom) AS pt) a
    CROSS JOIN LATERAL (SELECT ST_EndPoint(seg.geom) AS pt) b
    WHERE ST_Intersects(ST_Transform(bld.{building_geom}, s.srid), s.shape)
    GROUP BY s.id
),
visible AS (
    SELECT s.id, s.srid,
           CASE WHEN h.hidden IS NULL THEN s.shape
                ELSE ST_CollectionExtract(ST_MakeValid(ST_Difference(s.shape, h.hidden)), 3)
           END AS shape, s.p
    FROM sector s LEFT JOIN shadow h ON h.id = s.id
),
piece AS (
    SELECT DISTINCT ON (v.id) v.id, ST_Transform(d.geom, 4326) AS fov
    FROM visible v
    CROSS JOIN LATERAL ST_Dump(v.shape) d
    ORDER BY v.id, ST_Distance(d.geom, v.p), ST_Area(d.geom) DESC
)
UPDATE cameras_camera c
SET fov = piece.fov
FROM piece
WHERE piece.id = c.id AND c.fov IS DISTINCT FROM piece.fov
RETURNING c.id
