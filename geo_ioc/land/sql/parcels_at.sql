-- Parcels containing a point or within a tolerance of it, nearest first (click-to-identify).
-- The && prefilter inside ST_DWithin uses the GiST index on geom; distances of the few
-- candidates are measured in the province's VN-2000 zone.
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g)
SELECT * FROM (
    SELECT p.id, p.ward_code, p.sheet, p.number, p.land_use, p.land_use_vi, p.land_use_en,
           p.legal_area_m2, p.area_m2, p.address, p.planned_use, p.plan_conflict,
           p.conflict_share, p.synthetic, ST_AsGeoJSON(p.geom, 7) AS geometry,
           CASE WHEN ST_Intersects(p.geom, pt.g) THEN 0.0
                ELSE ST_Distance(ST_Transform(p.geom, %(srid)s), ST_Transform(pt.g, %(srid)s))
           END AS distance_m
    FROM land_parcel p, pt
    WHERE ST_DWithin(p.geom, pt.g, %(deg)s)
) c
WHERE distance_m <= %(tol)s
ORDER BY distance_m, id
LIMIT 20
