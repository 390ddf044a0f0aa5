-- Totals per land-use code of all parcels intersecting an area (whole parcels, not clipped).
SELECT p.land_use, count(*) AS parcels, sum(p.area_m2) AS area_m2,
       sum(p.legal_area_m2) AS legal_area_m2
FROM land_parcel p
WHERE ST_Intersects(p.geom, ST_GeomFromEWKT(%(area)s))
GROUP BY p.land_use
ORDER BY sum(p.area_m2) DESC NULLS LAST, p.land_use
