DROP TABLE quiz_answers;
CREATE TABLE quiz_attempts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    quiz_id INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    score DOUBLE NOT NULL,
    passed BOOLEAN NOT NULL,
    submitted_at TIMESTAMP NOT NULL
);
INSERT INTO quiz_attempts_rebuilt (id, enrollment_id, quiz_id, score, passed, submitted_at)
SELECT id, enrollment_id, quiz_id, score, passed, submitted_at FROM quiz_attempts
WHERE status = 'graded';
DROP TABLE quiz_attempts;
ALTER TABLE quiz_attempts_rebuilt RENAME TO quiz_attempts;
CREATE INDEX quiz_attempts_enrollment_id_idx ON quiz_attempts (enrollment_id, quiz_id);
CREATE INDEX quiz_attempts_quiz_id_idx ON quiz_attempts (quiz_id);
DROP TABLE quiz_choices;
DROP TABLE quiz_questions;
ALTER TABLE quizzes DROP COLUMN reveal_answers;
ALTER TABLE quizzes DROP COLUMN shuffle_choices;
ALTER TABLE quizzes DROP COLUMN shuffle_questions;
ALTER TABLE quizzes DROP COLUMN time_limit_minutes;
ALTER TABLE quizzes DROP COLUMN max_attempts;
