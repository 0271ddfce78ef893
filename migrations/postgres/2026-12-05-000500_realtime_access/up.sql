-- Access signals for open event streams (issue 21, requirement 6). A stream
-- checks its reader's access when it opens, and again only when something
-- that grants it changes: an enrollment's status or the enrollment itself,
-- an account's role or the account, a course's instructor or the course, a
-- topic's moderation or the topic, a live session. Each such change sends
-- a NOTIFY on `mdsc_realtime` when (and only if) its transaction commits,
-- from triggers so no write path (cascades and manual SQL included) can
-- forget it.
--
-- Payload: `schema|access|scope|key`, e.g. `public|access|user|12`, with
-- scope `user`, `course`, `topic` or `session`.
CREATE FUNCTION mdsc_realtime_access() RETURNS trigger AS $$
DECLARE
    scope TEXT := TG_ARGV[0];
    changed RECORD;
    scope_key INTEGER;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    IF TG_TABLE_NAME = 'enrollments' THEN
        scope_key := changed.user_id;
    ELSE
        scope_key := changed.id;
    END IF;
    PERFORM pg_notify(
        'mdsc_realtime',
        TG_TABLE_SCHEMA || '|access|' || scope || '|' || scope_key
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER enrollments_realtime_access AFTER UPDATE OF status ON enrollments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION mdsc_realtime_access('user');
CREATE TRIGGER enrollments_realtime_access_delete AFTER DELETE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_access('user');
CREATE TRIGGER users_realtime_access AFTER UPDATE OF role ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION mdsc_realtime_access('user');
CREATE TRIGGER users_realtime_access_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_access('user');
CREATE TRIGGER courses_realtime_access AFTER UPDATE OF instructor_id ON courses
    FOR EACH ROW WHEN (OLD.instructor_id IS DISTINCT FROM NEW.instructor_id)
    EXECUTE FUNCTION mdsc_realtime_access('course');
CREATE TRIGGER courses_realtime_access_delete AFTER DELETE ON courses
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_access('course');
CREATE TRIGGER forum_topics_realtime_access AFTER UPDATE OF is_hidden ON forum_topics
    FOR EACH ROW WHEN (OLD.is_hidden IS DISTINCT FROM NEW.is_hidden)
    EXECUTE FUNCTION mdsc_realtime_access('topic');
CREATE TRIGGER forum_topics_realtime_access_delete AFTER DELETE ON forum_topics
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_access('topic');
CREATE TRIGGER live_sessions_realtime_access_delete AFTER DELETE ON live_sessions
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_access('session');

-- SQLite's gateway polls its access changes from this table (see the
-- SQLite migration); PostgreSQL's hear them by NOTIFY, and this table
-- stays empty here. It exists in both so the two schemas stay one.
CREATE TABLE realtime_access_changes (
    id SERIAL PRIMARY KEY,
    scope TEXT NOT NULL,
    scope_key INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_realtime_access_changes_created_at ON realtime_access_changes (created_at);
