-- Organizations' own model provider keys (PATCH /v1/organization model_api_keys): AES-256-GCM under the master key,
-- bound to their row (organization and provider), like gateway tokens. The raw key is never stored.
CREATE TABLE organization_model_keys (
    organization_id  UUID NOT NULL REFERENCES organizations (id),
    provider         VARCHAR(64) NOT NULL,
    key_encrypted    VARCHAR(16384) NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (organization_id, provider)
);

-- What the operator sets per organization; an organization without a row has the default plan. NULL is "not set":
-- no budget, the operator's default instance limit, the operator's default for its model keys.
-- version: milliseconds of the last change, so that counters that run take a changed limit.
CREATE TABLE organization_plans (
    organization_id      UUID PRIMARY KEY REFERENCES organizations (id),
    subscription_tier    VARCHAR(64) NOT NULL,
    instance_limit       INT,
    operator_model_keys  BOOLEAN,
    tokens_per_day       BIGINT,
    tokens_per_month     BIGINT,
    requests_per_minute  BIGINT,
    version              BIGINT NOT NULL
);

-- Limits an organization sets for one of its keys.
CREATE TABLE key_limits (
    key_id               UUID PRIMARY KEY REFERENCES api_keys (id),
    organization_id      UUID NOT NULL,
    tokens_per_day       BIGINT,
    tokens_per_month     BIGINT,
    requests_per_minute  BIGINT,
    version              BIGINT NOT NULL
);

-- Limits an organization sets for the sessions of an instance whose id starts with a prefix; the whole set of an
-- instance is replaced at once, and every row of it carries that change's version.
CREATE TABLE session_limits (
    instance_id          UUID NOT NULL REFERENCES instances (id),
    session_prefix       VARCHAR(1100) NOT NULL,
    organization_id      UUID NOT NULL,
    tokens_per_day       BIGINT,
    tokens_per_month     BIGINT,
    requests_per_minute  BIGINT,
    version              BIGINT NOT NULL,
    PRIMARY KEY (instance_id, session_prefix)
);

-- Model calls of provisioned gateways through Chowder's model endpoint, per instance, provider and hour, with the
-- tokens the provider reported.
CREATE TABLE model_usage_hours (
    instance_id          UUID NOT NULL,
    provider             VARCHAR(64) NOT NULL,
    hour_start           TIMESTAMP WITH TIME ZONE NOT NULL,
    organization_id      UUID NOT NULL,
    requests             BIGINT NOT NULL,
    input_tokens         BIGINT NOT NULL,
    output_tokens        BIGINT NOT NULL,
    cached_input_tokens  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, provider, hour_start)
);
