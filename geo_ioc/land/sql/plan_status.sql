-- Planned use (the zone covering most of the parcel) and conflict with the plan, per parcel.
-- Overlaps are measured in the province's VN-2000 zone %(srid)s. Zones drive the join, so
-- PostGIS reuses each zone's prepared geometry for all its parcels; a parcel wholly inside a
-- zone skips the intersection, and the others intersect only the zone's part near them.
-- (current, planned) pairs that agree come from geo_ioc.land.codes.
WITH agree AS (
    SELECT * FROM unnest(%(current)s::text[], %(planned)s::text[]) AS t(current_use, planned_use)
),
overlap AS MATERIALIZED (
    SELECT p.id, z.code,
           CASE WHEN ST_Covers(z.geom, p.geom) THEN p.area_m2
                ELSE ST_Area(ST_Transform(ST_Intersection(
                    p.geom, ST_ClipByBox2D(z.geom, ST_Expand(p.geom::box2d, 1e-5))), %(srid)s))
           END AS m2,
           EXISTS (SELECT 1 FROM agree a
                   WHERE a.current_use = p.land_use AND a.planned_use = z.code) AS agrees
    FROM land_planningzone z
    CROSS JOIN LATERAL (
        SELECT id, land_use, geom, area_m2 FROM land_parcel
        WHERE geom && z.geom AND ST_Intersects(z.geom, geom)
          AND (%(ward)s::text IS NULL OR ward_code = %(ward)s::text)
    ) p
),
status AS (
    SELECT t.id,
           coalesce((array_agg(o.code ORDER BY o.m2 DESC) FILTER (WHERE o.m2 > 0))[1], '')
               AS planned,
           coalesce(sum(o.m2) FILTER (WHERE NOT o.agrees), 0) / nullif(t.area_m2, 0) AS bad
    FROM land_parcel t LEFT JOIN overlap o ON o.id = t.id
    WHERE %(ward)s::text IS NULL OR t.ward_code = %(ward)s::text
    GROUP BY t.id, t.area_m2
)
UPDATE land_parcel p
SET planned_use = s.planned,
    conflict_share = coalesce(s.bad, 0),
    plan_conflict = coalesce(s.bad, 0) >= %(min_share)s
FROM status s
WHERE s.id = p.id
  AND (p.planned_use, p.conflict_share, p.plan_conflict)
      IS DISTINCT FROM (s.planned, coalesce(s.bad, 0), coalesce(s.bad, 0) >= %(min_share)s);
