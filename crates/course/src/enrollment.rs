//! Enrollments: one current enrollment per student and course.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{courses, enrollments};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::access::{enrollment_of, find_course, is_staff_of};
use crate::model::{CourseSummary, Enrollment, EnrollmentRow, EnrollmentStatus};

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct EnrollInput {
    pub course_id: i32,
    /// A payment reference from the payment provider, stored as given.
    #[validate(length(min = 1, max = 255), custom(function = mdsc_core::text::validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub payment_id: Option<String>,
    /// Generate the study schedule right away (default true).
    pub auto_generate_schedule: Option<bool>,
}

fn course_summary(conn: &mut DbConnection, course_id: i32) -> Result<CourseSummary, Error> {
    Ok(courses::table
        .find(course_id)
        .select(CourseSummary::as_select())
        .first(conn)?)
}

pub fn to_enrollment(conn: &mut DbConnection, row: EnrollmentRow) -> Result<Enrollment, Error> {
    let course = course_summary(conn, row.course_id)?;
    Ok(Enrollment::from_row(row, Some(course)))
}

pub fn find_enrollment(
    conn: &mut DbConnection,
    enrollment_id: i32,
) -> Result<EnrollmentRow, Error> {
    enrollments::table
        .find(enrollment_id)
        .select(EnrollmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Enrollment"))
}

/// An enrollment its student or the course's staff may read; 404 for anyone
/// else, so other users' enrollments do not even seem to exist.
pub fn visible_enrollment(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<EnrollmentRow, Error> {
    let row = find_enrollment(conn, enrollment_id)?;
    if row.user_id == actor.user_id || is_staff_of(actor, &find_course(conn, row.course_id)?) {
        Ok(row)
    } else {
        Err(Error::not_found("Enrollment"))
    }
}

/// The actor's own enrollment: the student acts on it; staff who may read
/// it get 403, anyone else 404.
pub fn own_enrollment(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<EnrollmentRow, Error> {
    let row = visible_enrollment(conn, actor, enrollment_id)?;
    if row.user_id != actor.user_id {
        return Err(Error::forbidden("Only the enrolled student can do this"));
    }
    Ok(row)
}

/// The actor's own enrollment, locked until the end of the current write
/// transaction, so concurrent changes to one enrollment (progress, cancel,
/// certificate) run one after the other and each sees the other's result.
///
/// Call it inside `write_transaction` (see `mdsc_core::lock_row!`).
pub fn own_enrollment_for_update(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<EnrollmentRow, Error> {
    mdsc_core::lock_row!(conn, enrollments, enrollment_id)?;
    own_enrollment(conn, actor, enrollment_id)
}

/// Enrolls the actor in a published course. A second current enrollment in
/// the same course is a conflict (also under concurrent requests: a partial
/// unique index backs the check).
pub fn enroll(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    input: EnrollInput,
) -> Result<Enrollment, Error> {
    input.validate()?;
    let already = || {
        Error::conflict(
            "ALREADY_ENROLLED",
            "You are already enrolled in this course",
        )
    };
    let row = write_transaction(conn, |conn| {
        // Lock the course row (a concurrent delete then waits for us, or we for it).
        mdsc_core::lock_row!(conn, courses, input.course_id)?;
        let course = find_course(conn, input.course_id)?;
        if !course.is_published && !is_staff_of(actor, &course) {
            // A new student cannot join an unpublished course.
            return Err(Error::not_found("Course"));
        }
        if course.instructor_id == actor.user_id {
            return Err(Error::conflict(
                "OWN_COURSE",
                "Instructors cannot enroll in their own course",
            ));
        }
        if enrollment_of(conn, actor.user_id, course.id)?.is_some() {
            return Err(already());
        }
        let now = clock.now();
        let row = diesel::insert_into(enrollments::table)
            .values((
                enrollments::user_id.eq(actor.user_id),
                enrollments::course_id.eq(course.id),
                enrollments::status.eq(EnrollmentStatus::Active.as_str()),
                enrollments::progress_percentage.eq(0.0),
                enrollments::payment_id.eq(&input.payment_id),
                enrollments::enrolled_at.eq(now),
                enrollments::updated_at.eq(now),
            ))
            .get_result::<EnrollmentRow>(conn)
            .map_err(|e| match Error::from(e) {
                err if err.code == "ALREADY_EXISTS" => already(),
                err => err,
            })?;
        diesel::update(courses::table.find(course.id))
            .set(courses::enrollment_count.eq(courses::enrollment_count + 1))
            .execute(conn)?;
        Ok(row)
    })?;
    to_enrollment(conn, row)
}

/// The actor's enrollments, newest first; the total is counted up to a
/// bound (see `mdsc_core::total`), pages reach `MAX_OFFSET` rows deep.
pub fn list_my_enrollments(
    conn: &mut DbConnection,
    actor: &Principal,
    params: PageParams,
) -> Result<Page<Enrollment>, Error> {
    let request = params.resolve();
    let offset = request.bounded_offset()?;
    // In the list's index order: PostgreSQL otherwise plans a sequential
    // scan that may read every other student's rows before the bound.
    let counted = enrollments::table
        .filter(enrollments::user_id.eq(actor.user_id))
        .order((enrollments::enrolled_at.desc(), enrollments::id.desc()))
        .select(enrollments::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let rows: Vec<(EnrollmentRow, CourseSummary)> = enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(actor.user_id))
        .order((enrollments::enrolled_at.desc(), enrollments::id.desc()))
        .limit(request.limit)
        .offset(offset)
        .select((EnrollmentRow::as_select(), CourseSummary::as_select()))
        .load(conn)?;
    let data = rows
        .into_iter()
        .map(|(row, course)| Enrollment::from_row(row, Some(course)))
        .collect();
    Ok(Page::new(data, request, bounded_total(counted, request)))
}

pub fn get_enrollment(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<Enrollment, Error> {
    let row = visible_enrollment(conn, actor, enrollment_id)?;
    to_enrollment(conn, row)
}

/// The student leaves a course they have not completed; they may enroll again later.
pub fn cancel_enrollment(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
) -> Result<Enrollment, Error> {
    let row = write_transaction(conn, |conn| {
        let row = own_enrollment_for_update(conn, actor, enrollment_id)?;
        match row.status() {
            EnrollmentStatus::Active => {}
            EnrollmentStatus::Completed => {
                return Err(Error::conflict(
                    "ENROLLMENT_COMPLETED",
                    "A completed enrollment cannot be cancelled",
                ));
            }
            EnrollmentStatus::Cancelled => {
                return Err(Error::conflict(
                    "ENROLLMENT_CANCELLED",
                    "This enrollment is already cancelled",
                ));
            }
        }
        let row = diesel::update(enrollments::table.find(row.id))
            .set((
                enrollments::status.eq(EnrollmentStatus::Cancelled.as_str()),
                enrollments::updated_at.eq(clock.now()),
            ))
            .get_result::<EnrollmentRow>(conn)?;
        diesel::update(courses::table.find(row.course_id))
            .set(courses::enrollment_count.eq(courses::enrollment_count - 1))
            .execute(conn)?;
        Ok(row)
    })?;
    to_enrollment(conn, row)
}
