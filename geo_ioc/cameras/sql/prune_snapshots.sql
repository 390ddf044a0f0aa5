-- All but the newest %(keep)s snapshots of each camera, except those kept as event evidence.
DELETE FROM cameras_snapshot s
USING (
    SELECT id, row_number() OVER (PARTITION BY camera_id ORDER BY taken_at DESC, id DESC) AS n
    FROM cameras_snapshot
    WHERE NOT keep
) old
WHERE s.id = old.id AND old.n > %(keep)s
