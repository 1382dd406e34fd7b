DROP TABLE canary_triggers;
ALTER TABLE api_keys DROP COLUMN exposed_url;
ALTER TABLE api_keys DROP COLUMN revoked_reason;
ALTER TABLE api_keys DROP COLUMN canary;
DROP TABLE form_submissions;
DROP INDEX audit_log_seq;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN seq;
DROP TABLE sign_in_failures;
