-- API keys: one row per publishable/secret pair. Only SHA-256 of the secret is kept.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    mode TEXT NOT NULL,
    name TEXT NOT NULL,
    publishable_key TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL UNIQUE,
    secret_hint TEXT NOT NULL,
    -- Set once the show-once page has shown the secret; never shown again after.
    secret_revealed BOOLEAN NOT NULL DEFAULT FALSE,
    permissions TEXT NOT NULL,
    allowed_ips TEXT NOT NULL DEFAULT '',
    rate_limit INTEGER NOT NULL,
    expires_at BIGINT,
    api_version TEXT,
    require_signature BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    rolled_to TEXT,
    last_used_at BIGINT,
    last_used_ip TEXT
);
CREATE INDEX api_keys_merchant ON api_keys(merchant_id, created_at);
CREATE INDEX audit_log_target ON audit_log(target);
