-- 1,000,000 synthetic reports for the duplicate-lookup benchmark (bench database only):
-- random points over the wards' extent, random categories and statuses over 90 days.
INSERT INTO reports_report (code, category_id, status, source, description, address, geom,
  area_code, area_name, attributes, received_at, updated_at, overdue, answer, rejection, reason,
  synthetic)
SELECT 'BN-' || lpad(g::text, 8, '0'),
       (SELECT array_agg(id) FROM reports_category)[1 + (g %% %(categories)s)],
       (ARRAY['received','routed','accepted','in_progress','resolved','closed','rejected'])
         [1 + floor(random() * 7)::int],
       'web', 'bench', '',
       ST_SetSRID(ST_MakePoint(%(xmin)s + random() * (%(xmax)s - %(xmin)s),
                               %(ymin)s + random() * (%(ymax)s - %(ymin)s)), 4326),
       '', '', '{}'::jsonb, now() - random() * interval '90 days', now(), false, '', '', '', true
FROM generate_series(1, %(count)s) g
