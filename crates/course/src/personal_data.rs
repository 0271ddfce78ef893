//! A user's learning record, for their export (GDPR): enrollments with
//! their progress, completed lessons, quiz attempts and answers, and
//! certificates.
//!
//! Erasure keeps them, attached to the anonymised account: they hold no
//! name, keep the courses' enrollment and completion figures right, and
//! let certificates stay verifiable (they then show a deleted user).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{
    certificates, courses, enrollments, lesson_completions, lessons, quiz_answers, quiz_attempts,
};
use mdsc_core::time::utc;
use mdsc_core::{DbConnection, Error};
use serde::Serialize;

use crate::model::{CourseSummary, Enrollment, EnrollmentRow};
use crate::quiz::model::{AnswerRow, AttemptRow, QuizAttempt};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LearningPersonalData {
    /// Every enrollment, cancelled ones included, oldest first.
    pub enrollments: Vec<Enrollment>,
    pub lesson_completions: Vec<ExportedLessonCompletion>,
    pub quiz_attempts: Vec<QuizAttempt>,
    /// Every answer given in those attempts, with its grade.
    pub quiz_answers: Vec<ExportedQuizAnswer>,
    pub certificates: Vec<ExportedCertificate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedQuizAnswer {
    pub attempt_id: i32,
    pub question_id: i32,
    pub choice_ids: Vec<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_correct: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    pub answered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedLessonCompletion {
    pub enrollment_id: i32,
    pub lesson_id: i32,
    pub lesson_title: String,
    pub completed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedCertificate {
    pub id: i32,
    pub enrollment_id: i32,
    pub course_id: i32,
    /// Anyone holding it can verify the certificate.
    pub verification_code: String,
    pub issued_at: DateTime<Utc>,
}

/// What the platform holds about the actor's learning.
pub fn export(conn: &mut DbConnection, actor: &Principal) -> Result<LearningPersonalData, Error> {
    let enrollments = enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(actor.user_id))
        .order(enrollments::id)
        .select((EnrollmentRow::as_select(), CourseSummary::as_select()))
        .load::<(EnrollmentRow, CourseSummary)>(conn)?
        .into_iter()
        .map(|(row, course)| Enrollment::from_row(row, Some(course)))
        .collect();
    let own = enrollments::table
        .filter(enrollments::user_id.eq(actor.user_id))
        .select(enrollments::id);
    let lesson_completions = lesson_completions::table
        .inner_join(lessons::table)
        .filter(lesson_completions::enrollment_id.eq_any(own))
        .order(lesson_completions::id)
        .select((
            lesson_completions::enrollment_id,
            lesson_completions::lesson_id,
            lessons::title,
            lesson_completions::completed_at,
        ))
        .load::<(i32, i32, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(
            |(enrollment_id, lesson_id, lesson_title, at)| ExportedLessonCompletion {
                enrollment_id,
                lesson_id,
                lesson_title,
                completed_at: utc(at),
            },
        )
        .collect();
    let own = enrollments::table
        .filter(enrollments::user_id.eq(actor.user_id))
        .select(enrollments::id);
    let quiz_attempts = quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq_any(own))
        .order(quiz_attempts::id)
        .select(AttemptRow::as_select())
        .load::<AttemptRow>(conn)?
        .into_iter()
        .map(QuizAttempt::from)
        .collect();
    let own_attempts = quiz_attempts::table
        .filter(
            quiz_attempts::enrollment_id.eq_any(
                enrollments::table
                    .filter(enrollments::user_id.eq(actor.user_id))
                    .select(enrollments::id),
            ),
        )
        .select(quiz_attempts::id);
    let quiz_answers = quiz_answers::table
        .filter(quiz_answers::attempt_id.eq_any(own_attempts))
        .order(quiz_answers::id)
        .select(AnswerRow::as_select())
        .load::<AnswerRow>(conn)?
        .into_iter()
        .map(|a| ExportedQuizAnswer {
            choice_ids: a.chosen(),
            attempt_id: a.attempt_id,
            question_id: a.question_id,
            text: a.text_answer,
            is_correct: a.is_correct,
            points: a.points,
            answered_at: utc(a.answered_at),
        })
        .collect();
    let certificates = certificates::table
        .filter(certificates::user_id.eq(actor.user_id))
        .order(certificates::id)
        .select((
            certificates::id,
            certificates::enrollment_id,
            certificates::course_id,
            certificates::verification_code,
            certificates::issued_at,
        ))
        .load::<(i32, i32, i32, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(
            |(id, enrollment_id, course_id, verification_code, at)| ExportedCertificate {
                id,
                enrollment_id,
                course_id,
                verification_code,
                issued_at: utc(at),
            },
        )
        .collect();
    Ok(LearningPersonalData {
        enrollments,
        lesson_completions,
        quiz_attempts,
        quiz_answers,
        certificates,
    })
}
