-- Loads the generated example data (scripts/sql/generate_fraud_data.py writes the CSV files).
-- Run by scripts/sql/seed.sh from the folder holding the CSV files, after init-database.sql.
-- Replaces whatever the tables held, in one transaction.
\set ON_ERROR_STOP on

BEGIN;
TRUNCATE events.users, events.transactions,
         features.user_demographics, features.user_purchase_summary, features.product_details;

\copy events.users FROM 'users.csv' WITH (FORMAT csv, HEADER true)
\copy events.transactions FROM 'transactions.csv' WITH (FORMAT csv, HEADER true)
\copy features.user_demographics FROM 'user_demographics.csv' WITH (FORMAT csv, HEADER true)
\copy features.user_purchase_summary FROM 'user_purchase_summary.csv' WITH (FORMAT csv, HEADER true)
\copy features.product_details FROM 'product_details.csv' WITH (FORMAT csv, HEADER true)
COMMIT;

ANALYZE events.users, events.transactions,
        features.user_demographics, features.user_purchase_summary, features.product_details;

SELECT 'events.transactions' AS "table", count(*) AS rows, round(avg(is_fraud) * 100, 1) AS fraud_pct FROM events.transactions
UNION ALL SELECT 'features.user_demographics', count(*), NULL FROM features.user_demographics
UNION ALL SELECT 'features.user_purchase_summary', count(*), NULL FROM features.user_purchase_summary
UNION ALL SELECT 'features.product_details', count(*), NULL FROM features.product_details;
