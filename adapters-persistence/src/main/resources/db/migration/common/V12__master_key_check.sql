-- A check value of the master key: AES-256-GCM of a fixed text under it (never the key itself). Written by the first
-- node; a node whose key cannot open it refuses to start instead of failing on every gateway token it cannot decrypt,
-- and `master-key rotate` replaces it in the rotation's transaction. At most one row (id 1).
CREATE TABLE master_key_check (
    id           SMALLINT PRIMARY KEY,
    check_value  VARCHAR(200) NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
