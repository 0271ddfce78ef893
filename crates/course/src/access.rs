//! Access checks that every feature crate reuses: who is staff of a course,
//! who is enrolled in it.

use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{courses, enrollments, users};
use mdsc_core::{DbConnection, Error};

use crate::model::{CourseRow, EnrollmentRow};

/// An enrollment that counts (active or completed): not cancelled. Written
/// literally rather than with a bound parameter, so that PostgreSQL's
/// generic plans (after five runs of a prepared statement) can still use
/// the partial unique index of current enrollments, whose predicate this
/// is: with a parameter, a reply in a course of 100,000 students scanned
/// them all (14.7 ms instead of 0.05 ms).
pub fn is_current_enrollment() -> mdsc_core::prepared_sql::PreparedSql<diesel::sql_types::Bool> {
    mdsc_core::prepared_sql::sql("enrollments.status <> 'cancelled'")
}

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
        .filter(crate::access::is_current_enrollment())
        .select(EnrollmentRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn is_enrolled(conn: &mut DbConnection, user_id: i32, course_id: i32) -> Result<bool, Error> {
    Ok(enrollment_of(conn, user_id, course_id)?.is_some())
}

/// A course and the reader's current enrollment in it, read together: the
/// facts every "staff, enrolled students, or anyone once published" rule
/// decides on.
#[derive(Debug, Clone)]
pub struct CourseMembership {
    pub course: CourseRow,
    /// The reader's current (not cancelled) enrollment; `None` for anonymous readers.
    pub enrollment: Option<EnrollmentRow>,
}

impl CourseMembership {
    /// The course exists for the reader (see [`ensure_visible`]).
    pub fn is_visible_to(&self, actor: Option<&Principal>) -> bool {
        self.course.is_published
            || actor.is_some_and(|a| is_staff_of(a, &self.course) || self.enrollment.is_some())
    }

    /// 404 when the course is hidden from the reader.
    pub fn ensure_visible(&self, actor: Option<&Principal>) -> Result<(), Error> {
        if self.is_visible_to(actor) {
            Ok(())
        } else {
            Err(Error::not_found("Course"))
        }
    }

    /// Staff or enrolled student; 403 `NOT_ENROLLED` for anyone else who
    /// sees the course, 404 for those who do not.
    pub fn require_member(self, actor: &Principal) -> Result<(CourseRow, CourseAccess), Error> {
        if is_staff_of(actor, &self.course) {
            return Ok((self.course, CourseAccess::Staff));
        }
        if let Some(enrollment) = self.enrollment {
            return Ok((self.course, CourseAccess::Enrolled(enrollment)));
        }
        self.ensure_visible(Some(actor))?;
        Err(Error::forbidden("You must be enrolled in this course").with_code("NOT_ENROLLED"))
    }

    /// Staff only; 403 for anyone who sees the course, 404 for the others.
    pub fn require_staff(self, actor: &Principal) -> Result<CourseRow, Error> {
        if is_staff_of(actor, &self.course) {
            return Ok(self.course);
        }
        self.ensure_visible(Some(actor))?;
        Err(Error::forbidden(
            "Only the course's instructor or an administrator may do this",
        ))
    }
}

/// The course joined with the reader's current enrollment, in one
/// statement (the partial unique index admits at most one such row);
/// 404 when the course does not exist.
pub fn course_membership(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course_id: i32,
) -> Result<CourseMembership, Error> {
    let Some(actor) = actor else {
        return Ok(CourseMembership {
            course: find_course(conn, course_id)?,
            enrollment: None,
        });
    };
    let (course, enrollment) = courses::table
        .left_join(
            enrollments::table.on(enrollments::course_id
                .eq(courses::id)
                .and(enrollments::user_id.eq(actor.user_id))
                .and(crate::access::is_current_enrollment())),
        )
        .filter(courses::id.eq(course_id))
        .select((CourseRow::as_select(), Option::<EnrollmentRow>::as_select()))
        .first::<(CourseRow, Option<EnrollmentRow>)>(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Course"))?;
    Ok(CourseMembership { course, enrollment })
}

/// The course, for a reader it is visible to (one statement); 404 otherwise.
pub fn visible_course(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course_id: i32,
) -> Result<CourseRow, Error> {
    let membership = course_membership(conn, actor, course_id)?;
    membership.ensure_visible(actor)?;
    Ok(membership.course)
}

/// Admits course staff and enrolled students; 403 for anyone else who sees
/// the course, 404 when it does not exist or is a draft hidden from them.
pub fn require_course_member(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<CourseAccess, Error> {
    let (_, access) = course_membership(conn, Some(actor), course_id)?.require_member(actor)?;
    Ok(access)
}

/// The rule of [`require_course_member`] applied to rows already read, for
/// callers that read the course and the actor's enrollment together with
/// what they guard, in one statement. `enrollment` is the actor's in this
/// course, if any (a cancelled one admits nobody).
pub fn admit_member(
    actor: &Principal,
    course: &CourseRow,
    enrollment: Option<EnrollmentRow>,
) -> Result<CourseAccess, Error> {
    let membership = CourseMembership {
        course: course.clone(),
        enrollment: enrollment.filter(EnrollmentRow::is_current),
    };
    membership.require_member(actor).map(|(_, access)| access)
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
    course_membership(conn, Some(actor), course_id)?.require_staff(actor)
}
