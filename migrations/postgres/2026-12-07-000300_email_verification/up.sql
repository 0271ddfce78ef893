-- E-mail verification (issue 20), required where REQUIRE_EMAIL_VERIFICATION
-- is on: until its address is verified, an account reads but does not post.
-- Accounts made before this existed count as verified when they were made.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
UPDATE users SET email_verified_at = created_at;

-- Single-use verification links: only a digest of the token is kept.
CREATE TABLE email_verifications (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_verifications_user_id_idx ON email_verifications (user_id);
