DROP INDEX audit_log_target;
DROP TABLE api_keys;
