-- Idempotency keys: one row per merchant + mode + API key + Idempotency-Key, kept 24 h.
-- The unique index is what makes exactly one of several concurrent duplicates run,
-- across every instance sharing the database.
CREATE TABLE idempotency_keys (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL,
    livemode BOOLEAN NOT NULL,
    api_key_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- NULL while the first request is still running.
    response_status INTEGER,
    response_body TEXT,
    -- The API version the stored answer was shaped for (a replay says the same).
    response_version TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_scope ON idempotency_keys(merchant_id, livemode, api_key_id, idempotency_key);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
