-- Live sessions on Jitsi Meet (seed §1.2.1): sessions, their participants
-- with attendance, and the session chat.

CREATE TABLE live_sessions (
    id SERIAL PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    instructor_id INTEGER NOT NULL REFERENCES users (id),
    title VARCHAR(255) NOT NULL,
    description TEXT,
    scheduled_start_time TIMESTAMP NOT NULL,
    scheduled_end_time TIMESTAMP NOT NULL,
    actual_start_time TIMESTAMP,
    actual_end_time TIMESTAMP,
    status VARCHAR(50) NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'ended', 'cancelled')),
    jitsi_room_name VARCHAR(255) NOT NULL,
    jitsi_server_url VARCHAR(255) NOT NULL,
    max_participants INTEGER NOT NULL DEFAULT 100 CHECK (max_participants >= 1),
    recording_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    recording_url TEXT,
    -- Distinct students admitted, kept with every join so the limit check
    -- and the lists never recount.
    participant_count INTEGER NOT NULL DEFAULT 0,
    -- Grows with every change a calendar must see (times, title, status):
    -- the iCalendar SEQUENCE of the session's event.
    revision INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (scheduled_end_time > scheduled_start_time)
);
CREATE UNIQUE INDEX live_sessions_jitsi_room_name_key ON live_sessions (jitsi_room_name);
CREATE INDEX live_sessions_course_start_idx ON live_sessions (course_id, scheduled_start_time);
-- The instructor dashboard: one instructor's sessions by start time.
CREATE INDEX live_sessions_instructor_start_idx ON live_sessions (instructor_id, scheduled_start_time);

CREATE TABLE live_session_participants (
    id SERIAL PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    enrolled_at TIMESTAMP NOT NULL,
    joined_at TIMESTAMP,
    left_at TIMESTAMP,
    -- Minutes, summed over every join/leave cycle.
    attendance_duration INTEGER,
    -- Staff join too, but only students count against max_participants.
    is_staff BOOLEAN NOT NULL DEFAULT FALSE,
    -- Seconds of closed cycles; attendance_duration is its whole minutes,
    -- so short cycles add up instead of each rounding down to zero.
    attendance_seconds INTEGER NOT NULL DEFAULT 0,
    -- Time of the latest JaaS join/leave event applied: webhooks arrive out
    -- of order, and an older event must not undo a newer one.
    last_event_at TIMESTAMP
);
CREATE UNIQUE INDEX live_session_participants_session_user_key ON live_session_participants (session_id, user_id);
CREATE INDEX live_session_participants_user_id_idx ON live_session_participants (user_id);

CREATE TABLE live_session_chat (
    id SERIAL PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    message_type VARCHAR(50) NOT NULL DEFAULT 'message' CHECK (message_type IN ('message', 'question', 'answer')),
    is_pinned BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
-- Polling reads a session's messages after an id, in order.
CREATE INDEX live_session_chat_session_id_idx ON live_session_chat (session_id, id);
CREATE INDEX live_session_chat_user_id_idx ON live_session_chat (user_id);

-- JaaS webhooks are delivered at least once: each idempotency key is applied once.
CREATE TABLE live_session_webhook_events (
    id SERIAL PRIMARY KEY,
    idempotency_key VARCHAR(255) NOT NULL,
    event_type VARCHAR(64) NOT NULL,
    session_id INTEGER REFERENCES live_sessions (id) ON DELETE CASCADE,
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX live_session_webhook_events_key ON live_session_webhook_events (idempotency_key);
CREATE INDEX live_session_webhook_events_session_id_idx ON live_session_webhook_events (session_id);
