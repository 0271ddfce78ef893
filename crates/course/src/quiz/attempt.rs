//! Taking a quiz: an enrolled student starts an attempt, saves answers,
//! submits once, and the server grades. Every write locks the student's
//! enrollment row first, so two requests of one student (two tabs, a
//! double click) run one after the other and the attempt limit holds.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::quiz_attempts;
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, write_transaction};
use serde::Deserialize;

use super::answers::{check_answers, save_answers};
use super::grade::grade_attempt;
use super::model::{
    AnswerInput, AttemptDetail, AttemptRow, AttemptStatus, QuizAttempt, QuizSubmission,
};
use super::questions::{find_quiz, has_questions};
use super::view::{Reader, attempt_detail, ordered_questions};
use crate::enrollment::{own_enrollment_for_update, to_enrollment, visible_enrollment};
use crate::model::{EnrollmentRow, QuizRow};
use crate::progress::require_open;

/// Seconds accepted after an attempt's time limit (network, a slow
/// click): answers saved or submitted within it still count.
pub const GRACE_SECONDS: i64 = 30;

/// `PUT /api/quiz-attempts/{id}/answers` and the body of a submission.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AttemptAnswersInput {
    /// Answers to some or all questions; an answer with no choice and no
    /// text clears that question's.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub answers: Vec<AnswerInput>,
}

/// Whether the attempt's time (and grace) is over at `now`.
pub(crate) fn time_is_over(attempt: &AttemptRow, now: NaiveDateTime) -> bool {
    attempt
        .deadline_at
        .is_some_and(|deadline| now > deadline + Duration::seconds(GRACE_SECONDS))
}

/// When an attempt whose time ran out counts as submitted.
fn closing_time(attempt: &AttemptRow, now: NaiveDateTime) -> NaiveDateTime {
    attempt.deadline_at.map_or(now, |deadline| {
        now.min(deadline + Duration::seconds(GRACE_SECONDS))
    })
}

/// The quiz, if it belongs to the enrollment's course.
pub(crate) fn quiz_of_course(
    conn: &mut DbConnection,
    quiz_id: i32,
    course_id: i32,
) -> Result<QuizRow, Error> {
    let quiz = find_quiz(conn, quiz_id)?;
    if quiz.course_id != course_id {
        return Err(Error::not_found("Quiz"));
    }
    Ok(quiz)
}

fn open_attempt(
    conn: &mut DbConnection,
    enrollment_id: i32,
    quiz_id: i32,
) -> Result<Option<AttemptRow>, Error> {
    Ok(quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq(enrollment_id))
        .filter(quiz_attempts::quiz_id.eq(quiz_id))
        .filter(quiz_attempts::status.eq(AttemptStatus::InProgress.as_str()))
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?)
}

fn find_attempt(conn: &mut DbConnection, attempt_id: i32) -> Result<AttemptRow, Error> {
    quiz_attempts::table
        .find(attempt_id)
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Attempt"))
}

/// The number the next attempt takes (attempts made so far + 1).
pub(crate) fn next_attempt_number(
    conn: &mut DbConnection,
    enrollment_id: i32,
    quiz_id: i32,
) -> Result<i32, Error> {
    let last: Option<i32> = quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq(enrollment_id))
        .filter(quiz_attempts::quiz_id.eq(quiz_id))
        .select(diesel::dsl::max(quiz_attempts::attempt_number))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

/// Inside the locked enrollment: the open attempt if its time is not
/// over (an attempt whose time is over is graded first), else a new one
/// within the quiz's attempt limit.
fn open_or_start(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    quiz: &QuizRow,
    enrollment: &EnrollmentRow,
) -> Result<AttemptRow, Error> {
    if !has_questions(conn, quiz.id)? {
        return Err(Error::conflict(
            "QUIZ_HAS_NO_QUESTIONS",
            "This quiz has no questions: course staff grade it",
        ));
    }
    let now = clock.now();
    if let Some(open) = open_attempt(conn, enrollment.id, quiz.id)? {
        if !time_is_over(&open, now) {
            return Ok(open);
        }
        grade_attempt(
            conn,
            clock,
            quiz,
            &open,
            enrollment,
            closing_time(&open, now),
        )?;
    }
    let number = next_attempt_number(conn, enrollment.id, quiz.id)?;
    if let Some(max) = quiz.max_attempts
        && number > max
    {
        return Err(Error::conflict(
            "ATTEMPTS_EXHAUSTED",
            format!("This quiz allows {max} attempt(s), all of them are used"),
        ));
    }
    let deadline = quiz
        .time_limit_minutes
        .map(|minutes| now + Duration::minutes(i64::from(minutes)));
    let id: i32 = diesel::insert_into(quiz_attempts::table)
        .values((
            quiz_attempts::enrollment_id.eq(enrollment.id),
            quiz_attempts::quiz_id.eq(quiz.id),
            quiz_attempts::passed.eq(false),
            quiz_attempts::status.eq(AttemptStatus::InProgress.as_str()),
            quiz_attempts::attempt_number.eq(number),
            quiz_attempts::started_at.eq(now),
            quiz_attempts::deadline_at.eq(deadline),
            quiz_attempts::shuffle_seed.eq(mdsc_core::random::random_i32()?),
        ))
        .returning(quiz_attempts::id)
        .get_result(conn)?;
    find_attempt(conn, id)
}

/// Starts an attempt, or returns the one in progress (resuming after a
/// reload): its questions in the attempt's order, without the answer key.
pub fn start_attempt(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
) -> Result<AttemptDetail, Error> {
    write_transaction(conn, |conn| {
        let enrollment = own_enrollment_for_update(conn, actor, enrollment_id)?;
        require_open(&enrollment)?;
        let quiz = quiz_of_course(conn, quiz_id, enrollment.course_id)?;
        let attempt = open_or_start(conn, clock, &quiz, &enrollment)?;
        attempt_detail(
            conn,
            &quiz,
            attempt,
            enrollment.enrolled_at,
            clock.now(),
            Reader::Student,
        )
    })
}

/// The student's own attempt, locked through its enrollment, with its
/// quiz: for the writes on an attempt.
fn own_attempt_for_update(
    conn: &mut DbConnection,
    actor: &Principal,
    attempt_id: i32,
) -> Result<(AttemptRow, EnrollmentRow, QuizRow), Error> {
    let enrollment_id = find_attempt(conn, attempt_id)?.enrollment_id;
    let enrollment = own_enrollment_for_update(conn, actor, enrollment_id)?;
    require_open(&enrollment)?;
    let attempt = find_attempt(conn, attempt_id)?;
    let quiz = find_quiz(conn, attempt.quiz_id)?;
    Ok((attempt, enrollment, quiz))
}

fn already_graded() -> Error {
    Error::conflict(
        "ATTEMPT_ALREADY_GRADED",
        "This attempt is already submitted and graded",
    )
}

/// Saves answers while the attempt is open. Once its time is over the
/// attempt is graded with what was saved before, and the graded attempt
/// is returned (`attempt.status` tells).
pub fn save_attempt_answers(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    attempt_id: i32,
    input: AttemptAnswersInput,
) -> Result<AttemptDetail, Error> {
    write_transaction(conn, |conn| {
        let (attempt, enrollment, quiz) = own_attempt_for_update(conn, actor, attempt_id)?;
        if attempt.status() == AttemptStatus::Graded {
            return Err(already_graded());
        }
        let now = clock.now();
        let attempt = if time_is_over(&attempt, now) {
            grade_attempt(
                conn,
                clock,
                &quiz,
                &attempt,
                &enrollment,
                closing_time(&attempt, now),
            )?
            .0
        } else {
            let questions = ordered_questions(conn, &quiz, attempt.shuffle_seed)?;
            check_answers(&input.answers, &questions)?;
            save_answers(conn, clock, attempt.id, &input.answers)?;
            attempt
        };
        attempt_detail(
            conn,
            &quiz,
            attempt,
            enrollment.enrolled_at,
            now,
            Reader::Student,
        )
    })
}

/// Saves the given answers (unless the time is over), grades the attempt,
/// and answers with the score, each question's result and, as the quiz's
/// `reveal_answers` allows, the answer key.
pub fn submit_attempt(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    attempt_id: i32,
    input: AttemptAnswersInput,
) -> Result<QuizSubmission, Error> {
    write_transaction(conn, |conn| {
        let (attempt, enrollment, quiz) = own_attempt_for_update(conn, actor, attempt_id)?;
        if attempt.status() == AttemptStatus::Graded {
            return Err(already_graded());
        }
        submit_open(conn, clock, &quiz, attempt, &enrollment, &input.answers)
    })
}

/// Grades an open attempt of the locked enrollment, after saving
/// `answers` if its time is not over.
fn submit_open(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    quiz: &QuizRow,
    attempt: AttemptRow,
    enrollment: &EnrollmentRow,
    answers: &[AnswerInput],
) -> Result<QuizSubmission, Error> {
    let now = clock.now();
    let submitted_at = if time_is_over(&attempt, now) {
        closing_time(&attempt, now)
    } else {
        let questions = ordered_questions(conn, quiz, attempt.shuffle_seed)?;
        check_answers(answers, &questions)?;
        save_answers(conn, clock, attempt.id, answers)?;
        now
    };
    let (graded, enrollment) =
        grade_attempt(conn, clock, quiz, &attempt, enrollment, submitted_at)?;
    let enrolled_at = enrollment.enrolled_at;
    let detail = attempt_detail(conn, quiz, graded, enrolled_at, now, Reader::Student)?;
    Ok(QuizSubmission {
        attempt: detail.attempt,
        enrollment: to_enrollment(conn, enrollment)?,
        answers_revealed: detail.answers_revealed,
        questions: detail.questions,
    })
}

/// The body of `POST /api/enrollments/{id}/quizzes/{quizId}/submit`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct QuizSubmitInput {
    /// Refused: scores are given by the server (quizzes with questions)
    /// or by course staff (`PUT …/grade`), never by the student.
    pub score: Option<f64>,
    /// The answers: the attempt in progress is submitted with them, or a
    /// new attempt is made and submitted at once.
    #[schema(max_items = 200)]
    pub answers: Option<Vec<AnswerInput>>,
}

/// The seed's submit route, graded on the server: a client-chosen score
/// is refused (`403 SCORE_NOT_ACCEPTED`).
pub fn submit_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
    input: QuizSubmitInput,
) -> Result<QuizSubmission, Error> {
    write_transaction(conn, |conn| {
        let enrollment = own_enrollment_for_update(conn, actor, enrollment_id)?;
        require_open(&enrollment)?;
        let quiz = quiz_of_course(conn, quiz_id, enrollment.course_id)?;
        if input.score.is_some() {
            let how = if has_questions(conn, quiz.id)? {
                "this quiz is graded by the server: send answers"
            } else {
                "this quiz is graded by course staff"
            };
            return Err(
                Error::forbidden(format!("A score cannot be submitted: {how}"))
                    .with_code("SCORE_NOT_ACCEPTED"),
            );
        }
        let Some(answers) = input.answers.as_deref() else {
            return Err(Error::invalid_field("answers", "is required"));
        };
        let attempt = open_or_start(conn, clock, &quiz, &enrollment)?;
        submit_open(conn, clock, &quiz, attempt, &enrollment, answers)
    })
}

/// An attempt, for the student who made it (the key as the quiz allows)
/// or course staff (the key always).
pub fn get_attempt(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    attempt_id: i32,
) -> Result<AttemptDetail, Error> {
    let attempt = find_attempt(conn, attempt_id)?;
    let enrollment = visible_enrollment(conn, actor, attempt.enrollment_id)
        .map_err(|_| Error::not_found("Attempt"))?;
    let reader = if enrollment.user_id == actor.user_id {
        Reader::Student
    } else {
        Reader::Staff
    };
    let quiz = find_quiz(conn, attempt.quiz_id)?;
    attempt_detail(
        conn,
        &quiz,
        attempt,
        enrollment.enrolled_at,
        clock.now(),
        reader,
    )
}

/// One enrollment's attempts at a quiz, newest first (the student, or
/// course staff).
pub fn list_enrollment_attempts(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
    quiz_id: i32,
    params: PageParams,
) -> Result<Page<QuizAttempt>, Error> {
    let enrollment = visible_enrollment(conn, actor, enrollment_id)?;
    quiz_of_course(conn, quiz_id, enrollment.course_id)?;
    let request = params.resolve();
    let offset = request.bounded_offset()?;
    let scope = || {
        quiz_attempts::table
            .filter(quiz_attempts::enrollment_id.eq(enrollment.id))
            .filter(quiz_attempts::quiz_id.eq(quiz_id))
    };
    let total: i64 = scope().count().get_result(conn)?;
    let rows: Vec<AttemptRow> = scope()
        .order(quiz_attempts::attempt_number.desc())
        .limit(request.limit)
        .offset(offset)
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok(Page::new(
        rows.into_iter().map(QuizAttempt::from).collect(),
        request,
        total,
    ))
}

/// Whether the enrollment has passed the quiz (any attempt, however graded).
pub fn has_passed(
    conn: &mut DbConnection,
    enrollment_id: i32,
    quiz_id: i32,
) -> Result<bool, Error> {
    Ok(diesel::select(diesel::dsl::exists(
        quiz_attempts::table
            .filter(quiz_attempts::enrollment_id.eq(enrollment_id))
            .filter(quiz_attempts::quiz_id.eq(quiz_id))
            .filter(quiz_attempts::passed.eq(true)),
    ))
    .get_result(conn)?)
}
