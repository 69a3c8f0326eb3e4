-- Card payments between :start_date and :end_date with their label (is_fraud), for
-- recipes/fraud_detection.yaml. Features about the user and the product are joined
-- point-in-time from the feature store by the recipe's fetcher; this query returns only what is
-- known about the payment itself at the moment it happens.
--
-- :start_date and :end_date are bound as query parameters (never pasted into this text);
-- set them in the recipe or with `mmp train fraud_detection --param start_date=2024-03-01`.
SELECT
    t.transaction_id,
    t.user_id,
    t.product_id,
    t.event_timestamp,
    t.amount,
    t.channel,
    extract(hour FROM t.event_timestamp)::int AS hour_of_day,
    -- Sign-up time never changes, so it is safe to read directly.
    round(extract(epoch FROM t.event_timestamp - u.signed_up_at)::numeric / 86400, 2) AS account_age_days,
    t.is_fraud
FROM events.transactions t
JOIN events.users u USING (user_id)
WHERE t.event_timestamp >= :start_date::timestamptz
  AND t.event_timestamp < :end_date::timestamptz
ORDER BY t.event_timestamp, t.transaction_id
