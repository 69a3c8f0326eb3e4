-- Schemas and tables of the example data (idempotent: safe to run again).
--
--   events.users, events.transactions   the rows a recipe loads (transactions carry the label)
--   features.*                          feature tables, one row per entity per change, stamped
--                                       with event_timestamp = when the values became known
--
-- Each feature table's primary key (entity, event_timestamp) is the index the point-in-time
-- join probes: "latest row of this entity at or before t" is one backward index scan.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS events;
CREATE SCHEMA IF NOT EXISTS features;

CREATE TABLE IF NOT EXISTS events.users (
    user_id       bigint PRIMARY KEY,
    signed_up_at  timestamptz NOT NULL,
    home_country  text NOT NULL
);

CREATE TABLE IF NOT EXISTS events.transactions (
    transaction_id          bigint PRIMARY KEY,
    user_id                 bigint NOT NULL,
    product_id              bigint NOT NULL,
    event_timestamp         timestamptz NOT NULL,
    amount                  numeric(12, 2) NOT NULL,
    channel                 text NOT NULL,
    -- The label: 1 when the payment turned out to be fraud.
    is_fraud                smallint NOT NULL,
    -- When the label became known (the chargeback). Features may only count it after this.
    chargeback_reported_at  timestamptz
);
CREATE INDEX IF NOT EXISTS transactions_event_timestamp ON events.transactions (event_timestamp);
CREATE INDEX IF NOT EXISTS transactions_user ON events.transactions (user_id, event_timestamp);

CREATE TABLE IF NOT EXISTS features.user_demographics (
    user_id          bigint NOT NULL,
    event_timestamp  timestamptz NOT NULL,
    age              smallint,
    country          text,
    email_verified   boolean,
    phone_verified   boolean,
    kyc_level        smallint,
    PRIMARY KEY (user_id, event_timestamp)
);

CREATE TABLE IF NOT EXISTS features.user_purchase_summary (
    user_id                bigint NOT NULL,
    event_timestamp        timestamptz NOT NULL,
    txn_count_7d           integer,
    amount_sum_7d          numeric(14, 2),
    txn_count_30d          integer,
    avg_amount_30d         numeric(12, 2),
    distinct_products_30d  integer,
    -- Chargebacks reported (not merely happened) in the 90 days before event_timestamp.
    chargebacks_90d        integer,
    days_since_last_txn    double precision,
    PRIMARY KEY (user_id, event_timestamp)
);

CREATE TABLE IF NOT EXISTS features.product_details (
    product_id           bigint NOT NULL,
    event_timestamp      timestamptz NOT NULL,
    category             text,
    merchant_id          text,
    price                numeric(10, 2),
    merchant_risk_score  double precision,
    PRIMARY KEY (product_id, event_timestamp)
);

-- What scripts/sql/seed.sh loaded, so running it again can skip an identical load.
CREATE TABLE IF NOT EXISTS events.seed_info (
    dataset     text PRIMARY KEY,
    version     text NOT NULL,
    rows        bigint NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
