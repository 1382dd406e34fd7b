-- The dashboard (SPEC §10): a payment's page lists the events about it, found by the id
-- of the object each event carries.
ALTER TABLE events ADD COLUMN object_id TEXT;
UPDATE events SET object_id = json_extract(data, '$.id');
CREATE INDEX events_object ON events(merchant_id, livemode, object_id, id);
-- Payments listed per customer and by status.
CREATE INDEX payments_customer ON payments(merchant_id, livemode, customer_id, id);
CREATE INDEX payments_status ON payments(merchant_id, livemode, status, id);
CREATE INDEX refunds_payment ON refunds(payment_id, id);
