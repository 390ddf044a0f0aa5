-- Set each station's stored `stale` flag (no report for `cadences` × its cadence, or none ever);
-- only rows whose flag changes are written, and their ids are returned. Rows are locked in id
-- order, as ingestion locks them, so a sweep and a batch cannot deadlock.
WITH f AS (
    SELECT
        id,
        last_reading_at IS NULL
        OR last_reading_at < now() - make_interval(mins => cadence_minutes * %(cadences)s) AS stale
    FROM sensors_station
    WHERE %(ids)s::bigint[] IS NULL OR id = ANY(%(ids)s::bigint[])
    ORDER BY id
    FOR UPDATE
)
UPDATE sensors_station AS s
SET stale = f.stale
FROM f
WHERE s.id = f.id AND s.stale IS DISTINCT FROM f.stale
RETURNING s.id
