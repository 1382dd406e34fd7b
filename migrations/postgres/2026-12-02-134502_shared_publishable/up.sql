-- Rolling a secret key keeps its publishable key unless asked (SPEC §14): the new row
-- takes the old row's publishable key, so during the grace period two rows share it (the
-- pair check of the old secret still compares against it). A publishable key alone finds
-- the newest row of its chain (the one not rolled).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_publishable_key_key;
CREATE INDEX api_keys_publishable ON api_keys(publishable_key);
