UPDATE request_logs SET latency_us = latency_us / 1000;
ALTER TABLE request_logs RENAME COLUMN latency_us TO latency_ms;
