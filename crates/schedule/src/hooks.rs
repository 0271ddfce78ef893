//! Course edits that change students' schedules, run with their
//! propagation in one transaction: the edit and every schedule update
//! commit together or not at all. The gateway calls these instead of the
//! plain `mdsc_course` / `mdsc_live` services.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_modules, courses, lessons, live_sessions, quizzes};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::course::{self, CourseUpdate};
use mdsc_course::progress;
use mdsc_course::quiz::model::AttemptDetail;
use mdsc_course::quiz::{self, AttemptAnswersInput, GradeInput, QuizSubmitInput};
use mdsc_course::structure::{self, LessonInput, QuizInput};
use mdsc_course::{Course, Enrollment, Lesson, Quiz, QuizSubmission};
use mdsc_live::session::{self, CreateSessionInput, UpdateSessionInput};
use mdsc_live::{LiveSession, LiveSettings};

use crate::plan::keys;
use crate::propagate::{
    course_changed, course_renamed, items_removed, lesson_renamed, live_session_changed, mark_done,
    quiz_changed,
};

pub fn create_live_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &LiveSettings,
    course_id: i32,
    input: CreateSessionInput,
) -> Result<LiveSession, Error> {
    write_transaction(conn, |conn| {
        let created = session::create_session(conn, actor, clock, settings, course_id, input)?;
        live_session_changed(conn, created.id, clock.now())?;
        Ok(created)
    })
}

/// Rescheduling, renaming or cancelling a session updates every schedule.
pub fn update_live_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &LiveSettings,
    session_id: i32,
    input: UpdateSessionInput,
) -> Result<LiveSession, Error> {
    write_transaction(conn, |conn| {
        let updated = session::update_session(conn, actor, clock, settings, session_id, input)?;
        live_session_changed(conn, session_id, clock.now())?;
        Ok(updated)
    })
}

pub fn delete_live_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    session_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let course_id = live_sessions::table
            .find(session_id)
            .select(live_sessions::course_id)
            .first::<i32>(conn)
            .optional()?;
        session::delete_session(conn, actor, session_id)?;
        cancel_removed(conn, clock, course_id, &[keys::live(session_id)])
    })
}

/// After a deletion: the items of what went (looked up before it, `None`
/// when it did not exist and the deletion already failed) are cancelled.
fn cancel_removed(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    course_id: Option<i32>,
    removed: &[String],
) -> Result<(), Error> {
    match course_id {
        Some(course_id) => items_removed(conn, course_id, removed, clock.now()),
        None => Ok(()),
    }
}

pub fn create_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
    input: QuizInput,
) -> Result<Quiz, Error> {
    write_transaction(conn, |conn| {
        let quiz = structure::create_quiz(conn, actor, clock, module_id, input)?;
        quiz_changed(conn, quiz.id, clock.now())?;
        Ok(quiz)
    })
}

/// A new due date reaches every schedule of the course.
pub fn update_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
    input: QuizInput,
) -> Result<Quiz, Error> {
    write_transaction(conn, |conn| {
        let quiz = structure::update_quiz(conn, actor, clock, quiz_id, input)?;
        quiz_changed(conn, quiz.id, clock.now())?;
        Ok(quiz)
    })
}

pub fn delete_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let course_id = quizzes::table
            .find(quiz_id)
            .select(quizzes::course_id)
            .first::<i32>(conn)
            .optional()?;
        structure::delete_quiz(conn, actor, clock, quiz_id)?;
        cancel_removed(conn, clock, course_id, &[keys::quiz(quiz_id)])
    })
}

pub fn delete_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    lesson_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let course_id = lessons::table
            .find(lesson_id)
            .select(lessons::course_id)
            .first::<i32>(conn)
            .optional()?;
        structure::delete_lesson(conn, actor, clock, lesson_id)?;
        cancel_removed(conn, clock, course_id, &[keys::lesson(lesson_id)])
    })
}

/// Deleting a module deletes its lessons and quizzes: their items are cancelled.
pub fn delete_module(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let course_id = course_modules::table
            .find(module_id)
            .select(course_modules::course_id)
            .first::<i32>(conn)
            .optional()?;
        let lesson_ids: Vec<i32> = lessons::table
            .filter(lessons::module_id.eq(module_id))
            .select(lessons::id)
            .load(conn)?;
        let quiz_ids: Vec<i32> = quizzes::table
            .filter(quizzes::module_id.eq(module_id))
            .select(quizzes::id)
            .load(conn)?;
        structure::delete_module(conn, actor, clock, module_id)?;
        let removed: Vec<String> = lesson_ids
            .into_iter()
            .map(keys::lesson)
            .chain(quiz_ids.into_iter().map(keys::quiz))
            .collect();
        cancel_removed(conn, clock, course_id, &removed)
    })
}

/// A completed lesson is done in the student's schedule too.
pub fn complete_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    lesson_id: i32,
) -> Result<Enrollment, Error> {
    write_transaction(conn, |conn| {
        let enrollment = progress::complete_lesson(conn, actor, clock, enrollment_id, lesson_id)?;
        mark_done(conn, enrollment_id, &keys::lesson(lesson_id), clock.now())?;
        Ok(enrollment)
    })
}

/// A quiz passed turns its schedule item done, whichever way it was
/// graded (submitted, timed out, graded by staff). Idempotent.
fn mark_quiz_done_if_passed(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
    passed: bool,
) -> Result<(), Error> {
    if passed {
        mark_done(conn, enrollment_id, &keys::quiz(quiz_id), clock.now())?;
    }
    Ok(())
}

fn after_submission(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    submission: QuizSubmission,
) -> Result<QuizSubmission, Error> {
    let attempt = &submission.attempt;
    mark_quiz_done_if_passed(
        conn,
        clock,
        attempt.enrollment_id,
        attempt.quiz_id,
        attempt.passed,
    )?;
    Ok(submission)
}

/// Starting an attempt may first grade one whose time ran out.
pub fn start_attempt(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
) -> Result<AttemptDetail, Error> {
    write_transaction(conn, |conn| {
        let detail = quiz::start_attempt(conn, actor, clock, enrollment_id, quiz_id)?;
        let passed = quiz::has_passed(conn, enrollment_id, quiz_id)?;
        mark_quiz_done_if_passed(conn, clock, enrollment_id, quiz_id, passed)?;
        Ok(detail)
    })
}

/// Saving answers after the time is over grades the attempt.
pub fn save_attempt_answers(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    attempt_id: i32,
    input: AttemptAnswersInput,
) -> Result<AttemptDetail, Error> {
    write_transaction(conn, |conn| {
        let detail = quiz::save_attempt_answers(conn, actor, clock, attempt_id, input)?;
        let attempt = &detail.attempt;
        mark_quiz_done_if_passed(
            conn,
            clock,
            attempt.enrollment_id,
            attempt.quiz_id,
            attempt.passed,
        )?;
        Ok(detail)
    })
}

pub fn submit_attempt(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    attempt_id: i32,
    input: AttemptAnswersInput,
) -> Result<QuizSubmission, Error> {
    write_transaction(conn, |conn| {
        let submission = quiz::submit_attempt(conn, actor, clock, attempt_id, input)?;
        after_submission(conn, clock, submission)
    })
}

pub fn submit_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
    input: QuizSubmitInput,
) -> Result<QuizSubmission, Error> {
    write_transaction(conn, |conn| {
        let submission = quiz::submit_quiz(conn, actor, clock, enrollment_id, quiz_id, input)?;
        after_submission(conn, clock, submission)
    })
}

pub fn grade_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    quiz_id: i32,
    input: GradeInput,
) -> Result<QuizSubmission, Error> {
    write_transaction(conn, |conn| {
        let submission = quiz::grade_quiz(conn, actor, clock, enrollment_id, quiz_id, input)?;
        after_submission(conn, clock, submission)
    })
}

/// The job worker's sweep of attempts whose time ran out.
pub fn grade_expired_attempts(conn: &mut DbConnection, clock: &dyn Clock) -> Result<usize, Error> {
    let graded = quiz::grade_expired_attempts(conn, clock)?;
    for &(enrollment_id, quiz_id, passed) in &graded {
        mark_quiz_done_if_passed(conn, clock, enrollment_id, quiz_id, passed)?;
    }
    Ok(graded.len())
}

/// A new lesson is planned into every schedule of the course.
pub fn create_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
    input: LessonInput,
) -> Result<Lesson, Error> {
    write_transaction(conn, |conn| {
        let lesson = structure::create_lesson(conn, actor, clock, module_id, input)?;
        course_changed(conn, lesson.course_id, clock.now())?;
        Ok(lesson)
    })
}

/// A renamed lesson is renamed in place; a new length re-plans the course's
/// schedules (blocks may no longer fit).
pub fn update_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    lesson_id: i32,
    input: LessonInput,
) -> Result<Lesson, Error> {
    write_transaction(conn, |conn| {
        let before: Option<(String, i32)> = lessons::table
            .find(lesson_id)
            .select((lessons::title, lessons::duration_minutes))
            .first(conn)
            .optional()?;
        let lesson = structure::update_lesson(conn, actor, clock, lesson_id, input)?;
        let now = clock.now();
        match before {
            Some((_, minutes)) if minutes != lesson.duration_minutes => {
                course_changed(conn, lesson.course_id, now)?;
            }
            Some((title, _)) if title != lesson.title => {
                lesson_renamed(conn, lesson.course_id, lesson.id, &lesson.title, now)?;
            }
            _ => {}
        }
        Ok(lesson)
    })
}

/// New course dates or a new estimated duration re-plan every schedule.
pub fn update_course(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    input: CourseUpdate,
) -> Result<Course, Error> {
    write_transaction(conn, |conn| {
        let before = courses::table
            .find(course_id)
            .select((
                (
                    courses::start_date,
                    courses::end_date,
                    courses::estimated_duration_weeks,
                ),
                (courses::title, courses::slug),
            ))
            .first::<(CourseDates, (String, String))>(conn)
            .optional()?;
        let updated = course::update_course(conn, actor, clock, course_id, input)?;
        let after = courses::table
            .find(course_id)
            .select((
                (
                    courses::start_date,
                    courses::end_date,
                    courses::estimated_duration_weeks,
                ),
                (courses::title, courses::slug),
            ))
            .first::<(CourseDates, (String, String))>(conn)?;
        let now = clock.now();
        match before {
            Some((dates, _)) if dates != after.0 => course_changed(conn, course_id, now)?,
            Some((_, names)) if names != after.1 => course_renamed(conn, course_id, now)?,
            _ => {}
        }
        Ok(updated)
    })
}

type CourseDates = (
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
    Option<i32>,
);
