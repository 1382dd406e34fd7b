DROP INDEX request_logs_scope;
DROP INDEX request_logs_key;
CREATE INDEX request_logs_scope ON request_logs(merchant_id, livemode, at_ms DESC);
CREATE INDEX request_logs_key ON request_logs(key_id, at_ms DESC);
