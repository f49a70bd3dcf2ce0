-- Portable SQL for H2 and PostgreSQL; vendor-specific migrations go to db/migration/<vendor>.
CREATE TABLE organizations (
    id          UUID PRIMARY KEY,
    name        VARCHAR(512) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Keys are stored as the SHA-256 of the raw key; the raw key is never stored.
CREATE TABLE api_keys (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id),
    name             VARCHAR(512) NOT NULL,
    kind             VARCHAR(16) NOT NULL,
    key_prefix       VARCHAR(32) NOT NULL,
    key_hash         CHAR(64) NOT NULL UNIQUE,
    is_active        BOOLEAN NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE,
    last_used_at     TIMESTAMP WITH TIME ZONE,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX api_keys_by_organization ON api_keys (organization_id);

-- gateway_token_encrypted: AES-256-GCM under the master key, bound to the row's id.
CREATE TABLE instances (
    id                       UUID PRIMARY KEY,
    organization_id          UUID NOT NULL REFERENCES organizations (id),
    name                     VARCHAR(512) NOT NULL,
    status                   VARCHAR(16) NOT NULL,
    gateway_url              VARCHAR(2048) NOT NULL,
    gateway_token_encrypted  VARCHAR(8192) NOT NULL,
    error_message            VARCHAR(4000),
    created_at               TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at               TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX instances_by_organization ON instances (organization_id, created_at);
