-- Request latencies in microseconds (SPEC §14, "Laptops": below 10 ms a page shows two
-- significant digits, `0.34 ms`; whole milliseconds read "0 ms" for most API calls).
-- Lines written before keep their millisecond precision, in microseconds.
ALTER TABLE request_logs RENAME COLUMN latency_ms TO latency_us;
UPDATE request_logs SET latency_us = latency_us * 1000;
