-- E-mail notifications (issue 7): each user's notification language. The
-- e-mails themselves are jobs (kind `email`) in the existing jobs table.

-- Only users who chose a language have a row; without one, French.
CREATE TABLE notification_settings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- fr or en (checked by mdsc-notify, not here: a new language then
    -- needs no table rebuild on SQLite).
    locale TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX notification_settings_user_id_key ON notification_settings (user_id);
