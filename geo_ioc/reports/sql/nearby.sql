-- Open reports of a category near a point ("is this yours?"), nearest first. The bounding box
-- (degrees, generous at this latitude) uses the GiST index of geom; the spheroid distance decides.
SELECT r.id, ST_Distance(r.geom::geography, p.g::geography) AS metres
FROM reports_report r,
     (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g) p
WHERE r.category_id = %(category)s
  AND r.status IN ('received', 'routed', 'accepted', 'in_progress')
  AND r.received_at >= %(since)s
  AND r.geom && ST_Expand(p.g, %(radius)s / 90000.0)
  AND ST_DWithin(r.geom::geography, p.g::geography, %(radius)s)
  AND r.id <> %(exclude)s
ORDER BY metres, r.id
LIMIT %(limit)s
