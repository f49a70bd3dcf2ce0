-- The settings of each skill of an instance (skills.entries.<key> of its gateway's config). They hold secrets (the
-- skill's API key and environment values), so the whole settings object is stored as JSON encrypted with AES-256-GCM
-- under the master key, bound to its row (instance id and skill key), like gateway_token_encrypted.
CREATE TABLE instance_skill_settings (
    instance_id         UUID NOT NULL REFERENCES instances (id),
    skill_key           VARCHAR(200) NOT NULL,
    settings_encrypted  VARCHAR(1000000) NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (instance_id, skill_key)
);
