-- An endpoint failing everything for 3 days is disabled (SPEC §9): when its current run
-- of failures began (cleared by any delivery), and why it was disabled, for the banner.
ALTER TABLE webhook_endpoints ADD COLUMN failing_since BIGINT;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_reason TEXT;

-- Notices sent once each (api_key.expiring 7 days and 1 day before, api_key.expired):
-- the primary key makes "once" hold across instances.
CREATE TABLE lifecycle_notices (
    subject_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (subject_id, kind)
);
