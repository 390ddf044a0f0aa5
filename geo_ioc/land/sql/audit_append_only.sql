-- The audit log is append-only for every database role, whatever program connects: an entry is
-- never changed or removed (a superuser of the application, a script, psql). Dropping this
-- trigger takes the table owner, and that is a deliberate act on the schema, not an accident.
CREATE OR REPLACE FUNCTION land_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS land_audit_append_only ON land_auditentry;
CREATE TRIGGER land_audit_append_only
    BEFORE UPDATE OR DELETE ON land_auditentry
    FOR EACH ROW EXECUTE FUNCTION land_audit_refuse();

DROP TRIGGER IF EXISTS land_audit_no_truncate ON land_auditentry;
CREATE TRIGGER land_audit_no_truncate
    BEFORE TRUNCATE ON land_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION land_audit_refuse();
