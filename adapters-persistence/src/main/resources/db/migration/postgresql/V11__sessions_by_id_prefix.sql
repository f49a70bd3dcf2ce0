-- Listing with a prefix: PostgreSQL turns `session_id LIKE 'user-42/%'` into an index range only on an index
-- that compares bytes, which the primary key does not under a non-"C" collation (C.UTF-8 and en_US.UTF-8 alike).
-- Without it a prefix matching few sessions walked the whole activity index or scanned the table (about 90 ms at
-- 100,000 sessions); with it the matching sessions are read by range and sorted (under 1 ms; SessionListingPlanTest).
-- H2 already reads the primary key by range. PostgreSQL only, so common migrations continue at V12.
CREATE INDEX sessions_by_id_prefix ON sessions (instance_id, session_id text_pattern_ops);
