-- Course ratings (seed §3.2.1), helpful votes, the certificate flow's
-- "later" on the rating prompt, and the statistics kept on courses (§3.2.2).

CREATE TABLE course_ratings (
    id SERIAL PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating >= 1 AND rating <= 5),
    comment TEXT,
    pros TEXT,
    cons TEXT,
    would_recommend BOOLEAN NOT NULL DEFAULT TRUE,
    is_verified_purchase BOOLEAN NOT NULL DEFAULT TRUE,
    is_anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    status VARCHAR(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    moderation_reason TEXT,
    moderated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    moderated_at TIMESTAMP,
    helpful_count INTEGER NOT NULL DEFAULT 0,
    instructor_response TEXT,
    instructor_response_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    instructor_response_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One rating per student and course, whatever happens concurrently.
CREATE UNIQUE INDEX course_ratings_course_user_key ON course_ratings (course_id, user_id);
-- The list's three sort orders, among the course's approved ratings.
CREATE INDEX course_ratings_course_status_created_idx ON course_ratings (course_id, status, created_at);
CREATE INDEX course_ratings_course_status_helpful_idx ON course_ratings (course_id, status, helpful_count);
CREATE INDEX course_ratings_course_status_rating_idx ON course_ratings (course_id, status, rating);
CREATE INDEX course_ratings_user_id_idx ON course_ratings (user_id);
CREATE INDEX course_ratings_enrollment_id_idx ON course_ratings (enrollment_id);
CREATE INDEX course_ratings_moderated_by_idx ON course_ratings (moderated_by);
CREATE INDEX course_ratings_instructor_response_by_idx ON course_ratings (instructor_response_by);

CREATE TABLE rating_helpful_votes (
    id SERIAL PRIMARY KEY,
    rating_id INTEGER NOT NULL REFERENCES course_ratings (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rating_helpful_votes_key ON rating_helpful_votes (rating_id, user_id);
CREATE INDEX rating_helpful_votes_user_id_idx ON rating_helpful_votes (user_id);

CREATE TABLE rating_prompt_dismissals (
    id SERIAL PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    dismissed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rating_prompt_dismissals_enrollment_key ON rating_prompt_dismissals (enrollment_id);

-- Statistics of approved ratings. The distribution is five counters, a form
-- both backends have and that concurrent updates can increment atomically;
-- the API answers it as the seed's {"1": n, …, "5": n} object.
ALTER TABLE courses ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN rating_count_1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN rating_count_2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN rating_count_3 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN rating_count_4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN rating_count_5 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN recommend_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN recommendation_rate DOUBLE PRECISION NOT NULL DEFAULT 0;
