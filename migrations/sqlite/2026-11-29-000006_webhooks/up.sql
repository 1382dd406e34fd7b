-- Webhooks (SPEC §9): endpoints with sealed signing secrets, and deliveries written in
-- the same transaction as their event (an outbox), attempted until delivered or failed.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL,
    livemode BOOLEAN NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- '*' or space-separated event types.
    enabled_events TEXT NOT NULL,
    api_key_id TEXT,
    api_version TEXT,
    status TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    -- During a roll's grace period the old secret signs too.
    old_secret_sealed TEXT,
    old_secret_until BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_scope ON webhook_endpoints(merchant_id, livemode, status);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- pending, delivered or failed.
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix ms; also the lease of an attempt in flight.
    next_attempt_at BIGINT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    last_latency_ms INTEGER,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);
