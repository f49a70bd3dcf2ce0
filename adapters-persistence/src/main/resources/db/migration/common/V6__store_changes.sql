-- Cross-node cache coherence. Every change that a node's cache could hold stale (a key revoked, an
-- instance updated, a session reset or deleted) is appended here in the transaction that makes it.
-- Ids come from the single counter row, whose row lock serialises publishers until they commit, so
-- ids become visible in order and a reader that has seen id N has seen every change up to N.
CREATE TABLE store_change_counter (
    singleton  INT PRIMARY KEY,
    last_id    BIGINT NOT NULL
);
INSERT INTO store_change_counter (singleton, last_id) VALUES (1, 0);

CREATE TABLE store_changes (
    id          BIGINT PRIMARY KEY,
    kind        VARCHAR(32) NOT NULL,
    subject     VARCHAR(1200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The serving nodes, and how far each has applied the changes: a writer waits until every live node
-- has caught up with its change before it answers.
CREATE TABLE store_nodes (
    node_id         VARCHAR(64) PRIMARY KEY,
    applied_change  BIGINT NOT NULL,
    seen_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
