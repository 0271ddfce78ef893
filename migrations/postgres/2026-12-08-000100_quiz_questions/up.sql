-- Quizzes graded on the server (issue 19): questions with their choices,
-- the quiz's attempt settings, attempts that are started, answered and
-- then graded, and every answer kept with its grade.

ALTER TABLE quizzes ADD COLUMN max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts BETWEEN 1 AND 100);
ALTER TABLE quizzes ADD COLUMN time_limit_minutes INTEGER CHECK (time_limit_minutes IS NULL OR time_limit_minutes BETWEEN 1 AND 1440);
ALTER TABLE quizzes ADD COLUMN shuffle_questions BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE quizzes ADD COLUMN shuffle_choices BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE quizzes ADD COLUMN reveal_answers VARCHAR(20) NOT NULL DEFAULT 'after_submit'
    CHECK (reveal_answers IN ('after_submit', 'after_due', 'never'));

CREATE TABLE quiz_questions (
    id SERIAL PRIMARY KEY,
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
    id SERIAL PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES quiz_questions (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    is_correct BOOLEAN NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX quiz_choices_question_id_idx ON quiz_choices (question_id, position);

-- An attempt is started (in_progress: no score, no submission time), then
-- graded. Attempts made before this migration were graded at submission.
ALTER TABLE quiz_attempts ALTER COLUMN score DROP NOT NULL;
ALTER TABLE quiz_attempts ALTER COLUMN submitted_at DROP NOT NULL;
ALTER TABLE quiz_attempts ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'graded'
    CHECK (status IN ('in_progress', 'graded'));
ALTER TABLE quiz_attempts ADD COLUMN attempt_number INTEGER;
UPDATE quiz_attempts SET attempt_number = numbered.n
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY enrollment_id, quiz_id ORDER BY id) AS n
    FROM quiz_attempts
) AS numbered
WHERE numbered.id = quiz_attempts.id;
ALTER TABLE quiz_attempts ALTER COLUMN attempt_number SET NOT NULL;
ALTER TABLE quiz_attempts ADD COLUMN started_at TIMESTAMP;
UPDATE quiz_attempts SET started_at = submitted_at;
ALTER TABLE quiz_attempts ALTER COLUMN started_at SET NOT NULL;
-- started_at + the time limit; the grace is added when it is checked.
ALTER TABLE quiz_attempts ADD COLUMN deadline_at TIMESTAMP;
-- Orders the questions and choices of this attempt (stable within it).
ALTER TABLE quiz_attempts ADD COLUMN shuffle_seed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quiz_attempts ADD COLUMN points DOUBLE PRECISION;
ALTER TABLE quiz_attempts ADD COLUMN max_points DOUBLE PRECISION;
-- The staff member who recorded a grade (quizzes without questions).
ALTER TABLE quiz_attempts ADD COLUMN graded_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
DROP INDEX quiz_attempts_enrollment_id_idx;
-- Numbers are unique per student and quiz: the attempt limit holds even
-- if two starts raced past the enrollment's lock.
CREATE UNIQUE INDEX quiz_attempts_number_key ON quiz_attempts (enrollment_id, quiz_id, attempt_number);
CREATE INDEX quiz_attempts_graded_by_idx ON quiz_attempts (graded_by);
-- The worker's sweep of attempts whose time is over.
CREATE INDEX quiz_attempts_open_idx ON quiz_attempts (deadline_at) WHERE status = 'in_progress';

CREATE TABLE quiz_answers (
    id SERIAL PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES quiz_questions (id) ON DELETE CASCADE,
    -- Choice questions: a JSON array of the chosen choice ids.
    choice_ids TEXT,
    -- short_answer: the text as typed.
    text_answer TEXT,
    -- Set at grading.
    is_correct BOOLEAN,
    points DOUBLE PRECISION,
    answered_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX quiz_answers_key ON quiz_answers (attempt_id, question_id);
CREATE INDEX quiz_answers_question_id_idx ON quiz_answers (question_id);
