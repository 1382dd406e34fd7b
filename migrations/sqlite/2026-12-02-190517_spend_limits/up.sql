-- Spend limits on secret keys (SPEC §17): the limits travel with the key (JSON text, read
-- into the verified-key cache), and each UTC window's counter is a row, added to by a
-- conditional UPDATE in the payment's or refund's own transaction.
ALTER TABLE api_keys ADD COLUMN spend_limits TEXT NOT NULL DEFAULT '';
CREATE TABLE key_spend (
    key_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    currency TEXT NOT NULL,
    period TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, resource, currency, period, window_start)
);
