DROP TRIGGER revoked_tokens_realtime_access ON revoked_tokens;
DROP FUNCTION mdsc_realtime_token_revoked();
DROP TRIGGER users_realtime_access_tokens ON users;
DROP TABLE password_resets;
DROP TABLE revoked_tokens;
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN status;
ALTER TABLE users DROP COLUMN token_version;
