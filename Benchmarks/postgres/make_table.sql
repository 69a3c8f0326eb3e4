-- The benchmark table: :rows rows × 20 columns of the types a training query returns (integers,
-- floats, numeric, low- and high-cardinality text, booleans, a date, a timestamptz), with some
-- NULLs. Deterministic: the same table every run.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.wide AS
SELECT
    i::bigint                                                   AS id,
    (i % 1000)::int                                             AS int_a,
    ((i * 7) % 100000)::int                                     AS int_b,
    ((i * 13) % 50)::int                                        AS int_c,
    (i % 2 * 1000 + i % 17)::int                                AS int_d,
    (i * 0.001)::float8                                         AS f_a,
    sin(i)::float8                                              AS f_b,
    cos(i * 0.5)::float8                                        AS f_c,
    CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 997) / 7.0 END::float8 AS f_d,
    ((i % 100000) / 100.0)::numeric(12, 2)                      AS amount_a,
    ((i * 31 % 1000000) / 100.0)::numeric(12, 2)               AS amount_b,
    'cat_' || (i % 20)                                          AS cat_a,
    CASE WHEN i % 25 = 0 THEN NULL ELSE 'country_' || (i % 60) END AS cat_b,
    (ARRAY['web', 'app', 'pos'])[1 + i % 3]                     AS cat_c,
    ('u' || (i % 50000))::varchar(16)                           AS user_key,
    ('p' || (i % 3000))::varchar(16)                            AS product_key,
    (i % 3 = 0)                                                 AS flag_a,
    (i % 11 = 0)                                                AS flag_b,
    (date '2024-01-01' + (i % 365)::int)                        AS day,
    (timestamptz '2024-01-01 00:00:00+00' + i * interval '31 seconds') AS at
FROM generate_series(1, :rows) AS i;
ANALYZE bench.wide;
SELECT count(*) AS rows, pg_size_pretty(pg_total_relation_size('bench.wide')) AS size FROM bench.wide;
