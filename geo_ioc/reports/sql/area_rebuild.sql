-- Copy the areas of the routing level from the routing layer into reports_areaload, with the
-- counts of their reports as they are now; areas no longer there go, unchanged rows stay as
-- they are (the change feed then marks only what moved).
WITH areas AS (
  SELECT a.code::text AS code, a.name::text AS name,
         ST_Multi(ST_CollectionExtract(ST_MakeValid({geom}), 3))::geometry(MultiPolygon, 4326)
           AS geom
  FROM {relation} a
  WHERE a.level::int = %(level)s
), counted AS (
  SELECT x.code, x.name, x.geom,
         count(r.id) FILTER (WHERE r.status IN ('received', 'routed', 'accepted', 'in_progress'))
           AS open,
         count(r.id) FILTER (WHERE r.overdue) AS overdue
  FROM areas x LEFT JOIN reports_report r ON r.area_code = x.code
  GROUP BY x.code, x.name, x.geom
), gone AS (
  DELETE FROM reports_areaload l WHERE NOT EXISTS (SELECT 1 FROM areas x WHERE x.code = l.code)
)
INSERT INTO reports_areaload (code, name, open, overdue, geom, geom_3857)
SELECT code, name, open, overdue, geom, ST_Transform(geom, 3857) FROM counted
ON CONFLICT (code) DO UPDATE
  SET name = excluded.name, open = excluded.open, overdue = excluded.overdue,
      geom = excluded.geom, geom_3857 = excluded.geom_3857
  WHERE (reports_areaload.name, reports_areaload.open, reports_areaload.overdue)
        IS DISTINCT FROM (excluded.name, excluded.open, excluded.overdue)
     OR NOT ST_Equals(reports_areaload.geom, excluded.geom)
