//! The rating step of the certificate flow (seed §3.3.4): can the student
//! rate, should the modal show, and its "Plus tard".

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_ratings, rating_prompt_dismissals};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::enrollment::{own_enrollment_for_update, visible_enrollment};
use mdsc_course::{CertificateStatus, EnrollmentRow, EnrollmentStatus};

use crate::model::CanRate;
use crate::settings::RatingSettings;

/// The enrollment's rating as `actor` may know it. An anonymous rating is
/// known to its author and to admins only: for anyone else (the course's
/// instructor, who can read every enrollment of the course) it is as if
/// there were none, so the enrollment does not sign the rating.
fn rating_of(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment: &EnrollmentRow,
) -> Result<Option<i32>, Error> {
    let found: Option<(i32, bool)> = course_ratings::table
        .filter(course_ratings::course_id.eq(enrollment.course_id))
        .filter(course_ratings::user_id.eq(enrollment.user_id))
        .select((course_ratings::id, course_ratings::is_anonymous))
        .first(conn)
        .optional()?;
    let may_know = actor.user_id == enrollment.user_id || actor.is_admin();
    Ok(found
        .filter(|(_, anonymous)| may_know || !anonymous)
        .map(|(id, _)| id))
}

/// `GET /api/enrollments/:id/can-rate`: the student's question, also open
/// to admins. Course staff get 403: whether a student has rated, next to
/// the anonymous ratings they can read, would narrow down who wrote them.
pub fn can_rate(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<CanRate, Error> {
    let enrollment = visible_enrollment(conn, actor, enrollment_id)?;
    if enrollment.user_id != actor.user_id && !actor.is_admin() {
        return Err(Error::forbidden("Only the enrolled student can ask this"));
    }
    let rating_id = rating_of(conn, actor, &enrollment)?;
    let reason = match (enrollment.status(), rating_id) {
        (_, Some(_)) => Some("already_rated"),
        (EnrollmentStatus::Cancelled, None) => Some("enrollment_cancelled"),
        (EnrollmentStatus::Active, None) => Some("not_completed"),
        (EnrollmentStatus::Completed, None) => None,
    };
    Ok(CanRate {
        can_rate: reason.is_none(),
        reason: reason.map(str::to_owned),
        has_rated: rating_id.is_some(),
        rating_id,
    })
}

/// The certificate status with its rating fields: `has_rated`, and
/// `should_prompt_rating` when the course is complete, not rated, and the
/// prompt was not put off within `settings.prompt_delay`. Rating stays
/// optional: nothing here withholds the certificate.
pub fn certificate_status(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &RatingSettings,
    enrollment_id: i32,
) -> Result<CertificateStatus, Error> {
    let mut status = mdsc_course::certificate::certificate_status(conn, actor, enrollment_id)?;
    let enrollment = visible_enrollment(conn, actor, enrollment_id)?;
    if enrollment.user_id != actor.user_id && !actor.is_admin() {
        // Course staff see the certificate, not the student's rating step
        // (see `can_rate`): the rating fields stay false for them.
        return Ok(status);
    }
    status.has_rated = rating_of(conn, actor, &enrollment)?.is_some();
    let dismissed_at = rating_prompt_dismissals::table
        .filter(rating_prompt_dismissals::enrollment_id.eq(enrollment_id))
        .select(rating_prompt_dismissals::dismissed_at)
        .first::<chrono::NaiveDateTime>(conn)
        .optional()?;
    let put_off = dismissed_at.is_some_and(|at| clock.now() < at + settings.prompt_delay);
    status.should_prompt_rating = status.eligible && !status.has_rated && !put_off;
    Ok(status)
}

/// "Plus tard": put the prompt off for `settings.prompt_delay`.
pub fn dismiss_prompt(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &RatingSettings,
    enrollment_id: i32,
) -> Result<CertificateStatus, Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        let enrollment = own_enrollment_for_update(conn, actor, enrollment_id)?;
        let now = clock.now();
        let updated = diesel::update(
            rating_prompt_dismissals::table
                .filter(rating_prompt_dismissals::enrollment_id.eq(enrollment.id)),
        )
        .set(rating_prompt_dismissals::dismissed_at.eq(now))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(rating_prompt_dismissals::table)
                .values((
                    rating_prompt_dismissals::enrollment_id.eq(enrollment.id),
                    rating_prompt_dismissals::dismissed_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    certificate_status(conn, actor, clock, settings, enrollment_id)
}
