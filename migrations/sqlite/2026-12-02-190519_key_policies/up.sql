-- A merchant's rules for live keys (SPEC §17): none of them until an Admin sets one.
CREATE TABLE key_policies (
    merchant_id TEXT PRIMARY KEY NOT NULL REFERENCES merchants(id),
    live_max_lifetime_days INTEGER,
    live_require_allowed_ips BOOLEAN NOT NULL DEFAULT 0,
    live_require_signature BOOLEAN NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
