-- Notifications (seed §6.1): written in the transaction of the change that
-- causes them; per-type preferences; who follows which course forum.

CREATE TABLE notifications (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- forum_reply, forum_topic, live_session_scheduled, … (see mdsc-notify).
    type VARCHAR(40) NOT NULL,
    title VARCHAR(255) NOT NULL,
    body TEXT NOT NULL,
    -- JSON: the ids concerned and an app-relative `link`.
    data TEXT NOT NULL,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- A user's list, newest first, and its unread part.
CREATE INDEX notifications_user_id_id_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;

-- Only what differs from the default (in-app and e-mail on) is stored.
CREATE TABLE notification_preferences (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type VARCHAR(40) NOT NULL,
    in_app BOOLEAN NOT NULL,
    email BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX notification_preferences_user_id_type_key ON notification_preferences (user_id, type);

-- An explicit choice to follow a course forum or not; without one,
-- enrolled students and the course's instructor follow it.
CREATE TABLE forum_follows (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    following BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_follows_user_id_course_id_key ON forum_follows (user_id, course_id);
CREATE INDEX forum_follows_course_id_idx ON forum_follows (course_id);

-- Background work the gateway's worker runs when due (reminders). A due
-- job is claimed by one worker (FOR UPDATE SKIP LOCKED on PostgreSQL, the
-- database write lock on SQLite) and finished in the transaction of its
-- effect, so it takes effect once even with several gateways.
CREATE TABLE jobs (
    id SERIAL PRIMARY KEY,
    kind VARCHAR(40) NOT NULL,
    -- What the job is for (e.g. live_reminder:7:1440): scheduling it again
    -- moves the same job.
    job_key VARCHAR(120) NOT NULL,
    payload TEXT NOT NULL,
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_by VARCHAR(64),
    locked_until TIMESTAMP,
    last_error TEXT,
    -- done, failed (after the last attempt) or cancelled.
    outcome VARCHAR(16),
    finished_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX jobs_job_key_key ON jobs (job_key);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE finished_at IS NULL;
