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
), span(lo, hi) AS (
    SELECT min(pstart), max(pend) FROM req
), raw AS (
    -- One index range per (unit of the tree, indicator): the (unit, indicator, disaggregation,
    -- period) INCLUDE (value) index answers it from the index alone. OFFSET 0 keeps the probe a
    -- parameterised subquery: flattened, the planner may scan the whole table for a few
    -- indicators over all units and sort it on disk (the tree's size is unknown to it).
    SELECT t.root, r.pkey, v.indicator_id, v.unit_id, v.period, v.value, t.depth
    FROM tree t
    CROSS JOIN unnest(%(indicators)s::bigint[]) AS i(id)
    CROSS JOIN span
    CROSS JOIN LATERAL (
        SELECT v.indicator_id, v.unit_id, v.period, v.value FROM {table} v
        WHERE v.unit_id = t.id AND v.indicator_id = i.id
          AND v.period >= span.lo AND v.period < span.hi{dis_filter}
        OFFSET 0
    ) v
    JOIN req r ON v.period >= r.pstart AND v.period < r.pend
), depths AS (
    -- Flows need no row of their own past this point: their sum and count per depth.
    SELECT root, pkey, indicator_id, depth, sum(value) AS total, count(*) AS n
    FROM raw GROUP BY 1, 2, 3, 4
), pick AS (
    SELECT root, pkey, indicator_id,
           CASE WHEN min(depth) = 0 THEN 0 ELSE max(depth) END AS depth
    FROM depths GROUP BY 1, 2, 3
), sel AS (
    -- The rows of the chosen depth that are read one by one: stocks, weighted means, weights.
    SELECT raw.* FROM raw JOIN pick USING (root, pkey, indicator_id, depth)
    WHERE raw.indicator_id = ANY(%(stocks)s) OR raw.indicator_id = ANY(%(wm_ids)s)
          OR raw.indicator_id = ANY(%(wm_weights)s)
), last AS (
    SELECT DISTINCT ON (root, pkey, indicator_id, unit_id) *
    FROM sel WHERE indicator_id = ANY(%(stocks)s)
    ORDER BY root, pkey, indicator_id, unit_id, period DESC
), sums AS (
    SELECT d.root, d.pkey, d.indicator_id, d.total, d.n
    FROM depths d JOIN pick USING (root, pkey, indicator_id, depth)
    WHERE NOT (d.indicator_id = ANY(%(stocks)s))
    UNION ALL
    SELECT root, pkey, indicator_id, sum(value), count(*)
    FROM last GROUP BY 1, 2, 3
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
