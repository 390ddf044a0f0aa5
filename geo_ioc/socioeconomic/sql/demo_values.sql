-- Synthetic values of the demo registry on today's communes, %(start)s to %(end)s, monthly.
-- Every pseudo-random figure is socioeconomic_hash(text) ∈ [-1, 1) of fixed keys: the same
-- registry and units always give the same values.
WITH spec AS (
    SELECT * FROM jsonb_to_recordset(%(specs)s::jsonb) AS s(
        id bigint, code text, base float8, trend float8, season float8,
        quarterly bool, better bool, stock bool, rate bool)
), units AS (
    -- Đà Lạt's five wards are denser than the synthetic rural communes.
    SELECT id, code,
           (CASE WHEN code LIKE '68.__' THEN 2.5 ELSE 1.0 END)
           * (1.0 + 0.4 * socioeconomic_hash(code)) AS scale
    FROM socioeconomic_adminunit WHERE valid_to IS NULL AND level = 'commune'
), months AS (
    SELECT m::date AS period, (row_number() OVER (ORDER BY m) - 1)::float8 AS k
    FROM generate_series(%(start)s::date, %(end)s::date, interval '1 month') m
), expected AS (
    SELECT s.id, s.code, s.better, s.stock, u.id AS unit_id, u.code AS unit_code, m.period,
           CASE WHEN s.rate
                THEN s.base * (1 + 0.08 * socioeconomic_hash(s.code || u.code))
                     * (1 + s.trend * m.k / 12)
                     * (1 + 0.1 * s.season * sin(2 * pi() * extract(month FROM m.period) / 12))
                ELSE s.base * u.scale * power(1 + s.trend, m.k / 12)
                     * (1 + s.season * sin(2 * pi() * extract(month FROM m.period) / 12))
                     * CASE WHEN s.quarterly THEN 3 ELSE 1 END
           END AS v
    FROM spec s CROSS JOIN units u CROSS JOIN months m
    WHERE NOT s.quarterly OR extract(month FROM m.period) IN (1, 4, 7, 10)
), ins_values AS (
    INSERT INTO socioeconomic_value
        (indicator_id, period, unit_id, disaggregation, value, reported_at, synthetic)
    SELECT id, period, unit_id, '',
           round((v * (1 + CASE WHEN stock THEN 0.005 ELSE 0.08 END
                        * socioeconomic_hash(code || unit_code || period::text)))::numeric, 3),
           period + interval '1 month' + interval '8 days', true
    FROM expected
    RETURNING indicator_id, period, unit_id, value
), ins_targets AS (
    INSERT INTO socioeconomic_target (indicator_id, period, unit_id, value)
    SELECT id, period, unit_id,
           round((v * CASE WHEN better THEN 1.02 ELSE 0.98 END)::numeric, 3)
    FROM expected
    RETURNING 1
)
SELECT (SELECT count(*) FROM ins_values), (SELECT count(*) FROM ins_targets);

-- Rates of ratio indicators on each commune, from their numerator and denominator.
INSERT INTO socioeconomic_value
    (indicator_id, period, unit_id, disaggregation, value, reported_at, synthetic)
SELECT r.id, n.period, n.unit_id, '', round((n.value / d.value * r.factor)::numeric, 3),
       n.reported_at, true
FROM jsonb_to_recordset(%(ratios)s::jsonb) AS r(id bigint, num bigint, den bigint, factor float8)
JOIN socioeconomic_value n ON n.indicator_id = r.num AND n.disaggregation = ''
JOIN socioeconomic_value d ON d.indicator_id = r.den AND d.unit_id = n.unit_id
     AND d.period = n.period AND d.disaggregation = '' AND d.value <> 0;

INSERT INTO socioeconomic_target (indicator_id, period, unit_id, value)
SELECT r.id, n.period, n.unit_id, round((n.value / d.value * r.factor)::numeric, 3)
FROM jsonb_to_recordset(%(ratios)s::jsonb) AS r(id bigint, num bigint, den bigint, factor float8)
JOIN socioeconomic_target n ON n.indicator_id = r.num
JOIN socioeconomic_target d ON d.indicator_id = r.den AND d.unit_id = n.unit_id
     AND d.period = n.period AND d.value <> 0;

-- Disaggregated values: fixed shares of each total.
INSERT INTO socioeconomic_value
    (indicator_id, period, unit_id, disaggregation, value, reported_at, synthetic)
SELECT v.indicator_id, v.period, v.unit_id, x.key, round((v.value * x.share)::numeric, 3),
       v.reported_at, true
FROM jsonb_to_recordset(%(dis)s::jsonb) AS x(id bigint, key text, share float8)
JOIN socioeconomic_value v ON v.indicator_id = x.id AND v.disaggregation = '';

-- Report receipts: each agency's monthly report, some of them after the deadline.
INSERT INTO socioeconomic_submission (agency_id, periodicity, period, received_at, rows)
SELECT a.id, 'month', m::date,
       m + interval '1 month' + make_interval(days => 10 + round(6 * socioeconomic_hash(a.code || m::date::text))::int - 2),
       0
FROM socioeconomic_agency a
CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 month') m;
