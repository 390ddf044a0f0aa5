-- The administrative unit at a point: the deepest level first (wards and communes before
-- districts). {levels} is empty or "AND level::int = ANY(%(levels)s)".
SELECT code::text, name::text, level::int
FROM {relation}
WHERE ST_Intersects({geom}, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)) {levels}
ORDER BY level::int DESC, code
LIMIT 1
