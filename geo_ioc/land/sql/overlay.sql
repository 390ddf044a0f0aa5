-- The planning zones one parcel intersects and the overlapped area, in the province's VN-2000
-- zone; a zone wholly covering the parcel skips the intersection. One row even without zones.
SELECT ST_Area(ST_Transform(p.geom, %(srid)s)) AS parcel_m2,
       z.id AS zone_id, z.code, z.name_vi, z.name_en, z.plan_name, z.period_start, z.period_end,
       CASE WHEN z.id IS NULL THEN 0
            WHEN ST_Covers(z.geom, p.geom) THEN ST_Area(ST_Transform(p.geom, %(srid)s))
            ELSE ST_Area(ST_Transform(ST_Intersection(
                p.geom, ST_ClipByBox2D(z.geom, ST_Expand(p.geom::box2d, 1e-5))), %(srid)s))
       END AS m2
FROM land_parcel p
LEFT JOIN land_planningzone z ON z.geom && p.geom AND ST_Intersects(z.geom, p.geom)
WHERE p.id = %(id)s
ORDER BY m2 DESC, z.id
