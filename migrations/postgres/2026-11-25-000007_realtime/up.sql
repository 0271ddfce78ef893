-- Real-time fan-out across gateway replicas: every new notification, live
-- chat message and forum reply sends a NOTIFY on the channel
-- `mdsc_realtime`, delivered to every listening gateway when (and only if)
-- the inserting transaction commits. Triggers rather than application
-- calls, so no insert path can forget it.
--
-- Payload: `schema|stream|key|id`, e.g. `public|notification|12|345`
-- (`key` is the user, the session or the topic). The schema lets several
-- databases-in-schemas (tests, staging) share one PostgreSQL without
-- reading each other's events.
CREATE FUNCTION mdsc_realtime_notify() RETURNS trigger AS $$
DECLARE
    stream TEXT := TG_ARGV[0];
    channel_key INTEGER;
BEGIN
    IF stream = 'notification' THEN
        channel_key := NEW.user_id;
    ELSIF stream = 'chat' THEN
        channel_key := NEW.session_id;
    ELSE
        channel_key := NEW.topic_id;
    END IF;
    PERFORM pg_notify(
        'mdsc_realtime',
        TG_TABLE_SCHEMA || '|' || stream || '|' || channel_key || '|' || NEW.id
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notifications_realtime AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_notify('notification');
CREATE TRIGGER live_session_chat_realtime AFTER INSERT ON live_session_chat
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_notify('chat');
CREATE TRIGGER forum_replies_realtime AFTER INSERT ON forum_replies
    FOR EACH ROW EXECUTE FUNCTION mdsc_realtime_notify('reply');
