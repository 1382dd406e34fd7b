-- The request log's indexes in ascending time (SPEC §15). A line is always the newest of
-- its merchant and key, so it now lands at the end of its range, where a full page splits
-- cheaply; in descending order every line went to the front of the range, and SQLite
-- rebalanced a full page for most of them. Reading newest first walks the index backwards.
DROP INDEX request_logs_scope;
DROP INDEX request_logs_key;
CREATE INDEX request_logs_scope ON request_logs(merchant_id, livemode, at_ms);
CREATE INDEX request_logs_key ON request_logs(key_id, at_ms);
