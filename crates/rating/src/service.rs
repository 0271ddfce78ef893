//! Ratings: create (once per completed course), read, edit, delete, moderate.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::course_ratings;
use mdsc_core::text::validate_multi_line;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::enrollment::find_enrollment;
use mdsc_course::{EnrollmentStatus, ensure_visible, find_course, is_staff_of};
use mdsc_notify::events::ModeratedRating;
use serde::Deserialize;
use validator::Validate;

pub use crate::list::{RatingListQuery, RatingSort, RatingStatusFilter, list_ratings};
use crate::model::{CourseRating, RatingRow, RatingStatus};
use crate::render::render_one;
use crate::settings::{Moderation, RatingSettings};
use crate::stats::apply_change;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateRatingInput {
    pub enrollment_id: i32,
    /// 1 to 5 stars.
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    #[validate(length(max = 5000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub comment: Option<String>,
    #[validate(length(max = 2000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 2000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub pros: Option<String>,
    #[validate(length(max = 2000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 2000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub cons: Option<String>,
    /// Default true.
    pub would_recommend: Option<bool>,
    /// Default false. An anonymous rating hides its author from everyone but admins (and the author).
    pub is_anonymous: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateRatingInput {
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i32>,
    #[validate(length(max = 5000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub comment: Option<String>,
    #[validate(length(max = 2000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 2000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub pros: Option<String>,
    #[validate(length(max = 2000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 2000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub cons: Option<String>,
    pub would_recommend: Option<bool>,
    pub is_anonymous: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ModerateInput {
    /// `approved` or `rejected`.
    #[schema(schema_with = moderation_decision_schema)]
    pub status: RatingStatus,
    #[validate(length(max = 1000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 1000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub reason: Option<String>,
}

/// What a moderator may decide (`pending` is where a rating starts).
fn moderation_decision_schema() -> utoipa::openapi::schema::Object {
    mdsc_core::openapi_names::one_of_names(
        [RatingStatus::Approved, RatingStatus::Rejected].map(RatingStatus::as_str),
    )
}

fn find_rating(
    conn: &mut DbConnection,
    course_id: i32,
    rating_id: i32,
) -> Result<RatingRow, Error> {
    course_ratings::table
        .find(rating_id)
        .filter(course_ratings::course_id.eq(course_id))
        .select(RatingRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Rating"))
}

/// The rating, locked until the end of the write transaction: its old
/// contribution to the statistics stays right while we change it.
pub(crate) fn lock_rating(
    conn: &mut DbConnection,
    course_id: i32,
    rating_id: i32,
) -> Result<RatingRow, Error> {
    mdsc_core::lock_row!(conn, course_ratings, rating_id)?;
    find_rating(conn, course_id, rating_id)
}

/// A rating exists for those who can see its course; there, approved ratings
/// are public, others only for their author and the course's staff.
pub(crate) fn can_see(
    conn: &mut DbConnection,
    viewer: Option<&Principal>,
    row: &RatingRow,
) -> Result<bool, Error> {
    let course = find_course(conn, row.course_id)?;
    if ensure_visible(conn, viewer, &course).is_err() {
        return Ok(false);
    }
    Ok(row.is_approved()
        || viewer.is_some_and(|v| v.user_id == row.user_id || is_staff_of(v, &course)))
}

fn already_rated() -> Error {
    Error::conflict("ALREADY_RATED", "You have already rated this course")
}

/// The student of a completed enrollment rates its course, once. Creations,
/// edits and helpful marks count against `writes_per_hour`.
pub fn create_rating(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &RatingSettings,
    course_id: i32,
    input: CreateRatingInput,
) -> Result<CourseRating, Error> {
    input.validate()?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        settings.admit_write(conn, clock, actor.user_id)?;
        let course = find_course(conn, course_id)?;
        ensure_visible(conn, Some(actor), &course)?;
        let enrollment = find_enrollment(conn, input.enrollment_id)?;
        if enrollment.user_id != actor.user_id {
            return Err(Error::not_found("Enrollment"));
        }
        if enrollment.course_id != course_id {
            return Err(Error::invalid_field(
                "enrollment_id",
                "is an enrollment in another course",
            ));
        }
        if enrollment.status() != EnrollmentStatus::Completed {
            return Err(Error::forbidden("Complete the course before rating it")
                .with_code("COURSE_NOT_COMPLETED"));
        }
        let existing: i64 = course_ratings::table
            .filter(course_ratings::course_id.eq(course_id))
            .filter(course_ratings::user_id.eq(actor.user_id))
            .count()
            .get_result(conn)?;
        if existing > 0 {
            return Err(already_rated());
        }
        let status = match settings.moderation {
            Moderation::Post => RatingStatus::Approved,
            Moderation::Pre => RatingStatus::Pending,
        };
        let now = clock.now();
        let row = diesel::insert_into(course_ratings::table)
            .values((
                course_ratings::course_id.eq(course_id),
                course_ratings::user_id.eq(actor.user_id),
                course_ratings::enrollment_id.eq(enrollment.id),
                course_ratings::rating.eq(input.rating),
                course_ratings::comment.eq(&input.comment),
                course_ratings::pros.eq(&input.pros),
                course_ratings::cons.eq(&input.cons),
                course_ratings::would_recommend.eq(input.would_recommend.unwrap_or(true)),
                course_ratings::is_verified_purchase.eq(true),
                course_ratings::is_anonymous.eq(input.is_anonymous.unwrap_or(false)),
                course_ratings::status.eq(status.as_str()),
                course_ratings::created_at.eq(now),
                course_ratings::updated_at.eq(now),
            ))
            .get_result::<RatingRow>(conn)
            .map_err(|e| match Error::from(e) {
                err if err.code == "ALREADY_EXISTS" => already_rated(),
                err => err,
            })?;
        apply_change(conn, course_id, None, Some(&row))?;
        Ok(row)
    })?;
    render_one(conn, row, Some(actor))
}

pub fn get_rating(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course_id: i32,
    rating_id: i32,
) -> Result<CourseRating, Error> {
    let row = find_rating(conn, course_id, rating_id)?;
    if !can_see(conn, actor, &row)? {
        return Err(Error::not_found("Rating"));
    }
    render_one(conn, row, actor)
}

/// The author edits their rating. Under pre-moderation the edit waits for
/// approval again; under post-moderation a rejected rating goes back to
/// pending review rather than becoming public by being edited.
pub fn update_rating(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &RatingSettings,
    course_id: i32,
    rating_id: i32,
    input: UpdateRatingInput,
) -> Result<CourseRating, Error> {
    input.validate()?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        settings.admit_write(conn, clock, actor.user_id)?;
        let before = lock_rating(conn, course_id, rating_id)?;
        if before.user_id != actor.user_id {
            return Err(if can_see(conn, Some(actor), &before)? {
                Error::forbidden("Only its author can edit a rating")
            } else {
                Error::not_found("Rating")
            });
        }
        let status = match (settings.moderation, before.status()) {
            (Moderation::Pre, _) | (Moderation::Post, RatingStatus::Rejected) => {
                RatingStatus::Pending
            }
            (Moderation::Post, current) => current,
        };
        let after = diesel::update(course_ratings::table.find(rating_id))
            .set((
                input.rating.map(|r| course_ratings::rating.eq(r)),
                input
                    .comment
                    .as_ref()
                    .map(|c| course_ratings::comment.eq(c)),
                input.pros.as_ref().map(|p| course_ratings::pros.eq(p)),
                input.cons.as_ref().map(|c| course_ratings::cons.eq(c)),
                input
                    .would_recommend
                    .map(|w| course_ratings::would_recommend.eq(w)),
                input
                    .is_anonymous
                    .map(|a| course_ratings::is_anonymous.eq(a)),
                course_ratings::status.eq(status.as_str()),
                // A rejection's reason no longer applies once the rating changed.
                (status != before.status())
                    .then_some(course_ratings::moderation_reason.eq(None::<String>)),
                course_ratings::updated_at.eq(clock.now()),
            ))
            .get_result::<RatingRow>(conn)?;
        apply_change(conn, course_id, Some(&before), Some(&after))?;
        Ok(after)
    })?;
    render_one(conn, row, Some(actor))
}

/// The author (or an admin) deletes a rating; the student may then rate again.
pub fn delete_rating(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    rating_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        let before = lock_rating(conn, course_id, rating_id)?;
        if before.user_id != actor.user_id && !actor.is_admin() {
            return Err(if can_see(conn, Some(actor), &before)? {
                Error::forbidden("Only its author can delete a rating; staff reject it instead")
            } else {
                Error::not_found("Rating")
            });
        }
        diesel::delete(course_ratings::table.find(rating_id)).execute(conn)?;
        apply_change(conn, course_id, Some(&before), None)
    })
}

/// Course staff approve or reject a rating.
pub fn moderate_rating(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    rating_id: i32,
    input: ModerateInput,
) -> Result<CourseRating, Error> {
    mdsc_course::require_course_staff(conn, actor, course_id)?;
    input.validate()?;
    if input.status == RatingStatus::Pending {
        return Err(Error::invalid_field(
            "status",
            "must be approved or rejected",
        ));
    }
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let before = lock_rating(conn, course_id, rating_id)?;
        let now = clock.now();
        let after = diesel::update(course_ratings::table.find(rating_id))
            .set((
                course_ratings::status.eq(input.status.as_str()),
                course_ratings::moderation_reason.eq(&input.reason),
                course_ratings::moderated_by.eq(actor.user_id),
                course_ratings::moderated_at.eq(now),
                course_ratings::updated_at.eq(now),
            ))
            .get_result::<RatingRow>(conn)?;
        apply_change(conn, course_id, Some(&before), Some(&after))?;
        if before.status != after.status {
            let moderated = ModeratedRating {
                id: after.id,
                course_id,
                author_id: after.user_id,
                approved: input.status == RatingStatus::Approved,
                reason: input.reason.as_deref(),
            };
            mdsc_notify::events::rating_moderated(conn, actor.user_id, moderated, now)?;
        }
        Ok(after)
    })?;
    render_one(conn, row, Some(actor))
}
