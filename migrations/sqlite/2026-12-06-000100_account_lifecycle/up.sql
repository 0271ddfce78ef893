-- Account lifecycle (issue 20): revocation, disabled accounts, password
-- resets, profile settings.

-- Bumped when every token issued before must stop working (a password
-- changed or reset, the account disabled, its role changed). Tokens carry
-- the version they were issued at.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
-- `active` or `disabled`: a disabled account keeps its data, cannot sign
-- in, and its tokens are refused.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'disabled'));
-- The default time zone of the user's new study schedules (IANA name).
ALTER TABLE users ADD COLUMN time_zone TEXT;

-- Tokens ended one by one (logout) before they expire; rows whose token
-- has expired anyway are purged by the worker.
CREATE TABLE revoked_tokens (
    token_id TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at);
CREATE INDEX revoked_tokens_user_id_idx ON revoked_tokens (user_id);

-- Single-use password reset links: only a digest of the token is kept.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);

-- Open event streams check their access again when a token is revoked or
-- every token of the account is (see 000500_realtime_access).
CREATE TRIGGER users_realtime_access_tokens AFTER UPDATE OF token_version, status ON users
    WHEN old.token_version IS NOT new.token_version OR old.status IS NOT new.status BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('user', new.id);
END;
CREATE TRIGGER revoked_tokens_realtime_access AFTER INSERT ON revoked_tokens BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('user', new.user_id);
END;
