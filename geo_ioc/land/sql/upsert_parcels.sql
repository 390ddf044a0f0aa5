-- Upsert the staged parcels by their cadastral key; ids of kept keys do not change, and rows
-- that did not change are not rewritten. The area is measured in the province's VN-2000 zone.
-- With %(synthetic)s, generated parcels that are no longer generated are removed.
INSERT INTO land_parcel AS p (
    ward_code, sheet, number, land_use, land_use_vi, land_use_en, legal_area_m2, address,
    holder_name, certificate_no, synthetic, geom, area_m2, planned_use, plan_conflict,
    conflict_share
)
SELECT ward_code, sheet, number, land_use, land_use_vi, land_use_en, legal_area_m2, address,
       holder_name, certificate_no, synthetic, geom, ST_Area(ST_Transform(geom, %(srid)s)), '',
       false, 0
FROM _land_stage
ON CONFLICT (ward_code, sheet, number) DO UPDATE SET
    land_use = excluded.land_use,
    land_use_vi = excluded.land_use_vi,
    land_use_en = excluded.land_use_en,
    legal_area_m2 = excluded.legal_area_m2,
    address = excluded.address,
    holder_name = excluded.holder_name,
    certificate_no = excluded.certificate_no,
    synthetic = excluded.synthetic,
    geom = excluded.geom,
    area_m2 = excluded.area_m2
WHERE (p.land_use, p.legal_area_m2, p.address, p.holder_name, p.certificate_no, p.synthetic)
      IS DISTINCT FROM (excluded.land_use, excluded.legal_area_m2, excluded.address,
                        excluded.holder_name, excluded.certificate_no, excluded.synthetic)
   OR NOT ST_Equals(p.geom, excluded.geom) OR p.area_m2 IS DISTINCT FROM excluded.area_m2;

DELETE FROM land_parcel p
WHERE %(synthetic)s AND p.synthetic
  AND NOT EXISTS (
      SELECT 1 FROM _land_stage s
      WHERE s.ward_code = p.ward_code AND s.sheet = p.sheet AND s.number = p.number
  );
