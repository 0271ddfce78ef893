//! Joining and leaving: admission under the participant limit, attendance
//! summed over every join/leave cycle, and the participants list.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::page::MAX_LIMIT;
use mdsc_core::schema::{live_session_participants, live_sessions, users};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, write_transaction};

use crate::access::{lock_session, session_member, session_staff};
use crate::jitsi::{JoinIdentity, join_data};
use crate::lifecycle::{opens_at, too_early};
use crate::model::{
    JoinSessionData, LiveSessionParticipant, LiveSessionRow, ParticipantRow, ParticipantUser,
    SessionStatus,
};
use crate::settings::LiveSettings;

pub(crate) fn find_participant(
    conn: &mut DbConnection,
    session_id: i32,
    user_id: i32,
) -> Result<Option<ParticipantRow>, Error> {
    Ok(live_session_participants::table
        .filter(live_session_participants::session_id.eq(session_id))
        .filter(live_session_participants::user_id.eq(user_id))
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()?)
}

/// Ends the participant's current cycle at `at`, adding its length to the
/// attendance. Seconds are kept so short cycles add up; the seed's
/// `attendance_duration` is their whole minutes.
pub(crate) fn close_cycle(
    conn: &mut DbConnection,
    participant: &ParticipantRow,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let Some(joined_at) = participant.joined_at else {
        return Ok(());
    };
    let seconds = i32::try_from((at - joined_at).num_seconds().max(0)).unwrap_or(i32::MAX);
    let total = participant.attendance_seconds.saturating_add(seconds);
    diesel::update(live_session_participants::table.find(participant.id))
        .set((
            live_session_participants::left_at.eq(at),
            live_session_participants::attendance_seconds.eq(total),
            live_session_participants::attendance_duration.eq(total / 60),
        ))
        .execute(conn)?;
    Ok(())
}

/// Everyone still in the room leaves at `at` (the session ends or is
/// cancelled).
pub(crate) fn close_open_attendance(
    conn: &mut DbConnection,
    session_id: i32,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let present: Vec<ParticipantRow> = live_session_participants::table
        .filter(live_session_participants::session_id.eq(session_id))
        .filter(live_session_participants::joined_at.is_not_null())
        .filter(live_session_participants::left_at.is_null())
        .select(ParticipantRow::as_select())
        .load(conn)?;
    for participant in &present {
        close_cycle(conn, participant, at)?;
    }
    Ok(())
}

/// Opens a cycle at `at` (a rejoin after leaving, or the first join).
pub(crate) fn open_cycle(
    conn: &mut DbConnection,
    participant: &ParticipantRow,
    at: NaiveDateTime,
) -> Result<(), Error> {
    diesel::update(live_session_participants::table.find(participant.id))
        .set((
            live_session_participants::joined_at.eq(at),
            live_session_participants::left_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether `is_staff`/student may enter `session` at `now`.
fn check_open(session: &LiveSessionRow, is_staff: bool, now: NaiveDateTime) -> Result<(), Error> {
    match session.status()? {
        SessionStatus::Ended => Err(Error::conflict("SESSION_ENDED", "This session has ended")),
        SessionStatus::Cancelled => Err(Error::conflict(
            "SESSION_CANCELLED",
            "This session was cancelled",
        )),
        SessionStatus::Live => Ok(()),
        SessionStatus::Scheduled if is_staff => {
            let opens = opens_at(session.scheduled_start_time);
            if now < opens {
                Err(too_early(opens))
            } else {
                Ok(())
            }
        }
        SessionStatus::Scheduled => Err(Error::conflict(
            "SESSION_NOT_LIVE",
            "The session has not started yet",
        )),
    }
}

/// Admits the caller: staff from 15 minutes before the start, students
/// while the session is live and within `max_participants` distinct
/// students. A student admitted once may always come back. The session row
/// is locked, so concurrent joins never overfill it.
pub fn join_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &LiveSettings,
    session_id: i32,
) -> Result<JoinSessionData, Error> {
    let (_, _, is_staff) = session_member(conn, actor, session_id)?;
    let user = mdsc_auth::service::find_user(conn, actor.user_id)?
        .ok_or_else(|| Error::unauthenticated("Unknown user"))?;
    let now = clock.now();
    let session = write_transaction(conn, |conn| -> Result<_, Error> {
        let session = lock_session(conn, session_id)?;
        check_open(&session, is_staff, now)?;
        match find_participant(conn, session_id, actor.user_id)? {
            Some(participant) if participant.is_present() => {}
            Some(participant) => open_cycle(conn, &participant, now)?,
            None => {
                if !is_staff {
                    if session.participant_count >= session.max_participants {
                        return Err(Error::conflict(
                            "SESSION_FULL",
                            "This session has reached its participant limit",
                        ));
                    }
                    diesel::update(live_sessions::table.find(session_id))
                        .set(
                            live_sessions::participant_count
                                .eq(live_sessions::participant_count + 1),
                        )
                        .execute(conn)?;
                }
                diesel::insert_into(live_session_participants::table)
                    .values((
                        live_session_participants::session_id.eq(session_id),
                        live_session_participants::user_id.eq(actor.user_id),
                        live_session_participants::enrolled_at.eq(now),
                        live_session_participants::joined_at.eq(now),
                        live_session_participants::is_staff.eq(is_staff),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(session)
    })?;
    let identity = JoinIdentity {
        user_id: user.id,
        display_name: format!("{} {}", user.first_name, user.last_name)
            .trim()
            .to_owned(),
        email: user.email,
        avatar: user.avatar,
        moderator: is_staff,
    };
    join_data(settings, &session, &identity, now)
}

/// Leaves the room: the current cycle's time is added to the attendance.
/// Leaving twice changes nothing.
pub fn leave_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    session_id: i32,
) -> Result<LiveSessionParticipant, Error> {
    session_member(conn, actor, session_id)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        lock_session(conn, session_id)?;
        let participant = find_participant(conn, session_id, actor.user_id)?.ok_or_else(|| {
            Error::conflict("NOT_A_PARTICIPANT", "You have not joined this session")
        })?;
        if participant.is_present() {
            close_cycle(conn, &participant, clock.now())?;
        }
        find_participant(conn, session_id, actor.user_id)?
            .ok_or_else(|| Error::internal("participant vanished"))
    })?;
    render_participants(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("rendering a participant gave nothing"))
}

/// Everyone admitted to the session with their attendance, for its staff,
/// a page at a time (a plain array: `page`/`limit`, default and most 100).
pub fn list_participants(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
    params: PageParams,
) -> Result<Page<LiveSessionParticipant>, Error> {
    session_staff(conn, actor, session_id)?;
    let request = PageParams {
        page: params.page,
        limit: Some(params.limit.unwrap_or(MAX_LIMIT)),
    }
    .resolve();
    let offset = request.bounded_offset()?;
    let of_session = || {
        live_session_participants::table
            .filter(live_session_participants::session_id.eq(session_id))
            .into_boxed()
    };
    let counted = of_session()
        .select(live_session_participants::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let rows = of_session()
        .order((
            live_session_participants::enrolled_at.asc(),
            live_session_participants::id.asc(),
        ))
        .limit(request.limit)
        .offset(offset)
        .select(ParticipantRow::as_select())
        .load(conn)?;
    Ok(Page::new(
        render_participants(conn, rows)?,
        request,
        bounded_total(counted, request),
    ))
}

fn render_participants(
    conn: &mut DbConnection,
    rows: Vec<ParticipantRow>,
) -> Result<Vec<LiveSessionParticipant>, Error> {
    let ids: Vec<i32> = rows.iter().map(|r| r.user_id).collect();
    let people: HashMap<i32, ParticipantUser> = users::table
        .filter(users::id.eq_any(&ids))
        .select(ParticipantUser::as_select())
        .load(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| LiveSessionParticipant {
            is_present: row.is_present(),
            user: people.get(&row.user_id).cloned(),
            id: row.id,
            session_id: row.session_id,
            user_id: row.user_id,
            enrolled_at: utc(row.enrolled_at),
            joined_at: utc_opt(row.joined_at),
            left_at: utc_opt(row.left_at),
            attendance_duration: row.attendance_duration,
            is_instructor: row.is_staff,
        })
        .collect())
}
