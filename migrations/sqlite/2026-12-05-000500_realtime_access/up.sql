-- Access signals for open event streams (issue 21, requirement 6). A stream
-- checks its reader's access when it opens, and again only when something
-- that grants it changes: an enrollment's status or the enrollment itself,
-- an account's role or the account, a course's instructor or the course, a
-- topic's moderation or the topic, a live session. SQLite has no NOTIFY:
-- triggers write each such change here, in the transaction of the write
-- (cascades and manual SQL included), and the gateway's poller reads the
-- new rows with the streamed tables' new ids. The poller deletes rows
-- older than a few minutes. PostgreSQL sends the same changes by NOTIFY.
CREATE TABLE realtime_access_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- `user`, `course`, `topic` or `session`.
    scope TEXT NOT NULL,
    scope_key INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_realtime_access_changes_created_at ON realtime_access_changes (created_at);

CREATE TRIGGER enrollments_realtime_access AFTER UPDATE OF status ON enrollments
    WHEN old.status IS NOT new.status BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('user', new.user_id);
END;
CREATE TRIGGER enrollments_realtime_access_delete AFTER DELETE ON enrollments BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('user', old.user_id);
END;
CREATE TRIGGER users_realtime_access AFTER UPDATE OF role ON users
    WHEN old.role IS NOT new.role BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('user', new.id);
END;
CREATE TRIGGER users_realtime_access_delete AFTER DELETE ON users BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('user', old.id);
END;
CREATE TRIGGER courses_realtime_access AFTER UPDATE OF instructor_id ON courses
    WHEN old.instructor_id IS NOT new.instructor_id BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('course', new.id);
END;
CREATE TRIGGER courses_realtime_access_delete AFTER DELETE ON courses BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('course', old.id);
END;
CREATE TRIGGER forum_topics_realtime_access AFTER UPDATE OF is_hidden ON forum_topics
    WHEN old.is_hidden IS NOT new.is_hidden BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('topic', new.id);
END;
CREATE TRIGGER forum_topics_realtime_access_delete AFTER DELETE ON forum_topics BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('topic', old.id);
END;
CREATE TRIGGER live_sessions_realtime_access_delete AFTER DELETE ON live_sessions BEGIN
    INSERT INTO realtime_access_changes (scope, scope_key) VALUES ('session', old.id);
END;
