-- Tamper evidence: a SHA-256 hash chain over every stored event (docs/AUDIT_CHAIN.md), written by the
-- audit_chain follower in the same transaction as its tracking position; and the chain head at the end
-- of each UTC day, to be published elsewhere. Never updated once written (only emptied for a rebuild).

CREATE TABLE audit_chain (
    position    bigint PRIMARY KEY,           -- the event's notification_id in marketplace_events
    hash        bytea NOT NULL CHECK (octet_length(hash) = 32)
);

CREATE TABLE audit_daily_roots (
    day         date PRIMARY KEY,             -- UTC day (running maximum of event days, in log order)
    position    bigint NOT NULL UNIQUE,       -- the day's last chained position
    hash        bytea NOT NULL CHECK (octet_length(hash) = 32)
);
