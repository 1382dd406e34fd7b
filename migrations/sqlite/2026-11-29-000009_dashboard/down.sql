DROP INDEX refunds_payment;
DROP INDEX payments_status;
DROP INDEX payments_customer;
DROP INDEX events_object;
ALTER TABLE events DROP COLUMN object_id;
