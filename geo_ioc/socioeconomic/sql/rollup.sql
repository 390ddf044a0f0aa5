-- Components of indicator values (or targets: {table}) per requested unit (root) and period (pkey), rolled up the
-- unit tree: a root's own values when it has any for that indicator and period, else the
-- values of its deepest descendants that have them (never two tiers added together).
-- Flows are summed over the period; stocks are read at the period's last reported month.
WITH RECURSIVE tree(root, id, depth) AS (
    SELECT u, u, 0 FROM unnest(%(units)s::bigint[]) u
    UNION ALL
    SELECT t.root, c.id, t.depth + 1
    FROM tree t JOIN socioeconomic_adminunit c ON c.parent_id = t.id
), req(pkey, pstart, pend) AS (
    SELECT * FROM unnest(%(pkeys)s::text[], %(pstarts)s::date[], %(pends)s::date[])
), raw AS (
    SELECT t.root, r.pkey, v.indicator_id, v.unit_id, v.period, v.value, t.depth
    FROM {table} v
    JOIN tree t ON t.id = v.unit_id
    JOIN req r ON v.period >= r.pstart AND v.period < r.pend
    WHERE v.indicator_id = ANY(%(indicators)s){dis_filter}
), pick AS (
    SELECT root, pkey, indicator_id,
           CASE WHEN min(depth) = 0 THEN 0 ELSE max(depth) END AS depth
    FROM raw GROUP BY 1, 2, 3
), sel AS (
    SELECT raw.* FROM raw JOIN pick USING (root, pkey, indicator_id, depth)
), last AS (
    SELECT DISTINCT ON (root, pkey, indicator_id, unit_id) *
    FROM sel ORDER BY root, pkey, indicator_id, unit_id, period DESC
), sums AS (
    SELECT root, pkey, indicator_id, sum(value) AS total, count(*) AS n
    FROM sel WHERE NOT (indicator_id = ANY(%(stocks)s)) GROUP BY 1, 2, 3
    UNION ALL
    SELECT root, pkey, indicator_id, sum(value), count(*)
    FROM last WHERE indicator_id = ANY(%(stocks)s) GROUP BY 1, 2, 3
), weighted AS (
    -- Σ value × weight / Σ weight over the same unit and month, in one grouping pass (a join
    -- of the CTE with itself is planned as a nested loop over unestimated rows: quadratic).
    SELECT root, pkey, ind AS indicator_id, sum(v * w) / NULLIF(sum(w), 0) AS wmean
    FROM (
        SELECT sel.root, sel.pkey, sel.unit_id, sel.period, p.ind,
               max(sel.value) FILTER (WHERE sel.indicator_id = p.ind) AS v,
               max(sel.value) FILTER (WHERE sel.indicator_id = p.weight) AS w
        FROM sel
        JOIN unnest(%(wm_ids)s::bigint[], %(wm_weights)s::bigint[]) AS p(ind, weight)
             ON sel.indicator_id IN (p.ind, p.weight)
        GROUP BY 1, 2, 3, 4, 5
    ) pairs
    WHERE v IS NOT NULL AND w IS NOT NULL
    GROUP BY 1, 2, 3
)
SELECT s.root, s.pkey, s.indicator_id, s.total, s.n, w.wmean
FROM sums s LEFT JOIN weighted w USING (root, pkey, indicator_id)
