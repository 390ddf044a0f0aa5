-- Keep reports_areaload's counts (open and overdue reports per area) in step with
-- reports_report, whatever writes it (the ORM, the overdue sweep, psql): a statement-level
-- trigger adds the new rows' contribution and takes away the old rows', per area, and updates
-- only the areas whose counts change, so the change feed of the choropleth layer fires exactly
-- when it has something new to draw.
CREATE OR REPLACE FUNCTION reports_area_load() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  rows_sql text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT area_code, status, overdue, 1 AS sign FROM reports_new'
    WHEN 'DELETE' THEN 'SELECT area_code, status, overdue, -1 AS sign FROM reports_old'
    ELSE 'SELECT area_code, status, overdue, 1 AS sign FROM reports_new UNION ALL '
         'SELECT area_code, status, overdue, -1 AS sign FROM reports_old' END;
BEGIN
  EXECUTE format($q$
    UPDATE reports_areaload a SET open = a.open + d.open, overdue = a.overdue + d.overdue
    FROM (
      SELECT area_code,
             sum(sign) FILTER (WHERE status IN ('received', 'routed', 'accepted', 'in_progress'))
               AS open,
             sum(sign) FILTER (WHERE overdue) AS overdue
      FROM (%s) r GROUP BY area_code
    ) d0 CROSS JOIN LATERAL (SELECT coalesce(d0.open, 0) AS open,
                                    coalesce(d0.overdue, 0) AS overdue) d
    WHERE a.code = d0.area_code AND (d.open <> 0 OR d.overdue <> 0)
  $q$, rows_sql);
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS reports_area_load_ins ON reports_report;
CREATE TRIGGER reports_area_load_ins AFTER INSERT ON reports_report
  REFERENCING NEW TABLE AS reports_new FOR EACH STATEMENT EXECUTE FUNCTION reports_area_load();
DROP TRIGGER IF EXISTS reports_area_load_upd ON reports_report;
CREATE TRIGGER reports_area_load_upd AFTER UPDATE ON reports_report
  REFERENCING OLD TABLE AS reports_old NEW TABLE AS reports_new
  FOR EACH STATEMENT EXECUTE FUNCTION reports_area_load();
DROP TRIGGER IF EXISTS reports_area_load_del ON reports_report;
CREATE TRIGGER reports_area_load_del AFTER DELETE ON reports_report
  REFERENCING OLD TABLE AS reports_old FOR EACH STATEMENT EXECUTE FUNCTION reports_area_load();
