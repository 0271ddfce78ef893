-- Study schedules (seed §2): one per enrollment, its dated items, and the
-- per-user secret of the calendar subscription feed.

CREATE TABLE course_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    -- Copied from the enrollment: the feed and the calendar view read every
    -- schedule of one user, propagation every schedule of one course.
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    -- The student's preferences: IANA zone, ISO weekdays "1,2,3,4,5",
    -- weekly hours, morning | afternoon | evening.
    timezone TEXT NOT NULL,
    study_days TEXT NOT NULL,
    hours_per_week INTEGER NOT NULL,
    preferred_time TEXT NOT NULL,
    generated_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One schedule per enrollment, also when two generations run at once.
CREATE UNIQUE INDEX course_schedules_enrollment_id_key ON course_schedules (enrollment_id);
CREATE INDEX course_schedules_user_id_idx ON course_schedules (user_id);
CREATE INDEX course_schedules_course_id_idx ON course_schedules (course_id);

CREATE TABLE schedule_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id INTEGER NOT NULL REFERENCES course_schedules (id) ON DELETE CASCADE,
    -- The planner's stable key (lesson:12, quiz:3, milestone:50, live:7,
    -- custom:<uuid>): re-planning updates the item with the same key, so
    -- the item keeps its id and its calendar UID.
    item_key TEXT NOT NULL,
    item_type TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    due_date TIMESTAMP,
    status TEXT NOT NULL,
    -- Placed by the student: re-planning keeps its time.
    is_moved BOOLEAN NOT NULL DEFAULT 0,
    module_id INTEGER REFERENCES course_modules (id) ON DELETE SET NULL,
    lesson_id INTEGER REFERENCES lessons (id) ON DELETE SET NULL,
    quiz_id INTEGER REFERENCES quizzes (id) ON DELETE SET NULL,
    live_session_id INTEGER REFERENCES live_sessions (id) ON DELETE SET NULL,
    -- iCalendar SEQUENCE: grows with every change a calendar must apply.
    sequence INTEGER NOT NULL DEFAULT 0,
    -- When the item was cancelled: feeds keep it as STATUS:CANCELLED for
    -- 14 days, so subscribed calendars see the cancellation.
    cancelled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX schedule_items_schedule_id_item_key_key ON schedule_items (schedule_id, item_key);
CREATE INDEX schedule_items_module_id_idx ON schedule_items (module_id);
CREATE INDEX schedule_items_lesson_id_idx ON schedule_items (lesson_id);
CREATE INDEX schedule_items_quiz_id_idx ON schedule_items (quiz_id);
CREATE INDEX schedule_items_live_session_id_idx ON schedule_items (live_session_id);

CREATE TABLE calendar_feed_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 256 random bits, hex: the secret of the feed URL. Kept (not hashed)
    -- because the sync answer shows the same URL every time, as Google's
    -- secret address does; rotating replaces it.
    token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX calendar_feed_tokens_user_id_key ON calendar_feed_tokens (user_id);
CREATE UNIQUE INDEX calendar_feed_tokens_token_key ON calendar_feed_tokens (token);
