-- Sign-in throttling (SPEC §2, §12): one row per attempt, written before the password is
-- checked and deleted when it succeeds, so concurrent guesses count. Known and unknown
-- emails alike. Rows older than an hour are deleted as attempts arrive.
CREATE TABLE sign_in_failures (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_pair ON sign_in_failures(email, ip, at);
CREATE INDEX sign_in_failures_email ON sign_in_failures(email, at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures(ip, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures(at);

-- The audit log as one hash chain: seq orders it, hash = SHA-256(previous hash ‖ the row
-- as JSON). Existing rows are chained by the program right after migrating (SQLite has
-- no SHA-256), see db::migrate.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log(seq);

-- Card numbers: only the simulator's test cards could ever be stored; mask them where
-- they were kept (payments, events' data.object, stored idempotent answers).
UPDATE payments SET payment_method = '************' || right(payment_method, 4)
    WHERE length(payment_method) > 4 AND payment_method NOT LIKE '*%';
UPDATE events SET data = replace(replace(replace(data,
    '4242424242424242', '************4242'),
    '4000000000000002', '************0002'),
    '4000000000009995', '************9995');
UPDATE idempotency_keys SET response_body = replace(replace(replace(response_body,
    '4242424242424242', '************4242'),
    '4000000000000002', '************0002'),
    '4000000000009995', '************9995')
    WHERE response_body IS NOT NULL;

-- Single-use create forms: a form's token is recorded with what it made, so the same
-- form sent twice (a double click, a resubmit) makes one key and shows that one.
CREATE TABLE form_submissions (
    token TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    result_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Leaked and canary keys (SPEC §12): why a key was revoked (`user` or `exposed`, with
-- where it was found), and canaries, keys that exist only to be noticed when used.
ALTER TABLE api_keys ADD COLUMN canary BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE api_keys ADD COLUMN revoked_reason TEXT;
ALTER TABLE api_keys ADD COLUMN exposed_url TEXT;
-- One canary event per canary and client IP per hour: when each last raised one.
CREATE TABLE canary_triggers (
    key_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (key_id, ip)
);

-- Accounts (SPEC §12): where each session signed in from, and when its password (and
-- code) was last entered, for sudo mode.
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN sudo_at BIGINT;
-- Two-factor: the TOTP secret, encrypted (AEAD under a key derived from PAYDESK_SECRET);
-- NULL until confirmed. The last accepted time step, so a code is accepted once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE merchants ADD COLUMN require_2fa BOOLEAN NOT NULL DEFAULT FALSE;
-- Recovery codes: SHA-256 of each, deleted when used.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
