-- The payments API's objects. Every row belongs to one merchant and one mode
-- (livemode); every query filters on both. Ids are time-ordered, so ORDER BY id DESC
-- is newest first and cursors compare ids.
CREATE TABLE customers (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    email TEXT,
    name TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX customers_scope ON customers(merchant_id, livemode, id);

CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    billing_interval TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX plans_scope ON plans(merchant_id, livemode, id);

CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    customer_id TEXT,
    payment_method TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_code TEXT,
    amount_refunded BIGINT NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_scope ON payments(merchant_id, livemode, id);

CREATE TABLE refunds (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments(id),
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX refunds_scope ON refunds(merchant_id, livemode, id);

CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    plan_id TEXT NOT NULL REFERENCES plans(id),
    status TEXT NOT NULL,
    current_period_end BIGINT NOT NULL,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    canceled_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_scope ON subscriptions(merchant_id, livemode, id);

CREATE TABLE client_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    customer_id TEXT,
    client_token TEXT NOT NULL,
    status TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX client_sessions_scope ON client_sessions(merchant_id, livemode, id);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode BOOLEAN NOT NULL,
    event_type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_scope ON events(merchant_id, livemode, id);
