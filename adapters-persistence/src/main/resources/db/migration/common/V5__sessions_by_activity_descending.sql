-- The listing reads newest activity first and ties by id ascending (ORDER BY last_used_at DESC, session_id).
-- An index in exactly that order lets both databases read a page straight off the index: with the former
-- (instance_id, last_used_at, session_id) H2 sorted every session of the instance for each page, and
-- PostgreSQL added an incremental sort (SessionListingPlanTest).
CREATE INDEX sessions_by_recent_activity ON sessions (instance_id, last_used_at DESC, session_id);
DROP INDEX sessions_by_activity;
