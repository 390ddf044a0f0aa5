-- The event log in commit order.
--
-- A bigserial taken during a transaction is not commit order: a transaction that took 5 and
-- commits after the one that took 6 would be skipped for good by a reader that has passed 6.
-- So rows get their position (`seq`) at COMMIT instead: a deferred constraint trigger, the
-- last thing a transaction runs, takes one transaction-scoped advisory lock and numbers the
-- transaction's rows. The lock is released only after the commit is visible, so the next
-- transaction numbers its rows after it: positions are handed out in commit order, and when
-- seq N is visible every smaller seq that will ever exist is visible too. Writers queue only
-- for the instant of their commit, never for their whole transaction.
ALTER TABLE core_event ADD COLUMN IF NOT EXISTS xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE core_event ALTER COLUMN data SET DEFAULT '{}'::jsonb;
CREATE INDEX IF NOT EXISTS core_event_unsequenced ON core_event (xid) WHERE seq IS NULL;
CREATE SEQUENCE IF NOT EXISTS core_event_position;

CREATE OR REPLACE FUNCTION geo_ioc_event_sequence() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  -- "<xid>:<highest id numbered>": the row trigger fires once per row, the work is done once
  -- (again only for rows written after a SET CONSTRAINTS ALL IMMEDIATE numbered the others).
  marker text := coalesce(current_setting('geo_ioc.sequenced', true), '');
  upto bigint;
BEGIN
  IF split_part(marker, ':', 1) = pg_current_xact_id()::text
     AND NEW.id <= split_part(marker, ':', 2)::bigint THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7245366107);  -- any fixed key: one lock for the whole log
  WITH numbered AS (
    UPDATE core_event e SET seq = n.seq
    FROM (SELECT o.id, nextval('core_event_position') AS seq
          FROM (SELECT id FROM core_event
                WHERE xid = pg_current_xact_id() AND seq IS NULL ORDER BY id) o) n
    WHERE e.id = n.id
    RETURNING e.id
  )
  SELECT max(id) INTO upto FROM numbered;
  PERFORM set_config('geo_ioc.sequenced',
                     pg_current_xact_id()::text || ':' || coalesce(upto, NEW.id)::text, true);
  PERFORM pg_notify('geo_ioc_events', '');
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS geo_ioc_event_sequence ON core_event;
CREATE CONSTRAINT TRIGGER geo_ioc_event_sequence
  AFTER INSERT ON core_event
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION geo_ioc_event_sequence();
