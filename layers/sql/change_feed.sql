-- The change feed: every committed write to a layer's table leaves one change in the event log
-- (core_event) per transaction and table, whatever wrote it (the ORM, raw SQL, an import, psql).
-- It is written in the writer's transaction, so nothing is published that was not persisted,
-- and it takes its place in commit order at COMMIT (geo_ioc/core/live/sql/sequencer.sql).
-- A second statement of the same transaction on the same table joins the first one's change.
--
-- A session may name who writes with `SET geo_ioc.actor = '…'` (services name the actor in
-- their own messages instead).
--
-- Trigger arguments: 0 = geometry column, 1 = its SRID, 2 = feature id column.
CREATE OR REPLACE FUNCTION geo_ioc_layer_changed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  rel text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
  geom_expr text := CASE WHEN TG_ARGV[1]::int = 3857 THEN quote_ident(TG_ARGV[0])
                         ELSE format('ST_Transform(%I, 3857)', TG_ARGV[0]) END;
  rows_sql text := CASE TG_OP
                     WHEN 'INSERT' THEN 'SELECT * FROM geo_ioc_new'
                     WHEN 'DELETE' THEN 'SELECT * FROM geo_ioc_old'
                     ELSE 'SELECT * FROM geo_ioc_new UNION ALL SELECT * FROM geo_ioc_old' END;
  n bigint;
  ids text[];
  shapes geometry;
  old_shapes jsonb;
  existing bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s) r', rows_sql) INTO n;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  -- Small statements keep the exact geometries (old and new); big ones keep each row's
  -- envelope, which bounds the same tiles at a fraction of the size.
  EXECUTE format(
    'SELECT %s, %s FROM (%s) r',
    CASE WHEN n <= 10000 THEN format('array_agg(DISTINCT %I::text)', TG_ARGV[2]) ELSE 'NULL' END,
    CASE WHEN n <= 2000 THEN format('ST_Collect(%s)', geom_expr)
         ELSE format('ST_Collect(ST_Envelope(%s))', geom_expr) END,
    rows_sql) INTO ids, shapes;
  -- Where an updated feature was before (geofence rules tell "entered" from "was inside").
  IF TG_OP = 'UPDATE' AND n <= 200 THEN
    EXECUTE format(
      'SELECT jsonb_object_agg(%I::text, encode(ST_AsEWKB(%I), ''hex'')) FROM geo_ioc_old',
      TG_ARGV[2], TG_ARGV[0]) INTO old_shapes;
  END IF;
  SELECT id INTO existing FROM core_event
  WHERE xid = pg_current_xact_id() AND seq IS NULL AND relation = rel AND layer = ''
  LIMIT 1;
  IF existing IS NULL THEN
    INSERT INTO core_event (relation, layer, operation, row_count, feature_ids, geom, before,
                            actor, data, created_at)
    VALUES (rel, '', lower(TG_OP), n, ids, shapes, old_shapes,
            coalesce(current_setting('geo_ioc.actor', true), ''), '{}', now());
  ELSE
    -- The first statement names the operation (an insert then an update is still an insert);
    -- the earliest old position of a feature wins.
    UPDATE core_event SET
      row_count = row_count + n,
      feature_ids = CASE WHEN feature_ids IS NULL OR ids IS NULL THEN NULL
                         ELSE ARRAY(SELECT DISTINCT unnest(feature_ids || ids)) END,
      geom = CASE WHEN geom IS NULL OR shapes IS NULL THEN NULL ELSE ST_Collect(geom, shapes) END,
      before = CASE WHEN old_shapes IS NULL THEN before
                    ELSE old_shapes || coalesce(before, '{}') END
    WHERE id = existing;
  END IF;
  RETURN NULL;
END
$fn$;

-- TRUNCATE has no rows to show: the whole relation changed (geom NULL).
CREATE OR REPLACE FUNCTION geo_ioc_layer_truncated() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO core_event (relation, layer, operation, row_count, actor, data, created_at)
  VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, '', 'truncate', 0,
          coalesce(current_setting('geo_ioc.actor', true), ''), '{}', now());
  RETURN NULL;
END
$fn$;

-- A catalogue entry whose tile-relevant parts change: all of that layer's tiles are stale.
CREATE OR REPLACE FUNCTION geo_ioc_catalogue_changed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  slug text := CASE WHEN TG_OP = 'DELETE' THEN OLD.slug ELSE NEW.slug END;
BEGIN
  INSERT INTO core_event (relation, layer, operation, row_count, feature_ids, actor, data,
                          created_at)
  VALUES ('catalogue', '', lower(TG_OP), 1, ARRAY[slug],
          coalesce(current_setting('geo_ioc.actor', true), ''), '{}', now());
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS geo_ioc_catalogue_changes ON layers_layer;
CREATE TRIGGER geo_ioc_catalogue_changes
  AFTER INSERT OR DELETE ON layers_layer
  FOR EACH ROW EXECUTE FUNCTION geo_ioc_catalogue_changed();

-- Counts and extents are refreshed after every write: they do not make tiles stale.
DROP TRIGGER IF EXISTS geo_ioc_catalogue_updates ON layers_layer;
CREATE TRIGGER geo_ioc_catalogue_updates
  AFTER UPDATE ON layers_layer
  FOR EACH ROW
  WHEN ((OLD.source, OLD.fields, OLD.min_zoom, OLD.max_zoom, OLD.access_level, OLD.generalize,
         OLD.depends_on, OLD.geometry_type)
        IS DISTINCT FROM
        (NEW.source, NEW.fields, NEW.min_zoom, NEW.max_zoom, NEW.access_level, NEW.generalize,
         NEW.depends_on, NEW.geometry_type))
  EXECUTE FUNCTION geo_ioc_catalogue_changed();
