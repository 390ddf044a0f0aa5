-- Report indicators over a window, grouped by {group} (a column of reports_report r, or
-- a constant for the totals): received, resolved, resolved on time, open, overdue, and the
-- median hours from receipt to the unit's first answer.
SELECT {group}::text AS key,
       count(*) AS received,
       count(*) FILTER (WHERE r.resolved_at IS NOT NULL) AS resolved,
       count(*) FILTER (WHERE r.resolved_at IS NOT NULL AND r.resolved_at <= r.due_resolve_at)
         AS resolved_on_time,
       count(*) FILTER (WHERE r.status IN ('received', 'routed', 'accepted', 'in_progress'))
         AS open,
       count(*) FILTER (WHERE r.overdue) AS overdue,
       percentile_cont(0.5) WITHIN GROUP (
         ORDER BY extract(epoch FROM r.answered_at - r.received_at) / 3600.0
       ) FILTER (WHERE r.answered_at IS NOT NULL) AS median_hours_to_answer
FROM reports_report r
LEFT JOIN reports_category c ON c.id = r.category_id
LEFT JOIN reports_unit u ON u.id = r.unit_id
WHERE r.received_at >= %(since)s AND r.received_at < %(until)s
GROUP BY 1
ORDER BY 1
