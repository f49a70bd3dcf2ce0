-- Bucket4j's counters behind budgets and rate limits (state: its serialised bucket; expires_at: epoch milliseconds
-- after which the row may be removed), in the layout of Bucket4j's PostgreSQL integration.
CREATE TABLE limit_counters (
    id          VARCHAR(256) PRIMARY KEY,
    state       BYTEA,
    expires_at  BIGINT
);
CREATE INDEX limit_counters_by_expiry ON limit_counters (expires_at);
