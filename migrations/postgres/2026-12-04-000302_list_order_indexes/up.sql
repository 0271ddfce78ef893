-- Issue 21: an index for each list order, ending with the id that breaks
-- ties, so page 1 (and a keyset page after a cursor) reads only its own
-- rows in index order, without sorting the whole list.

-- The catalogue: everything newest first (admins), one instructor's courses.
-- (Published ones use courses_published_created_idx.)
CREATE INDEX courses_created_idx ON courses (created_at, id);
DROP INDEX courses_instructor_id_idx;
CREATE INDEX courses_instructor_created_idx ON courses (instructor_id, created_at, id);

-- "My enrollments", newest first.
DROP INDEX enrollments_user_id_idx;
CREATE INDEX enrollments_user_enrolled_idx ON enrollments (user_id, enrolled_at, id);

-- Ratings: the three sorts within one moderation status (readers see the
-- approved ones; staff list by status) and across every status (staff, `all`).
DROP INDEX course_ratings_course_status_created_idx;
DROP INDEX course_ratings_course_status_helpful_idx;
DROP INDEX course_ratings_course_status_rating_idx;
CREATE INDEX course_ratings_course_status_created_idx ON course_ratings (course_id, status, created_at, id);
CREATE INDEX course_ratings_course_status_helpful_idx ON course_ratings (course_id, status, helpful_count, created_at, id);
CREATE INDEX course_ratings_course_status_rating_idx ON course_ratings (course_id, status, rating, created_at, id);
CREATE INDEX course_ratings_course_created_idx ON course_ratings (course_id, created_at, id);
CREATE INDEX course_ratings_course_helpful_idx ON course_ratings (course_id, helpful_count, created_at, id);
CREATE INDEX course_ratings_course_rating_idx ON course_ratings (course_id, rating, created_at, id);

-- Live sessions by start time: a course's, an instructor's, everyone's (admins).
DROP INDEX live_sessions_course_start_idx;
DROP INDEX live_sessions_instructor_start_idx;
CREATE INDEX live_sessions_course_start_idx ON live_sessions (course_id, scheduled_start_time, id);
CREATE INDEX live_sessions_instructor_start_idx ON live_sessions (instructor_id, scheduled_start_time, id);
CREATE INDEX live_sessions_start_idx ON live_sessions (scheduled_start_time, id);

-- A session's participants in admission order.
CREATE INDEX live_session_participants_session_enrolled_idx ON live_session_participants (session_id, enrolled_at, id);
