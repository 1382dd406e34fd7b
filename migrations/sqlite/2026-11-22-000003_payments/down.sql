DROP TABLE events;
DROP TABLE client_sessions;
DROP TABLE subscriptions;
DROP TABLE refunds;
DROP TABLE payments;
DROP TABLE plans;
DROP TABLE customers;
