-- The change feed: every committed write to a layer's table leaves one row per statement in
-- layers_layerchange (in the writer's transaction, so nothing is published that was not
-- persisted) and a NOTIFY carrying its id. Tile caches read the rows; the payload stays small.
--
-- Trigger arguments: 0 = geometry column, 1 = its SRID, 2 = feature id column.
CREATE OR REPLACE FUNCTION geo_ioc_layer_changed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  geom_expr text := CASE WHEN TG_ARGV[1]::int = 3857 THEN quote_ident(TG_ARGV[0])
                         ELSE format('ST_Transform(%I, 3857)', TG_ARGV[0]) END;
  rows_sql text := CASE TG_OP
                     WHEN 'INSERT' THEN 'SELECT * FROM geo_ioc_new'
                     WHEN 'DELETE' THEN 'SELECT * FROM geo_ioc_old'
                     ELSE 'SELECT * FROM geo_ioc_new UNION ALL SELECT * FROM geo_ioc_old' END;
  n bigint;
  change_id bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s) r', rows_sql) INTO n;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  -- Small statements keep the exact geometries (old and new); big ones keep each row's
  -- envelope, which bounds the same tiles at a fraction of the size.
  EXECUTE format(
    'INSERT INTO layers_layerchange (relation, operation, row_count, feature_ids, geom, created)'
    ' SELECT %L, %L, %s, %s, %s, now() FROM (%s) r RETURNING id',
    TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, lower(TG_OP), n,
    CASE WHEN n <= 10000 THEN format('array_agg(DISTINCT %I::text)', TG_ARGV[2]) ELSE 'NULL' END,
    CASE WHEN n <= 2000 THEN format('ST_Collect(%s)', geom_expr)
         ELSE format('ST_Collect(ST_Envelope(%s))', geom_expr) END,
    rows_sql) INTO change_id;
  PERFORM pg_notify('geo_ioc_layer_changes', change_id::text);
  RETURN NULL;
END
$fn$;

-- TRUNCATE has no rows to show: the whole relation changed (geom NULL).
CREATE OR REPLACE FUNCTION geo_ioc_layer_truncated() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  change_id bigint;
BEGIN
  INSERT INTO layers_layerchange (relation, operation, row_count, created)
  VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, 'truncate', 0, now())
  RETURNING id INTO change_id;
  PERFORM pg_notify('geo_ioc_layer_changes', change_id::text);
  RETURN NULL;
END
$fn$;

-- A catalogue entry whose tile-relevant parts change: all of that layer's tiles are stale.
CREATE OR REPLACE FUNCTION geo_ioc_catalogue_changed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  change_id bigint;
  slug text := CASE WHEN TG_OP = 'DELETE' THEN OLD.slug ELSE NEW.slug END;
BEGIN
  INSERT INTO layers_layerchange (relation, operation, row_count, feature_ids, created)
  VALUES ('catalogue', lower(TG_OP), 1, ARRAY[slug], now())
  RETURNING id INTO change_id;
  PERFORM pg_notify('geo_ioc_layer_changes', change_id::text);
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
