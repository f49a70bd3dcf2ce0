-- The settings of each messaging channel of an instance (channels.<id> of its gateway's config): whether it is on and
-- the fields its client gave (bot tokens, passwords), as JSON encrypted with AES-256-GCM under the master key, bound to
-- its row (instance id and channel), like skill settings. A disconnected channel keeps its row.
CREATE TABLE instance_channel_settings (
    instance_id         UUID NOT NULL REFERENCES instances (id),
    channel             VARCHAR(32) NOT NULL,
    settings_encrypted  VARCHAR(65536) NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (instance_id, channel)
);
