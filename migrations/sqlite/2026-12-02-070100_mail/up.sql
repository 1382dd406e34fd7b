-- Mail (SPEC §14): an outbox written in the action's transaction and sent by a worker on
-- every instance, claimed like webhook deliveries (one instance sends each mail).
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- What the mail is about: a notification kind, `invitation`, `password_reset`…
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- The plain-text body and the link it carries; both are blanked once the mail is
    -- sent or given up, so a link's token does not stay in the database.
    body TEXT NOT NULL,
    link TEXT,
    -- pending, sent or failed.
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix ms; also the lease of an attempt in flight.
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);

-- The notification kinds a person switched off on /account (every kind is on unless a
-- row says otherwise).
CREATE TABLE mail_opt_outs (
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
