-- Today's units and the units of history, as the catalogue layers read them.
CREATE OR REPLACE VIEW socioeconomic_current_unit AS
SELECT u.id, u.code, u.name_vi, u.name_en, u.kind, u.level, p.code AS parent_code,
       u.valid_from, u.geom_source, u.synthetic, u.area_km2, u.geom, u.geom_3857
FROM socioeconomic_adminunit u LEFT JOIN socioeconomic_adminunit p ON p.id = u.parent_id
WHERE u.valid_to IS NULL;

CREATE OR REPLACE VIEW socioeconomic_historic_unit AS
SELECT u.id, u.code, u.name_vi, u.name_en, u.kind, u.level, p.code AS parent_code,
       u.valid_from, u.valid_to, u.geom_source, u.synthetic, u.area_km2, u.geom, u.geom_3857
FROM socioeconomic_adminunit u LEFT JOIN socioeconomic_adminunit p ON p.id = u.parent_id
WHERE u.valid_to IS NOT NULL;
