DROP TABLE key_policies;
