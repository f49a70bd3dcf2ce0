-- Scoped keys: the permissions a key holds on each of its instances, and (an extension of the hosted
-- API) the sessions it is bound to: exact ids, newline-separated (ids never contain control
-- characters), and/or an id prefix.
CREATE TABLE api_key_instances (
    key_id       UUID NOT NULL REFERENCES api_keys (id),
    instance_id  UUID NOT NULL REFERENCES instances (id),
    permissions  VARCHAR(128) NOT NULL,
    PRIMARY KEY (key_id, instance_id)
);
ALTER TABLE api_keys ADD COLUMN session_ids VARCHAR(1100000);
ALTER TABLE api_keys ADD COLUMN session_prefix VARCHAR(1100);
CREATE INDEX api_keys_by_organization_created ON api_keys (organization_id, created_at);
