//! What course staff do with attempts: grade a quiz that has no questions
//! (graded elsewhere, on paper, in a viva), read every student's attempts
//! and each question's statistics.

use diesel::dsl::{avg, count_star};
use diesel::prelude::*;
use mdsc_auth::{Principal, UserSummary};
use mdsc_core::schema::{enrollments, quiz_attempts, users};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, write_transaction};
use serde::Deserialize;
use validator::Validate;

use super::attempt::{next_attempt_number, quiz_of_course};
use super::model::{
    AttemptRow, AttemptStatus, QuestionStatistics, QuizAttempt, QuizStatistics, QuizSubmission,
    StudentAttempt,
};
use super::questions::{find_quiz, has_questions, question_rows};
use crate::access::require_course_staff;
use crate::enrollment::{find_enrollment, to_enrollment};
use crate::progress::{recompute_progress, require_open};

/// `PUT /api/enrollments/{id}/quizzes/{quizId}/grade`.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct GradeInput {
    /// The score, in percent.
    #[validate(range(min = 0.0, max = 100.0))]
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub score: f64,
}

/// Course staff record a student's grade for a quiz without questions.
/// Grading again replaces the staff grade (the latest attempt, if staff
/// gave it); it records who gave it and when.
pub fn grade_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
    input: GradeInput,
) -> Result<QuizSubmission, Error> {
    input.validate()?;
    if !input.score.is_finite() {
        return Err(Error::invalid_field("score", "must be a number"));
    }
    write_transaction(conn, |conn| {
        let enrollment = find_enrollment(conn, enrollment_id)?;
        require_course_staff(conn, actor, enrollment.course_id)?;
        mdsc_core::lock_row!(conn, enrollments, enrollment_id)?;
        let enrollment = find_enrollment(conn, enrollment_id)?;
        require_open(&enrollment)?;
        let quiz = quiz_of_course(conn, quiz_id, enrollment.course_id)?;
        if has_questions(conn, quiz.id)? {
            return Err(Error::conflict(
                "QUIZ_GRADED_ON_SERVER",
                "This quiz has questions: it is graded from the student's answers",
            ));
        }
        let now = clock.now();
        let passed = input.score >= f64::from(quiz.passing_score);
        let latest: Option<AttemptRow> = quiz_attempts::table
            .filter(quiz_attempts::enrollment_id.eq(enrollment.id))
            .filter(quiz_attempts::quiz_id.eq(quiz.id))
            .order(quiz_attempts::attempt_number.desc())
            .select(AttemptRow::as_select())
            .first(conn)
            .optional()?;
        let attempt_id = match latest.filter(|a| a.graded_by.is_some()) {
            Some(staff_grade) => {
                diesel::update(quiz_attempts::table.find(staff_grade.id))
                    .set((
                        quiz_attempts::score.eq(input.score),
                        quiz_attempts::passed.eq(passed),
                        quiz_attempts::submitted_at.eq(now),
                        quiz_attempts::graded_by.eq(actor.user_id),
                    ))
                    .execute(conn)?;
                staff_grade.id
            }
            None => {
                let number = next_attempt_number(conn, enrollment.id, quiz.id)?;
                diesel::insert_into(quiz_attempts::table)
                    .values((
                        quiz_attempts::enrollment_id.eq(enrollment.id),
                        quiz_attempts::quiz_id.eq(quiz.id),
                        quiz_attempts::score.eq(input.score),
                        quiz_attempts::passed.eq(passed),
                        quiz_attempts::submitted_at.eq(now),
                        quiz_attempts::status.eq(AttemptStatus::Graded.as_str()),
                        quiz_attempts::attempt_number.eq(number),
                        quiz_attempts::started_at.eq(now),
                        quiz_attempts::graded_by.eq(actor.user_id),
                    ))
                    .returning(quiz_attempts::id)
                    .get_result(conn)?
            }
        };
        let attempt: AttemptRow = quiz_attempts::table
            .find(attempt_id)
            .select(AttemptRow::as_select())
            .first(conn)?;
        let enrollment = recompute_progress(conn, clock, &enrollment)?;
        Ok(QuizSubmission {
            attempt: attempt.into(),
            enrollment: to_enrollment(conn, enrollment)?,
            answers_revealed: false,
            questions: Vec::new(),
        })
    })
}

/// `GET /api/quizzes/{id}/attempts` filters.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptFilter {
    /// Only attempts in this state.
    pub status: Option<AttemptStatus>,
}

/// Every student's attempts at a quiz, newest first (course staff).
pub fn list_quiz_attempts(
    conn: &mut DbConnection,
    actor: &Principal,
    quiz_id: i32,
    filter: AttemptFilter,
    params: PageParams,
) -> Result<Page<StudentAttempt>, Error> {
    let quiz = find_quiz(conn, quiz_id)?;
    require_course_staff(conn, actor, quiz.course_id)?;
    let request = params.resolve();
    let offset = request.bounded_offset()?;
    let scope = || {
        let mut query = quiz_attempts::table
            .filter(quiz_attempts::quiz_id.eq(quiz_id))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(quiz_attempts::status.eq(status.as_str()));
        }
        query
    };
    let counted = scope()
        .order(quiz_attempts::id.desc())
        .select(quiz_attempts::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let ids: Vec<i32> = scope()
        .order(quiz_attempts::id.desc())
        .select(quiz_attempts::id)
        .limit(request.limit)
        .offset(offset)
        .load(conn)?;
    let rows: Vec<(AttemptRow, UserSummary)> = quiz_attempts::table
        .inner_join(enrollments::table.inner_join(users::table))
        .filter(quiz_attempts::id.eq_any(&ids))
        .order(quiz_attempts::id.desc())
        .select((AttemptRow::as_select(), UserSummary::as_select()))
        .load(conn)?;
    let data = rows
        .into_iter()
        .map(|(attempt, student)| StudentAttempt {
            attempt: QuizAttempt::from(attempt),
            student,
        })
        .collect();
    Ok(Page::new(data, request, bounded_total(counted, request)))
}

/// Per-question statistics from the kept counters, and the graded
/// attempts' count, passes and mean (course staff).
pub fn quiz_statistics(
    conn: &mut DbConnection,
    actor: &Principal,
    quiz_id: i32,
) -> Result<QuizStatistics, Error> {
    let quiz = find_quiz(conn, quiz_id)?;
    require_course_staff(conn, actor, quiz.course_id)?;
    let graded = || {
        quiz_attempts::table
            .filter(quiz_attempts::quiz_id.eq(quiz_id))
            .filter(quiz_attempts::status.eq(AttemptStatus::Graded.as_str()))
    };
    let (graded_attempts, average_score): (i64, Option<f64>) = graded()
        .select((count_star(), avg(quiz_attempts::score)))
        .first(conn)?;
    let passed_attempts: i64 = graded()
        .filter(quiz_attempts::passed.eq(true))
        .count()
        .get_result(conn)?;
    let questions = question_rows(conn, quiz_id)?
        .into_iter()
        .map(|q| QuestionStatistics {
            question_id: q.id,
            kind: q.kind(),
            position: q.position,
            correct_rate: (q.answered_count > 0).then(|| {
                (f64::from(q.correct_count) / f64::from(q.answered_count) * 1000.0).round() / 1000.0
            }),
            answered_count: q.answered_count,
            correct_count: q.correct_count,
            prompt: q.prompt,
        })
        .collect();
    Ok(QuizStatistics {
        quiz_id,
        graded_attempts,
        passed_attempts,
        average_score: average_score.map(|s| (s * 100.0).round() / 100.0),
        questions,
    })
}
