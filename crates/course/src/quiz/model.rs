//! Rows and API shapes of quiz questions, attempts and answers.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::UserSummary;
use mdsc_core::schema::{quiz_answers, quiz_attempts, quiz_choices, quiz_questions};
use mdsc_core::time::{utc, utc_opt};
use serde::{Deserialize, Serialize};

use crate::model::Enrollment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One right choice among 2–10.
    SingleChoice,
    /// One or more right choices among 2–10; partial credit (see `grading`).
    MultipleChoice,
    /// The choices "True" and "False", made by the server.
    TrueFalse,
    /// Typed text, compared with the accepted answers ignoring case,
    /// accents and surrounding spaces.
    ShortAnswer,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleChoice => "single_choice",
            Self::MultipleChoice => "multiple_choice",
            Self::TrueFalse => "true_false",
            Self::ShortAnswer => "short_answer",
        }
    }
    pub fn from_db(value: &str) -> Self {
        match value {
            "multiple_choice" => Self::MultipleChoice,
            "true_false" => Self::TrueFalse,
            "short_answer" => Self::ShortAnswer,
            _ => Self::SingleChoice,
        }
    }
    /// Answered by picking choices (the rest by typing).
    pub fn has_choices(self) -> bool {
        self != Self::ShortAnswer
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    /// Started, answers may still be saved.
    InProgress,
    /// Graded: by the server from the answers, or by course staff.
    Graded,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Graded => "graded",
        }
    }
    pub fn from_db(value: &str) -> Self {
        if value == "in_progress" {
            Self::InProgress
        } else {
            Self::Graded
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = quiz_questions)]
pub struct QuestionRow {
    pub id: i32,
    pub quiz_id: i32,
    pub kind: String,
    pub prompt: String,
    pub points: i32,
    pub explanation: Option<String>,
    pub accepted_answers: Option<String>,
    pub position: i32,
    pub answered_count: i32,
    pub correct_count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl QuestionRow {
    pub fn kind(&self) -> QuestionKind {
        QuestionKind::from_db(&self.kind)
    }
    /// The accepted answers of a short-answer question, as written.
    pub fn accepted(&self) -> Vec<String> {
        self.accepted_answers
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = quiz_choices)]
pub struct ChoiceRow {
    pub id: i32,
    pub question_id: i32,
    pub text: String,
    pub is_correct: bool,
    pub position: i32,
}

/// A choice with whether it is right: course staff's view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub id: i32,
    pub text: String,
    pub is_correct: bool,
}

/// A question with its answer key, as course staff read and edit it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: i32,
    pub quiz_id: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    pub points: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Choice questions: in their set order.
    pub choices: Vec<Choice>,
    /// `short_answer`: the answers accepted.
    pub accepted_answers: Vec<String>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Question {
    pub fn from_rows(row: QuestionRow, choices: Vec<ChoiceRow>) -> Self {
        let accepted_answers = row.accepted();
        Self {
            id: row.id,
            quiz_id: row.quiz_id,
            kind: row.kind(),
            prompt: row.prompt,
            points: row.points,
            explanation: row.explanation,
            choices: choices
                .into_iter()
                .map(|c| Choice {
                    id: c.id,
                    text: c.text,
                    is_correct: c.is_correct,
                })
                .collect(),
            accepted_answers,
            position: row.position,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = quiz_attempts)]
pub struct AttemptRow {
    pub id: i32,
    pub enrollment_id: i32,
    pub quiz_id: i32,
    pub score: Option<f64>,
    pub passed: bool,
    pub submitted_at: Option<NaiveDateTime>,
    pub status: String,
    pub attempt_number: i32,
    pub started_at: NaiveDateTime,
    pub deadline_at: Option<NaiveDateTime>,
    pub shuffle_seed: i32,
    pub points: Option<f64>,
    pub max_points: Option<f64>,
    pub graded_by: Option<i32>,
}

impl AttemptRow {
    pub fn status(&self) -> AttemptStatus {
        AttemptStatus::from_db(&self.status)
    }
}

/// One attempt at a quiz: started, then graded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuizAttempt {
    pub id: i32,
    pub enrollment_id: i32,
    pub quiz_id: i32,
    /// 1 for the student's first attempt at this quiz.
    pub attempt_number: i32,
    pub status: AttemptStatus,
    pub started_at: DateTime<Utc>,
    /// When the time limit ends (a short grace is allowed after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_at: Option<DateTime<Utc>>,
    /// Percent, two decimals; absent while in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// At or above the quiz's passing score.
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// Points earned out of `max_points` (server-graded attempts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_points: Option<f64>,
    /// The staff member who recorded this grade (quizzes without questions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graded_by: Option<i32>,
}

impl From<AttemptRow> for QuizAttempt {
    fn from(r: AttemptRow) -> Self {
        Self {
            id: r.id,
            enrollment_id: r.enrollment_id,
            quiz_id: r.quiz_id,
            attempt_number: r.attempt_number,
            status: r.status(),
            started_at: utc(r.started_at),
            deadline_at: utc_opt(r.deadline_at),
            score: r.score,
            passed: r.passed,
            submitted_at: utc_opt(r.submitted_at),
            points: r.points,
            max_points: r.max_points,
            graded_by: r.graded_by,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = quiz_answers)]
pub struct AnswerRow {
    pub id: i32,
    pub attempt_id: i32,
    pub question_id: i32,
    pub choice_ids: Option<String>,
    pub text_answer: Option<String>,
    pub is_correct: Option<bool>,
    pub points: Option<f64>,
    pub answered_at: NaiveDateTime,
}

impl AnswerRow {
    pub fn chosen(&self) -> Vec<i32> {
        self.choice_ids
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }
}

/// A choice as the student taking the quiz sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptChoice {
    pub id: i32,
    pub text: String,
}

/// The student's answer to one question, as saved.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct SavedAnswer {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choice_ids: Vec<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One question of an attempt, in the attempt's order. While the attempt
/// is in progress it carries no answer key; once graded, `is_correct` and
/// `points_awarded` tell the result, and the key (`correct_choice_ids`,
/// `accepted_answers`, `explanation`) appears only as the quiz's
/// `reveal_answers` allows (always for course staff).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptQuestion {
    pub id: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    pub points: i32,
    /// Choice questions, in this attempt's order.
    pub choices: Vec<AttemptChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<SavedAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_correct: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points_awarded: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_choice_ids: Option<Vec<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_answers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// An attempt with its questions (and, once graded, their results).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptDetail {
    pub attempt: QuizAttempt,
    /// Whether the answer key is shown in `questions`.
    pub answers_revealed: bool,
    pub questions: Vec<AttemptQuestion>,
}

/// The answer to a quiz submission: the graded attempt, the enrollment's
/// new progress and, for server-graded quizzes, each question's result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuizSubmission {
    pub attempt: QuizAttempt,
    pub enrollment: Enrollment,
    pub answers_revealed: bool,
    pub questions: Vec<AttemptQuestion>,
}

/// One answer as the student sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub question_id: i32,
    /// Choice questions: the ids of the chosen choices (one for single
    /// choice and true/false).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub choice_ids: Vec<i32>,
    /// `short_answer`: the typed answer (at most 1,000 characters, one line).
    #[schema(
        max_length = 1000,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub text: Option<String>,
}

/// An attempt as course staff list them, with its student.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudentAttempt {
    #[serde(flatten)]
    pub attempt: QuizAttempt,
    pub student: UserSummary,
}

/// How one question fared across every graded attempt of the quiz.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionStatistics {
    pub question_id: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    pub position: i32,
    /// Graded answers to this question (unanswered questions count).
    pub answered_count: i32,
    /// Of those, fully right.
    pub correct_count: i32,
    /// `correct_count / answered_count`, 0 to 1; absent before any answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_rate: Option<f64>,
}

/// `GET /api/quizzes/{id}/statistics`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuizStatistics {
    pub quiz_id: i32,
    pub graded_attempts: i64,
    pub passed_attempts: i64,
    /// Mean score of the graded attempts, in percent; absent before any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_score: Option<f64>,
    pub questions: Vec<QuestionStatistics>,
}
