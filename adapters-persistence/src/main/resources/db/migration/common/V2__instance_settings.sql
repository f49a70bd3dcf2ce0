-- What the hosted API keeps on an instance as data, and the index that health probing reads by.
ALTER TABLE instances ADD COLUMN model_provider VARCHAR(512);
ALTER TABLE instances ADD COLUMN openclaw_config VARCHAR(70000);
ALTER TABLE instances ADD COLUMN region VARCHAR(512);
CREATE INDEX instances_by_status ON instances (status);
