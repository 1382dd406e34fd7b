-- The request log (SPEC §10): one row per /api/v1 request whose key was identified,
-- written in batches. Kept PAYDESK_LOG_RETENTION_DAYS days by housekeeping.
CREATE TABLE request_logs (
    request_id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL,
    livemode BOOLEAN NOT NULL,
    key_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    error_code TEXT,
    latency_ms INTEGER NOT NULL,
    client_ip TEXT,
    api_version TEXT NOT NULL,
    replayed BOOLEAN NOT NULL
);
CREATE INDEX request_logs_scope ON request_logs(merchant_id, livemode, at_ms DESC);
CREATE INDEX request_logs_key ON request_logs(key_id, at_ms DESC);

-- Usage per key: counters by hour (the start of the hour, Unix seconds) and status
-- class, added to by each flush; never dropped, unlike log lines.
CREATE TABLE key_usage_hourly (
    key_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    class_2xx BIGINT NOT NULL,
    class_4xx BIGINT NOT NULL,
    class_5xx BIGINT NOT NULL,
    PRIMARY KEY (key_id, hour)
);

-- The scope each admitted request needed (customers:read …), counted by hour: what
-- "Restrict to what it used" offers.
CREATE TABLE key_scope_hourly (
    key_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    hour BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (key_id, scope, hour)
);
