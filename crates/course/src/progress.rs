//! Lesson completion, and the progress that lessons done and quizzes
//! passed (see `quiz`) add up to.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{
    courses, enrollments, lesson_completions, lessons, quiz_attempts, quizzes,
};
use mdsc_core::time::utc_opt;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};

use crate::enrollment::{own_enrollment_for_update, to_enrollment, visible_enrollment};
use crate::model::{Enrollment, EnrollmentProgress, EnrollmentRow, EnrollmentStatus};

/// Writes on a cancelled enrollment are refused.
pub(crate) fn require_open(row: &EnrollmentRow) -> Result<(), Error> {
    if row.status() == EnrollmentStatus::Cancelled {
        return Err(Error::conflict(
            "ENROLLMENT_CANCELLED",
            "This enrollment is cancelled",
        ));
    }
    Ok(())
}

struct Counts {
    total_lessons: i64,
    total_quizzes: i64,
    completed_lesson_ids: Vec<i32>,
    passed_quiz_ids: Vec<i32>,
}

impl Counts {
    /// Percent of lessons done and quizzes passed, two decimals. A course
    /// without content cannot be completed: 0 %.
    fn percentage(&self) -> f64 {
        let total = self.total_lessons + self.total_quizzes;
        if total == 0 {
            return 0.0;
        }
        let done = (self.completed_lesson_ids.len() + self.passed_quiz_ids.len()) as f64;
        (done * 10000.0 / total as f64).round() / 100.0
    }
    fn is_complete(&self) -> bool {
        let total = self.total_lessons + self.total_quizzes;
        total > 0 && (self.completed_lesson_ids.len() + self.passed_quiz_ids.len()) as i64 >= total
    }
}

fn counts(conn: &mut DbConnection, row: &EnrollmentRow) -> Result<Counts, Error> {
    let total_lessons = lessons::table
        .filter(lessons::course_id.eq(row.course_id))
        .count()
        .get_result(conn)?;
    let total_quizzes = quizzes::table
        .filter(quizzes::course_id.eq(row.course_id))
        .count()
        .get_result(conn)?;
    let completed_lesson_ids = lesson_completions::table
        .inner_join(lessons::table)
        .filter(lesson_completions::enrollment_id.eq(row.id))
        .filter(lessons::course_id.eq(row.course_id))
        .select(lesson_completions::lesson_id)
        .order(lesson_completions::lesson_id)
        .load(conn)?;
    let passed_quiz_ids = quiz_attempts::table
        .inner_join(quizzes::table)
        .filter(quiz_attempts::enrollment_id.eq(row.id))
        .filter(quiz_attempts::passed.eq(true))
        .filter(quizzes::course_id.eq(row.course_id))
        .select(quiz_attempts::quiz_id)
        .distinct()
        .order(quiz_attempts::quiz_id)
        .load(conn)?;
    Ok(Counts {
        total_lessons,
        total_quizzes,
        completed_lesson_ids,
        passed_quiz_ids,
    })
}

/// Recomputes `progress_percentage`; at 100 % the enrollment becomes
/// `completed` and keeps its first `completed_at`.
pub fn recompute_progress(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    row: &EnrollmentRow,
) -> Result<EnrollmentRow, Error> {
    let counts = counts(conn, row)?;
    let complete = counts.is_complete();
    let status = if complete || row.status() == EnrollmentStatus::Completed {
        EnrollmentStatus::Completed
    } else {
        row.status()
    };
    let completed_at = row
        .completed_at
        .or(if complete { Some(clock.now()) } else { None });
    Ok(diesel::update(enrollments::table.find(row.id))
        .set((
            enrollments::progress_percentage.eq(counts.percentage()),
            enrollments::status.eq(status.as_str()),
            enrollments::completed_at.eq(completed_at),
            enrollments::updated_at.eq(clock.now()),
        ))
        .get_result::<EnrollmentRow>(conn)?)
}

/// The student marks a lesson of the course done (idempotent).
pub fn complete_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
    lesson_id: i32,
) -> Result<Enrollment, Error> {
    let row = write_transaction(conn, |conn| {
        let row = own_enrollment_for_update(conn, actor, enrollment_id)?;
        require_open(&row)?;
        let lesson_course: Option<i32> = lessons::table
            .find(lesson_id)
            .select(lessons::course_id)
            .first(conn)
            .optional()?;
        if lesson_course != Some(row.course_id) {
            return Err(Error::not_found("Lesson"));
        }
        let done: i64 = lesson_completions::table
            .filter(lesson_completions::enrollment_id.eq(row.id))
            .filter(lesson_completions::lesson_id.eq(lesson_id))
            .count()
            .get_result(conn)?;
        if done == 0 {
            diesel::insert_into(lesson_completions::table)
                .values((
                    lesson_completions::enrollment_id.eq(row.id),
                    lesson_completions::lesson_id.eq(lesson_id),
                    lesson_completions::completed_at.eq(clock.now()),
                ))
                .execute(conn)?;
        }
        recompute_progress(conn, clock, &row)
    })?;
    to_enrollment(conn, row)
}

/// What the student has done: completed lessons and passed quizzes.
pub fn get_progress(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<EnrollmentProgress, Error> {
    let row = visible_enrollment(conn, actor, enrollment_id)?;
    let counts = counts(conn, &row)?;
    Ok(EnrollmentProgress {
        enrollment_id: row.id,
        progress_percentage: row.progress_percentage,
        completed_lesson_ids: counts.completed_lesson_ids,
        passed_quiz_ids: counts.passed_quiz_ids,
        total_lessons: counts.total_lessons,
        total_quizzes: counts.total_quizzes,
        completed_at: utc_opt(row.completed_at),
    })
}

/// After lessons or quizzes are added or removed, brings the progress of
/// every active enrollment of the course up to date (completed enrollments
/// keep their completion). Runs in the caller's transaction: a staff action,
/// one pass over the course's enrollments.
///
/// Locks the course row first, then the enrollments in id order, as every
/// course-wide change does (the schedule re-plan worker among them): two
/// of them locking many enrollments in different orders deadlocked on
/// PostgreSQL, and the loser's work waited minutes for its retry.
pub fn refresh_course_progress(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    course_id: i32,
) -> Result<(), Error> {
    mdsc_core::lock_row!(conn, courses, course_id)?;
    let active: Vec<i32> = enrollments::table
        .filter(enrollments::course_id.eq(course_id))
        .filter(enrollments::status.eq(EnrollmentStatus::Active.as_str()))
        .order(enrollments::id)
        .select(enrollments::id)
        .load(conn)?;
    for id in active {
        // Lock and re-read: a student may have completed a lesson since the
        // list was read, and their row must not be overwritten with less.
        mdsc_core::lock_row!(conn, enrollments, id)?;
        let row: EnrollmentRow = enrollments::table
            .find(id)
            .select(EnrollmentRow::as_select())
            .first(conn)?;
        if row.status() == EnrollmentStatus::Active {
            recompute_progress(conn, clock, &row)?;
        }
    }
    Ok(())
}
