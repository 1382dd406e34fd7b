-- Back to a row per line.
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
    latency_us INTEGER NOT NULL,
    client_ip TEXT,
    api_version TEXT NOT NULL,
    replayed BOOLEAN NOT NULL
);
CREATE INDEX request_logs_scope ON request_logs(merchant_id, livemode, at_ms);
CREATE INDEX request_logs_key ON request_logs(key_id, at_ms);

INSERT INTO request_logs
SELECT l->>0, c.merchant_id, c.livemode, c.key_id, (l->>1)::bigint, l->>2, l->>3,
       (l->>4)::integer, l->>5, (l->>6)::integer, l->>7, l->>8, (l->>9)::boolean
FROM request_log_chunks c, json_array_elements(c.lines::json) l;

DROP TABLE request_log_chunks;
