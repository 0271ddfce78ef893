DROP TRIGGER revoked_tokens_realtime_access;
DROP TRIGGER users_realtime_access_tokens;
DROP TABLE password_resets;
DROP TABLE revoked_tokens;
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN status;
ALTER TABLE users DROP COLUMN token_version;
