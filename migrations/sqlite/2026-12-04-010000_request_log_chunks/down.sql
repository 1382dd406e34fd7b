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
SELECT json_extract(l.value, '$[0]'), c.merchant_id, c.livemode, c.key_id,
       json_extract(l.value, '$[1]'), json_extract(l.value, '$[2]'),
       json_extract(l.value, '$[3]'), json_extract(l.value, '$[4]'),
       json_extract(l.value, '$[5]'), json_extract(l.value, '$[6]'),
       json_extract(l.value, '$[7]'), json_extract(l.value, '$[8]'),
       json_extract(l.value, '$[9]')
FROM request_log_chunks c, json_each(c.lines) l;

DROP TABLE request_log_chunks;
