-- Foundation: users, courses and their structure, enrollments, progress, certificates.
-- Timestamps are UTC `TIMESTAMP` (no time zone): diesel's MultiConnection cannot carry
-- `Timestamptz`, and the API converts to RFC 3339 UTC at the edge.

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    password_hash TEXT NOT NULL,
    first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL,
    avatar TEXT,
    role VARCHAR(20) NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'instructor', 'admin')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- E-mails are stored lower-cased, so a plain unique index is case-insensitive.
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE courses (
    id SERIAL PRIMARY KEY,
    title VARCHAR(255) NOT NULL,
    slug VARCHAR(280) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    short_description VARCHAR(500),
    thumbnail_url TEXT,
    category VARCHAR(100),
    level VARCHAR(20),
    language VARCHAR(10) NOT NULL DEFAULT 'fr',
    instructor_id INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    is_published BOOLEAN NOT NULL DEFAULT TRUE,
    start_date TIMESTAMP,
    end_date TIMESTAMP,
    estimated_duration_weeks INTEGER,
    average_rating DOUBLE PRECISION NOT NULL DEFAULT 0,
    rating_count INTEGER NOT NULL DEFAULT 0,
    enrollment_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX courses_slug_key ON courses (slug);
CREATE INDEX courses_instructor_id_idx ON courses (instructor_id);
CREATE INDEX courses_published_created_idx ON courses (is_published, created_at, id);

CREATE TABLE course_modules (
    id SERIAL PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX course_modules_course_id_idx ON course_modules (course_id, position);

CREATE TABLE lessons (
    id SERIAL PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    module_id INTEGER NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
    title VARCHAR(255) NOT NULL,
    content TEXT,
    video_url TEXT,
    duration_minutes INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX lessons_course_id_idx ON lessons (course_id);
CREATE INDEX lessons_module_id_idx ON lessons (module_id, position);

CREATE TABLE quizzes (
    id SERIAL PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    module_id INTEGER NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    passing_score INTEGER NOT NULL DEFAULT 50,
    due_date TIMESTAMP,
    due_offset_days INTEGER,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX quizzes_course_id_idx ON quizzes (course_id);
CREATE INDEX quizzes_module_id_idx ON quizzes (module_id, position);

CREATE TABLE enrollments (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    status VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
    progress_percentage DOUBLE PRECISION NOT NULL DEFAULT 0,
    payment_id VARCHAR(255),
    enrolled_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
-- One enrollment that is not cancelled per user and course.
CREATE UNIQUE INDEX enrollments_one_active_key ON enrollments (user_id, course_id) WHERE status <> 'cancelled';
CREATE INDEX enrollments_user_id_idx ON enrollments (user_id, enrolled_at);
CREATE INDEX enrollments_course_id_idx ON enrollments (course_id);

CREATE TABLE lesson_completions (
    id SERIAL PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    completed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX lesson_completions_key ON lesson_completions (enrollment_id, lesson_id);
CREATE INDEX lesson_completions_lesson_id_idx ON lesson_completions (lesson_id);

CREATE TABLE quiz_attempts (
    id SERIAL PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    quiz_id INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    score DOUBLE PRECISION NOT NULL,
    passed BOOLEAN NOT NULL,
    submitted_at TIMESTAMP NOT NULL
);
CREATE INDEX quiz_attempts_enrollment_id_idx ON quiz_attempts (enrollment_id, quiz_id);
CREATE INDEX quiz_attempts_quiz_id_idx ON quiz_attempts (quiz_id);

CREATE TABLE certificates (
    id SERIAL PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    verification_code VARCHAR(64) NOT NULL,
    issued_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX certificates_enrollment_id_key ON certificates (enrollment_id);
CREATE UNIQUE INDEX certificates_verification_code_key ON certificates (verification_code);
CREATE INDEX certificates_user_id_idx ON certificates (user_id);
CREATE INDEX certificates_course_id_idx ON certificates (course_id);
