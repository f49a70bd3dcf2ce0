-- The session registry. session_id is the client's exact id (up to 256 code points). generation
-- is bumped by every reset and delete; the gateway sees a new key for each generation.
CREATE TABLE sessions (
    instance_id    UUID NOT NULL REFERENCES instances (id),
    session_id     VARCHAR(1100) NOT NULL,
    generation     BIGINT NOT NULL,
    deleted        BOOLEAN NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    turns          BIGINT NOT NULL,
    input_tokens   BIGINT NOT NULL,
    output_tokens  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, session_id)
);
-- Newest activity first, page after page: the listing reads this index in order.
CREATE INDEX sessions_by_activity ON sessions (instance_id, last_used_at, session_id);

-- Turns and tokens per instance, key and hour, for usage roll-ups.
CREATE TABLE usage_hours (
    instance_id    UUID NOT NULL,
    key_id         UUID NOT NULL,
    hour_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    turns          BIGINT NOT NULL,
    input_tokens   BIGINT NOT NULL,
    output_tokens  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, key_id, hour_start)
);
