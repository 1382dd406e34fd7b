-- Rolling a secret key keeps its publishable key unless asked (SPEC §14): the new row
-- takes the old row's publishable key, so during the grace period two rows share it (the
-- pair check of the old secret still compares against it). A publishable key alone finds
-- the newest row of its chain (the one not rolled). SQLite cannot drop a column's UNIQUE:
-- the table is rebuilt with the same columns (nothing references api_keys).
CREATE TABLE api_keys_new (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    mode TEXT NOT NULL,
    name TEXT NOT NULL,
    publishable_key TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    secret_hint TEXT NOT NULL,
    secret_revealed BOOLEAN NOT NULL DEFAULT 0,
    permissions TEXT NOT NULL,
    allowed_ips TEXT NOT NULL DEFAULT '',
    rate_limit INTEGER NOT NULL,
    expires_at BIGINT,
    api_version TEXT,
    require_signature BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    rolled_to TEXT,
    last_used_at BIGINT,
    last_used_ip TEXT,
    canary BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_reason TEXT,
    exposed_url TEXT
);
INSERT INTO api_keys_new (id, merchant_id, mode, name, publishable_key, secret_hash,
    secret_hint, secret_revealed, permissions, allowed_ips, rate_limit, expires_at,
    api_version, require_signature, status, created_at, created_by, updated_at, rolled_to,
    last_used_at, last_used_ip, canary, revoked_reason, exposed_url)
SELECT id, merchant_id, mode, name, publishable_key, secret_hash,
    secret_hint, secret_revealed, permissions, allowed_ips, rate_limit, expires_at,
    api_version, require_signature, status, created_at, created_by, updated_at, rolled_to,
    last_used_at, last_used_ip, canary, revoked_reason, exposed_url
FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
CREATE INDEX api_keys_merchant ON api_keys(merchant_id, created_at);
CREATE INDEX api_keys_publishable ON api_keys(publishable_key);
