-- Flyway runs this after every migrate, i.e. at every start. H2 otherwise writes committed transactions to
-- its file up to WRITE_DELAY (500 ms) later, in the background: a kill -9 (or OOM kill) lost writes that had
-- already been answered 2xx (CrashSafetyTest). With 0, every commit is written to the file before it returns.
-- The setting is stored in the database, so it also holds for URLs that connect to an existing file.
SET WRITE_DELAY 0;
