-- Invitations (SPEC §14): an Admin invites an email with a role; the mail's link
-- carries a random token stored here only as its SHA-256. 72 hours, once: accepted_at
-- or revoked_at ends it; a resend replaces token_hash and expires_at.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invitations_merchant ON invitations(merchant_id, email);

-- Forgot password (SPEC §14): a link valid 30 minutes, once, and only while the
-- password is the one it was issued for (password_fingerprint: SHA-256 of the
-- password hash then).
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    password_fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- Every "Forgot password" request, known address or not, for its throttles (per
-- email, per client IP); rows older than an hour are deleted as new ones arrive.
CREATE TABLE password_reset_requests (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX password_reset_requests_email ON password_reset_requests(email, at);
CREATE INDEX password_reset_requests_ip ON password_reset_requests(ip, at);
CREATE INDEX password_reset_requests_at ON password_reset_requests(at);
