-- Seconds up (online or degraded) and seconds known per camera in [since, now], from the status
-- history: each change holds until the next one; time before a camera's first change is unknown.
WITH spans AS (
    SELECT s.camera_id, s.status,
           greatest(s.at, %(since)s::timestamptz) AS a,
           least(coalesce(lead(s.at) OVER (PARTITION BY s.camera_id ORDER BY s.at, s.id),
                          %(now)s::timestamptz), %(now)s::timestamptz) AS z
    FROM cameras_statuschange s
    WHERE s.at < %(now)s::timestamptz
)
SELECT c.code, c.owner_unit,
       coalesce(sum(extract(epoch FROM sp.z - sp.a))
                FILTER (WHERE sp.status IN ('online', 'degraded') AND sp.z > sp.a), 0) AS up,
       coalesce(sum(extract(epoch FROM sp.z - sp.a)) FILTER (WHERE sp.z > sp.a), 0) AS known
FROM cameras_camera c LEFT JOIN spans sp ON sp.camera_id = c.id
GROUP BY c.code, c.owner_unit
ORDER BY c.code
