-- Crosswalk between units that ended on %(end)s and units that began the next day: the share
-- of each old unit's area inside each new one, measured in the province's VN-2000 TM-3 zone
-- (%(srid)s), so that shares are true areas and not degrees². Slivers under a thousandth (boundary
-- noise between independently drawn polygons) are dropped.
WITH old AS (
    SELECT id, ST_Transform(geom, %(srid)s) AS g FROM socioeconomic_adminunit
    WHERE valid_to = %(end)s AND level = ANY(%(levels)s)
), new AS (
    SELECT id, ST_Transform(geom, %(srid)s) AS g FROM socioeconomic_adminunit
    WHERE valid_from = %(end)s::date + 1 AND level = ANY(%(levels)s)
), pieces AS (
    SELECT old.id AS old_id, new.id AS new_id,
           ST_Area(ST_Intersection(old.g, new.g)) / NULLIF(ST_Area(old.g), 0) AS share
    FROM old JOIN new ON old.g && new.g AND ST_Intersects(old.g, new.g)
)
INSERT INTO socioeconomic_crosswalk (old_id, new_id, area_share, population_share, whole)
SELECT old_id, new_id, share, NULL, share > 0.999 FROM pieces WHERE share >= 0.001
ON CONFLICT (old_id, new_id) DO UPDATE
    SET area_share = EXCLUDED.area_share, whole = EXCLUDED.whole
