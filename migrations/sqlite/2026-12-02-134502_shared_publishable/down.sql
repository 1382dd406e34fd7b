DROP INDEX api_keys_publishable;
CREATE UNIQUE INDEX api_keys_publishable_unique ON api_keys(publishable_key);
