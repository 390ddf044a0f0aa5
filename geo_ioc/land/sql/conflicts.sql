-- Parcels of a ward whose current use conflicts with the plan (kept by plan_status.sql).
SELECT p.id, p.ward_code, p.sheet, p.number, p.land_use, p.land_use_vi, p.land_use_en,
       p.planned_use, p.conflict_share, p.area_m2, p.legal_area_m2, p.address, p.synthetic,
       p.plan_conflict, ST_X(ST_PointOnSurface(p.geom)) AS lon,
       ST_Y(ST_PointOnSurface(p.geom)) AS lat, ST_AsGeoJSON(p.geom, 7) AS geometry
FROM land_parcel p
WHERE p.ward_code = %(ward)s AND p.plan_conflict
ORDER BY p.sheet, p.number
