DROP TABLE live_session_webhook_events;
DROP TABLE live_session_chat;
DROP TABLE live_session_participants;
DROP TABLE live_sessions;
