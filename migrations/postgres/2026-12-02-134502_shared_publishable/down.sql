DROP INDEX api_keys_publishable;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_publishable_key_key UNIQUE (publishable_key);
