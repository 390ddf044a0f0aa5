-- The choropleth: every area of the routing layer at the routing level with its open and
-- overdue reports (areas without any report count 0).
SELECT a.code::text, a.name::text, ST_AsGeoJSON({geom}, 6)::json,
       count(r.id) FILTER (WHERE r.status IN ('received', 'routed', 'accepted', 'in_progress')),
       count(r.id) FILTER (WHERE r.overdue)
FROM {relation} a
LEFT JOIN reports_report r ON r.area_code = a.code::text
WHERE a.level::int = %(level)s
GROUP BY a.code, a.name, {geom}
ORDER BY a.code
