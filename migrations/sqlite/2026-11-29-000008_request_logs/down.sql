DROP TABLE key_scope_hourly;
DROP TABLE key_usage_hourly;
DROP TABLE request_logs;
