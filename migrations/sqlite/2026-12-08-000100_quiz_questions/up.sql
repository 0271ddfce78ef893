-- Quizzes graded on the server (issue 19): questions with their choices,
-- the quiz's attempt settings, attempts that are started, answered and
-- then graded, and every answer kept with its grade.

ALTER TABLE quizzes ADD COLUMN max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts BETWEEN 1 AND 100);
ALTER TABLE quizzes ADD COLUMN time_limit_minutes INTEGER CHECK (time_limit_minutes IS NULL OR time_limit_minutes BETWEEN 1 AND 1440);
ALTER TABLE quizzes ADD COLUMN shuffle_questions BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE quizzes ADD COLUMN shuffle_choices BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE quizzes ADD COLUMN reveal_answers VARCHAR(20) NOT NULL DEFAULT 'after_submit'
    CHECK (reveal_answers IN ('after_submit', 'after_due', 'never'));

CREATE TABLE quiz_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    quiz_id INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    kind VARCHAR(20) NOT NULL
        CHECK (kind IN ('single_choice', 'multiple_choice', 'true_false', 'short_answer')),
    prompt TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points BETWEEN 1 AND 1000),
    explanation TEXT,
    -- short_answer only: a JSON array of the accepted answers as written.
    accepted_answers TEXT,
    position INTEGER NOT NULL,
    -- Kept at grading: graded answers to this question, and the right ones.
    answered_count INTEGER NOT NULL DEFAULT 0,
    correct_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX quiz_questions_quiz_id_idx ON quiz_questions (quiz_id, position);

CREATE TABLE quiz_choices (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES quiz_questions (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    is_correct BOOLEAN NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX quiz_choices_question_id_idx ON quiz_choices (question_id, position);

-- An attempt is started (in_progress: no score, no submission time), then
-- graded. Attempts made before this migration were graded at submission.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt (nothing
-- references it yet), keeping ids and the AUTOINCREMENT sequence.
CREATE TABLE quiz_attempts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    quiz_id INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    score DOUBLE,
    passed BOOLEAN NOT NULL,
    submitted_at TIMESTAMP,
    status VARCHAR(20) NOT NULL DEFAULT 'graded'
        CHECK (status IN ('in_progress', 'graded')),
    attempt_number INTEGER NOT NULL,
    started_at TIMESTAMP NOT NULL,
    -- started_at + the time limit; the grace is added when it is checked.
    deadline_at TIMESTAMP,
    -- Orders the questions and choices of this attempt (stable within it).
    shuffle_seed INTEGER NOT NULL DEFAULT 0,
    points DOUBLE,
    max_points DOUBLE,
    -- The staff member who recorded a grade (quizzes without questions).
    graded_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
INSERT INTO quiz_attempts_rebuilt
    (id, enrollment_id, quiz_id, score, passed, submitted_at, status, attempt_number, started_at)
SELECT a.id, a.enrollment_id, a.quiz_id, a.score, a.passed, a.submitted_at, 'graded',
    (SELECT COUNT(*) FROM quiz_attempts b
     WHERE b.enrollment_id = a.enrollment_id AND b.quiz_id = a.quiz_id AND b.id <= a.id),
    a.submitted_at
FROM quiz_attempts a;
DROP TABLE quiz_attempts;
ALTER TABLE quiz_attempts_rebuilt RENAME TO quiz_attempts;
-- Numbers are unique per student and quiz: the attempt limit holds even
-- if two starts raced past the enrollment's lock.
CREATE UNIQUE INDEX quiz_attempts_number_key ON quiz_attempts (enrollment_id, quiz_id, attempt_number);
CREATE INDEX quiz_attempts_quiz_id_idx ON quiz_attempts (quiz_id);
CREATE INDEX quiz_attempts_graded_by_idx ON quiz_attempts (graded_by);
-- The worker's sweep of attempts whose time is over.
CREATE INDEX quiz_attempts_open_idx ON quiz_attempts (deadline_at) WHERE status = 'in_progress';

CREATE TABLE quiz_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    attempt_id INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES quiz_questions (id) ON DELETE CASCADE,
    -- Choice questions: a JSON array of the chosen choice ids.
    choice_ids TEXT,
    -- short_answer: the text as typed.
    text_answer TEXT,
    -- Set at grading.
    is_correct BOOLEAN,
    points DOUBLE,
    answered_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX quiz_answers_key ON quiz_answers (attempt_id, question_id);
CREATE INDEX quiz_answers_question_id_idx ON quiz_answers (question_id);
