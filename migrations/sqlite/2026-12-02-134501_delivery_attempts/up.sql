-- Every attempt of a webhook delivery (SPEC §14): written in the transaction that records
-- the attempt's outcome on its delivery, so the history and the delivery never disagree.
-- The response's headers (a JSON list of [name, value]) and first 4 KiB of body are
-- kept, and the payload that was sent.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL,
    -- Unix ms.
    attempted_at BIGINT NOT NULL,
    status_code INTEGER,
    -- Microseconds from sending to the end of the kept body.
    latency_us BIGINT NOT NULL,
    error TEXT,
    response_headers TEXT,
    response_body TEXT,
    -- The payload posted; none when the attempt was not sent (the endpoint was gone).
    request_body TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempted_at);
