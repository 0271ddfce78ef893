//! Access checks that every feature crate reuses: who is staff of a course,
//! who is enrolled in it.

use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{courses, enrollments, users};
use mdsc_core::{DbConnection, Error};

use crate::model::{CourseRow, EnrollmentRow};

/// How an actor relates to a course, for rules that admit "enrolled students
/// and staff".
#[derive(Debug, Clone)]
pub enum CourseAccess {
    /// The course's instructor or an admin.
    Staff,
    /// A student with a current (active or completed) enrollment.
    Enrolled(EnrollmentRow),
}

impl CourseAccess {
    pub fn is_staff(&self) -> bool {
        matches!(self, CourseAccess::Staff)
    }
}

pub fn find_course(conn: &mut DbConnection, course_id: i32) -> Result<CourseRow, Error> {
    courses::table
        .find(course_id)
        .select(CourseRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Course"))
}

/// Staff of a course: its instructor, while they hold the instructor role,
/// and every admin. The role is the one the account has at the time of the
/// request, so an instructor demoted to student is staff of nothing at once.
pub fn is_staff_of(actor: &Principal, course: &CourseRow) -> bool {
    actor.is_admin() || (actor.is_instructor() && course.instructor_id == actor.user_id)
}

/// The course's instructor while their account holds the instructor role;
/// `None` once demoted (they are no longer staff, so hear nothing as such).
pub fn acting_instructor(conn: &mut DbConnection, course_id: i32) -> Result<Option<i32>, Error> {
    Ok(courses::table
        .inner_join(users::table)
        .filter(courses::id.eq(course_id))
        .filter(users::role.eq(Role::Instructor.as_str()))
        .select(users::id)
        .first(conn)
        .optional()?)
}

/// Is `actor` staff of course `course_id`? 404 when the course does not exist.
pub fn is_course_staff(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<bool, Error> {
    // Still 404 for a missing course, whoever asks.
    Ok(is_staff_of(actor, &find_course(conn, course_id)?))
}

/// The user's current (not cancelled) enrollment in the course, if any.
pub fn enrollment_of(
    conn: &mut DbConnection,
    user_id: i32,
    course_id: i32,
) -> Result<Option<EnrollmentRow>, Error> {
    Ok(enrollments::table
        .filter(enrollments::user_id.eq(user_id))
        .filter(enrollments::course_id.eq(course_id))
        .filter(enrollments::status.ne("cancelled"))
        .select(EnrollmentRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn is_enrolled(conn: &mut DbConnection, user_id: i32, course_id: i32) -> Result<bool, Error> {
    Ok(enrollment_of(conn, user_id, course_id)?.is_some())
}

/// Admits course staff and enrolled students; 403 for anyone else who sees
/// the course, 404 when it does not exist or is a draft hidden from them.
pub fn require_course_member(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<CourseAccess, Error> {
    let course = find_course(conn, course_id)?;
    if is_staff_of(actor, &course) {
        return Ok(CourseAccess::Staff);
    }
    match enrollment_of(conn, actor.user_id, course_id)? {
        Some(enrollment) => Ok(CourseAccess::Enrolled(enrollment)),
        None => {
            ensure_visible(conn, Some(actor), &course)?;
            Err(Error::forbidden("You must be enrolled in this course").with_code("NOT_ENROLLED"))
        }
    }
}

/// A course exists for its staff and enrolled students, and for everyone
/// once published; otherwise 404, so drafts do not leak their existence.
pub fn ensure_visible(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course: &CourseRow,
) -> Result<(), Error> {
    if course.is_published {
        return Ok(());
    }
    let visible = match actor {
        Some(a) => is_staff_of(a, course) || enrollment_of(conn, a.user_id, course.id)?.is_some(),
        None => false,
    };
    if visible {
        Ok(())
    } else {
        Err(Error::not_found("Course"))
    }
}

/// Admits course staff only: 403 for anyone who can see the course, 404
/// for those who cannot, and when the course does not exist.
pub fn require_course_staff(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<CourseRow, Error> {
    let course = find_course(conn, course_id)?;
    if is_staff_of(actor, &course) {
        return Ok(course);
    }
    ensure_visible(conn, Some(actor), &course)?;
    Err(Error::forbidden(
        "Only the course's instructor or an administrator may do this",
    ))
}
