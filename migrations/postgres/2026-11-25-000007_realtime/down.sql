DROP TRIGGER forum_replies_realtime ON forum_replies;
DROP TRIGGER live_session_chat_realtime ON live_session_chat;
DROP TRIGGER notifications_realtime ON notifications;
DROP FUNCTION mdsc_realtime_notify();
