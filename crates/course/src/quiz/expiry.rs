//! Attempts whose time ran out while nobody was looking (the student
//! closed the tab): the job worker grades them with what was saved, so
//! the student's progress does not wait for their return.

use chrono::Duration;
use diesel::prelude::*;
use mdsc_core::schema::{enrollments, quiz_attempts};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};

use super::attempt::{GRACE_SECONDS, time_is_over};
use super::grade::grade_attempt;
use super::model::{AttemptRow, AttemptStatus};
use super::questions::find_quiz;
use crate::enrollment::find_enrollment;
use crate::model::EnrollmentStatus;

/// Attempts graded per sweep at most; the next sweep takes the rest.
pub const SWEEP_BATCH: i64 = 200;

/// An attempt graded by the sweep: `(enrollment_id, quiz_id, passed)`.
pub type Expired = (i32, i32, bool);

/// Grades up to `SWEEP_BATCH` attempts whose time and grace are over,
/// each in its own transaction (one failure does not hold the others).
pub fn grade_expired_attempts(
    conn: &mut DbConnection,
    clock: &dyn Clock,
) -> Result<Vec<Expired>, Error> {
    let cutoff = clock.now() - Duration::seconds(GRACE_SECONDS);
    let due: Vec<(i32, i32)> = quiz_attempts::table
        .filter(quiz_attempts::status.eq(AttemptStatus::InProgress.as_str()))
        .filter(quiz_attempts::deadline_at.lt(cutoff))
        .order(quiz_attempts::deadline_at)
        .select((quiz_attempts::id, quiz_attempts::enrollment_id))
        .limit(SWEEP_BATCH)
        .load(conn)?;
    let mut graded = Vec::new();
    for (attempt_id, enrollment_id) in due {
        let outcome = write_transaction(conn, |conn| {
            mdsc_core::lock_row!(conn, enrollments, enrollment_id)?;
            let attempt: AttemptRow = quiz_attempts::table
                .find(attempt_id)
                .select(AttemptRow::as_select())
                .first(conn)?;
            let now = clock.now();
            // Submitted or graded since the list was read.
            if attempt.status() != AttemptStatus::InProgress || !time_is_over(&attempt, now) {
                return Ok(None);
            }
            let enrollment = find_enrollment(conn, enrollment_id)?;
            if enrollment.status() == EnrollmentStatus::Cancelled {
                return Ok(None);
            }
            let quiz = find_quiz(conn, attempt.quiz_id)?;
            let closed_at = attempt
                .deadline_at
                .map_or(now, |d| d + Duration::seconds(GRACE_SECONDS));
            let (row, _) = grade_attempt(conn, clock, &quiz, &attempt, &enrollment, closed_at)?;
            Ok::<_, Error>(Some((enrollment_id, row.quiz_id, row.passed)))
        })?;
        graded.extend(outcome);
    }
    Ok(graded)
}
