-- Who runs an instance's gateway: 'external' (registered by its URL and token) or 'local' (provisioned
-- and supervised by Chowder on its own host).
ALTER TABLE instances ADD COLUMN sandbox_provider VARCHAR(16) DEFAULT 'external' NOT NULL;
