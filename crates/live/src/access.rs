//! Who may do what with a course's live sessions: staff (the course's
//! instructor and admins) manage them; staff and enrolled students see and
//! join them; everyone else gets 403, or 404 when the course is hidden from
//! them or missing.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::live_sessions;
use mdsc_core::{DbConnection, Error};
use mdsc_course::access::{enrollment_of, ensure_visible, find_course, is_staff_of};
use mdsc_course::model::CourseRow;

use crate::model::LiveSessionRow;

/// The course, and whether the actor is its staff; 403 `NOT_ENROLLED` for
/// someone who sees the course without being enrolled.
pub(crate) fn course_member(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<(CourseRow, bool), Error> {
    let course = find_course(conn, course_id)?;
    if is_staff_of(actor, &course) {
        return Ok((course, true));
    }
    if enrollment_of(conn, actor.user_id, course_id)?.is_some() {
        return Ok((course, false));
    }
    ensure_visible(conn, Some(actor), &course)?;
    Err(Error::forbidden("You must be enrolled in this course").with_code("NOT_ENROLLED"))
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

/// A session, its course and whether the actor is staff, for members.
pub(crate) fn session_member(
    conn: &mut DbConnection,
    actor: &Principal,
    session: LiveSessionRow,
) -> Result<(LiveSessionRow, CourseRow, bool), Error> {
    let (course, is_staff) = course_member(conn, actor, session.course_id)?;
    Ok((session, course, is_staff))
}

/// A session and its course, for the course's staff.
pub(crate) fn session_staff(
    conn: &mut DbConnection,
    actor: &Principal,
    session: LiveSessionRow,
) -> Result<(LiveSessionRow, CourseRow), Error> {
    let course = course_staff(conn, actor, session.course_id)?;
    Ok((session, course))
}
