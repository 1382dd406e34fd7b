DROP TABLE key_spend;
ALTER TABLE api_keys DROP COLUMN spend_limits;
