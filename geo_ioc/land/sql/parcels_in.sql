-- One page of the parcels intersecting an area (EWKT, EPSG:4326), in cadastral order.
SELECT p.id, p.ward_code, p.sheet, p.number, p.land_use, p.land_use_vi, p.land_use_en,
       p.legal_area_m2, p.area_m2, p.address, p.planned_use, p.plan_conflict, p.conflict_share,
       p.synthetic, ST_AsGeoJSON(p.geom, 7) AS geometry
FROM land_parcel p
WHERE ST_Intersects(p.geom, ST_GeomFromEWKT(%(area)s))
ORDER BY p.ward_code, p.sheet, p.number
LIMIT %(limit)s OFFSET %(offset)s
