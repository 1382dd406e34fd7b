-- Management keys (SPEC §17): keys for machines that manage API keys and webhook
-- endpoints. Only SHA-256 of the secret is kept; every key expires (at most 90 days).
CREATE TABLE management_keys (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    secret_hint TEXT NOT NULL,
    -- Space-separated: api_keys:read|write, webhook_endpoints:read|write.
    scopes TEXT NOT NULL,
    -- May create and roll live keys.
    live BOOLEAN NOT NULL DEFAULT FALSE,
    allowed_ips TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_used_at BIGINT,
    last_used_ip TEXT,
    request_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX management_keys_merchant ON management_keys(merchant_id, created_at);
