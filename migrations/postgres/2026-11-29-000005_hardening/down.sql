DROP TABLE form_submissions;
DROP INDEX audit_log_seq;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN seq;
DROP TABLE sign_in_failures;
