-- The request log in chunks (SPEC §15: noting and writing a line costs at most 6 000
-- instructions). A row per line cost SQLite four B-tree inserts (the table, the request
-- id's unique index, two time indexes) and 13 bound values: 17k instructions a line. A
-- chunk holds one key's lines of one flush (at most a minute of them) as a JSON array of
-- [request_id, at_ms, method, path, status, error_code, latency_us, client_ip,
--  api_version, replayed], so a flush writes a row per key it saw, not per request.
-- Readers (the Logs pages, the key page) read chunks newest first and merge their lines;
-- a line is found by its request id through the time its id carries (`req_` + 12 hex
-- digits of milliseconds). Existing lines move into chunks of a key's minute.
CREATE TABLE request_log_chunks (
    first_request_id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL,
    livemode BOOLEAN NOT NULL,
    key_id TEXT NOT NULL,
    first_at_ms BIGINT NOT NULL,
    last_at_ms BIGINT NOT NULL,
    line_count INTEGER NOT NULL,
    lines TEXT NOT NULL
);
CREATE INDEX request_log_chunks_scope ON request_log_chunks(merchant_id, livemode, last_at_ms);
CREATE INDEX request_log_chunks_key ON request_log_chunks(key_id, last_at_ms);

INSERT INTO request_log_chunks
    (first_request_id, merchant_id, livemode, key_id, first_at_ms, last_at_ms, line_count, lines)
SELECT MIN(request_id), merchant_id, livemode, key_id, MIN(at_ms), MAX(at_ms), COUNT(*),
       json_group_array(json_array(request_id, at_ms, method, path, status, error_code,
           latency_us, client_ip, api_version,
           CASE WHEN replayed THEN json('true') ELSE json('false') END))
FROM request_logs
GROUP BY merchant_id, livemode, key_id, at_ms / 60000;

DROP TABLE request_logs;
