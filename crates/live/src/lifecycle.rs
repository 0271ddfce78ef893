//! Starting and ending a session: `scheduled → live → ended`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::live_sessions;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_notify::events::SessionEvent;

use crate::access::{course_staff, find_session, lock_session};
use crate::attendance::close_open_attendance;
use crate::model::{LiveSession, SessionStatus};
use crate::render::render_one;
use crate::session::notify_students;

/// Staff may open the room (start, join) this long before the scheduled start.
pub const EARLY_OPEN_MINUTES: i64 = 15;

/// When staff may start and join: 15 minutes before the scheduled start.
pub fn opens_at(scheduled_start: NaiveDateTime) -> NaiveDateTime {
    scheduled_start - Duration::minutes(EARLY_OPEN_MINUTES)
}

pub(crate) fn too_early(opens: NaiveDateTime) -> Error {
    Error::conflict(
        "SESSION_NOT_OPEN",
        format!(
            "The session opens at {}Z, {EARLY_OPEN_MINUTES} minutes before its start",
            opens.format("%Y-%m-%dT%H:%M:%S")
        ),
    )
}

fn transition_conflict(from: SessionStatus, to: SessionStatus) -> Error {
    Error::conflict(
        "INVALID_STATUS_TRANSITION",
        format!("A {} session cannot become {}", from.as_str(), to.as_str()),
    )
}

/// `scheduled → live`, from 15 minutes before the scheduled start.
pub fn start_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    session_id: i32,
) -> Result<LiveSession, Error> {
    let session = find_session(conn, session_id)?;
    course_staff(conn, actor, session.course_id)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let session = lock_session(conn, session_id)?;
        let status = session.status()?;
        if status != SessionStatus::Scheduled {
            return Err(transition_conflict(status, SessionStatus::Live));
        }
        let now = clock.now();
        let opens = opens_at(session.scheduled_start_time);
        if now < opens {
            return Err(too_early(opens));
        }
        diesel::update(live_sessions::table.find(session_id))
            .set((
                live_sessions::status.eq(SessionStatus::Live.as_str()),
                live_sessions::actual_start_time.eq(now),
                live_sessions::revision.eq(session.revision + 1),
                live_sessions::updated_at.eq(now),
            ))
            .execute(conn)?;
        let started = find_session(conn, session_id)?;
        notify_students(conn, actor, &started, SessionEvent::Started, now)?;
        Ok(started)
    })?;
    render_one(conn, row, actor)
}

/// `live → ended`; everyone still in the room leaves at this moment.
pub fn end_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    session_id: i32,
) -> Result<LiveSession, Error> {
    let session = find_session(conn, session_id)?;
    course_staff(conn, actor, session.course_id)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let session = lock_session(conn, session_id)?;
        let status = session.status()?;
        if status != SessionStatus::Live {
            return Err(transition_conflict(status, SessionStatus::Ended));
        }
        let now = clock.now();
        close_open_attendance(conn, session_id, now)?;
        diesel::update(live_sessions::table.find(session_id))
            .set((
                live_sessions::status.eq(SessionStatus::Ended.as_str()),
                live_sessions::actual_end_time.eq(now),
                live_sessions::revision.eq(session.revision + 1),
                live_sessions::updated_at.eq(now),
            ))
            .execute(conn)?;
        find_session(conn, session_id)
    })?;
    render_one(conn, row, actor)
}
