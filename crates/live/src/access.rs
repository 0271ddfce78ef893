//! Who may do what with a course's live sessions: staff (the course's
//! instructor and admins) manage them; staff and enrolled students see and
//! join them; everyone else gets 403, or 404 when the course is hidden from
//! them or missing.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{courses, enrollments, live_sessions};
use mdsc_core::{DbConnection, Error};
use mdsc_course::access::{CourseMembership, course_membership};
use mdsc_course::model::{CourseRow, EnrollmentRow};

use crate::model::LiveSessionRow;

/// The course, and whether the actor is its staff; 403 `NOT_ENROLLED` for
/// someone who sees the course without being enrolled.
pub(crate) fn course_member(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<(CourseRow, bool), Error> {
    let (course, access) =
        course_membership(conn, Some(actor), course_id)?.require_member(actor)?;
    Ok((course, access.is_staff()))
}

/// The course, for its staff only.
pub(crate) fn course_staff(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<CourseRow, Error> {
    mdsc_course::access::require_course_staff(conn, actor, course_id)
}

pub(crate) fn find_session(
    conn: &mut DbConnection,
    session_id: i32,
) -> Result<LiveSessionRow, Error> {
    live_sessions::table
        .find(session_id)
        .select(LiveSessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Live session"))
}

/// Locks the session row for the rest of the transaction, then reads it:
/// joins, starts and ends that check-then-write are serialized per session.
pub(crate) fn lock_session(
    conn: &mut DbConnection,
    session_id: i32,
) -> Result<LiveSessionRow, Error> {
    if mdsc_core::lock_row!(conn, live_sessions, session_id)? == 0 {
        return Err(Error::not_found("Live session"));
    }
    find_session(conn, session_id)
}

/// The session, its course and the actor's current enrollment in that
/// course, in one statement; 404 when the session does not exist.
fn session_membership(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
) -> Result<(LiveSessionRow, CourseMembership), Error> {
    let (session, course, enrollment) = live_sessions::table
        .inner_join(courses::table)
        .left_join(
            enrollments::table.on(enrollments::course_id
                .eq(live_sessions::course_id)
                .and(enrollments::user_id.eq(actor.user_id))
                .and(mdsc_course::access::is_current_enrollment())),
        )
        .filter(live_sessions::id.eq(session_id))
        .select((
            LiveSessionRow::as_select(),
            CourseRow::as_select(),
            Option::<EnrollmentRow>::as_select(),
        ))
        .first::<(LiveSessionRow, CourseRow, Option<EnrollmentRow>)>(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Live session"))?;
    Ok((session, CourseMembership { course, enrollment }))
}

/// A session, its course and whether the actor is staff, for members.
pub(crate) fn session_member(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
) -> Result<(LiveSessionRow, CourseRow, bool), Error> {
    let (session, membership) = session_membership(conn, actor, session_id)?;
    let (course, access) = membership.require_member(actor)?;
    Ok((session, course, access.is_staff()))
}

/// A session and its course, for the course's staff.
pub(crate) fn session_staff(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
) -> Result<(LiveSessionRow, CourseRow), Error> {
    let (session, membership) = session_membership(conn, actor, session_id)?;
    Ok((session, membership.require_staff(actor)?))
}
