-- The audit chain becomes keyed (SPEC §13): hash = HMAC-SHA256(K, previous hash ‖ row
-- JSON), K derived from PAYDESK_SECRET, which SQL never sees. This row asks the program
-- to re-chain the rows that exist under K once, at its next start (see
-- db::models::audit::chain::rechain_once), and records that it did (keyed_at). Rows
-- written later are never chained by a start: only appends chain, so a row slipped in
-- without seq or hash stays a break that `paydesk audit verify` reports.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    keyed_at BIGINT
);
INSERT INTO audit_chain (id, keyed_at) VALUES (1, NULL);
