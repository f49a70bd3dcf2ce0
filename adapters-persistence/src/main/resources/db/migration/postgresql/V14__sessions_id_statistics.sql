-- Finer statistics of session ids: with the default target, ANALYZE's sample sometimes estimated a prefix such as
-- 'user-42/%' at a hundredth of the table instead of its few rows, and a prefix page then walked the activity index
-- filtering row by row instead of reading the prefix's range (sessions_by_id_prefix). A larger histogram keeps the
-- estimate near the truth at a slightly dearer ANALYZE.
ALTER TABLE sessions ALTER COLUMN session_id SET STATISTICS 1000;
