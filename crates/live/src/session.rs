//! Sessions: schedule, read, list, change, cancel and delete (seed §1.2.2).

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::page::MAX_LIMIT;
use mdsc_core::schema::{live_session_participants, live_sessions};
use mdsc_core::text::{validate_multi_line, validate_not_blank, validate_single_line};
use mdsc_core::time::{check_range, to_storage};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, write_transaction};
use mdsc_notify::events::{SessionEvent, SessionFacts};
use serde::Deserialize;
use validator::Validate;

use crate::access::{course_member, course_staff, find_session, lock_session, session_member};
use crate::attendance::close_open_attendance;
use crate::model::{LiveSession, LiveSessionRow, SessionStatus};
use crate::render::{render, render_one};
use crate::room::{provisional_room_name, room_name};
use crate::settings::LiveSettings;

/// The longest session one may schedule: join tokens are valid for its
/// whole length, so it stays bounded.
pub const MAX_SESSION_HOURS: i64 = 12;
/// A course's list is a plain array (the seed's `getCourseSessions`): when
/// no `limit` is asked, the largest page, so that client sees as many
/// sessions as one page may hold; `from`/`to` select a window.
pub const COURSE_LIST_DEFAULT_LIMIT: i64 = MAX_LIMIT;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateSessionInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: String,
    #[validate(length(max = 10000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 10000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    pub scheduled_start_time: DateTime<FixedOffset>,
    pub scheduled_end_time: DateTime<FixedOffset>,
    /// 1 to the configured cap (100 by default, the default value too).
    pub max_participants: Option<i32>,
    /// Default true.
    pub recording_enabled: Option<bool>,
}

/// Only the fields sent change.
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateSessionInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(max = 10000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 10000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    pub scheduled_start_time: Option<DateTime<FixedOffset>>,
    pub scheduled_end_time: Option<DateTime<FixedOffset>>,
    pub max_participants: Option<i32>,
    pub recording_enabled: Option<bool>,
    /// Only `cancelled`, from `scheduled`; start and end have their own routes.
    pub status: Option<SessionStatus>,
    /// The recording's address, once the session has ended.
    #[validate(url, length(max = 2048), custom(function = validate_single_line), custom(function = mdsc_core::text::validate_http_url))]
    #[schema(
        max_length = 2048,
        pattern = "^ *[hH][tT][tT][pP][sS]?://[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub recording_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionListQuery {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Sessions per page (default and most: 100).
    pub limit: Option<i64>,
    /// `scheduled`, `live`, `ended` or `cancelled`.
    pub status: Option<SessionStatus>,
    /// Sessions ending at or after this time.
    pub from: Option<DateTime<FixedOffset>>,
    /// Sessions starting before this time.
    pub to: Option<DateTime<FixedOffset>>,
}

fn check_max_participants(settings: &LiveSettings, value: i32) -> Result<(), Error> {
    if (1..=settings.max_participants_cap).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "max_participants",
            format!("must be between 1 and {}", settings.max_participants_cap),
        ))
    }
}

fn check_times(start: NaiveDateTime, end: NaiveDateTime) -> Result<(), Error> {
    check_range("scheduled_start_time", start)?;
    check_range("scheduled_end_time", end)?;
    if end <= start {
        return Err(Error::invalid_field(
            "scheduled_end_time",
            "must be after scheduled_start_time",
        ));
    }
    if end - start > Duration::hours(MAX_SESSION_HOURS) {
        return Err(Error::invalid_field(
            "scheduled_end_time",
            format!("a session lasts at most {MAX_SESSION_HOURS} hours"),
        ));
    }
    Ok(())
}

/// Tells the course's students and instructor (not the actor) of a
/// session scheduled, moved, cancelled or started, in the caller's
/// transaction.
pub(crate) fn notify_students(
    conn: &mut DbConnection,
    actor: &Principal,
    session: &LiveSessionRow,
    event: SessionEvent,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let facts = SessionFacts {
        id: session.id,
        course_id: session.course_id,
        title: &session.title,
        start: session.scheduled_start_time,
    };
    mdsc_notify::events::live_session(conn, Some(actor.user_id), &facts, event, now)?;
    mdsc_notify::reminders::live_session_changed(conn, session.id, now)?;
    Ok(())
}

/// Schedules a session; the room name is generated here, never taken from
/// the client.
pub fn create_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &LiveSettings,
    course_id: i32,
    input: CreateSessionInput,
) -> Result<LiveSession, Error> {
    let course = course_staff(conn, actor, course_id)?;
    input.validate()?;
    let start = to_storage(input.scheduled_start_time);
    let end = to_storage(input.scheduled_end_time);
    check_times(start, end)?;
    let now = clock.now();
    if end <= now {
        return Err(Error::invalid_field(
            "scheduled_end_time",
            "must be in the future",
        ));
    }
    let max = input.max_participants.unwrap_or(
        settings
            .max_participants_cap
            .min(crate::settings::DEFAULT_MAX_PARTICIPANTS_CAP),
    );
    check_max_participants(settings, max)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let id: i32 = diesel::insert_into(live_sessions::table)
            .values((
                live_sessions::course_id.eq(course_id),
                live_sessions::instructor_id.eq(course.instructor_id),
                live_sessions::title.eq(input.title.trim()),
                live_sessions::description.eq(input.description.as_deref()),
                live_sessions::scheduled_start_time.eq(start),
                live_sessions::scheduled_end_time.eq(end),
                live_sessions::status.eq(SessionStatus::Scheduled.as_str()),
                live_sessions::jitsi_room_name.eq(provisional_room_name()?),
                live_sessions::jitsi_server_url.eq(&settings.server_url),
                live_sessions::max_participants.eq(max),
                live_sessions::recording_enabled.eq(input.recording_enabled.unwrap_or(true)),
                live_sessions::created_at.eq(now),
                live_sessions::updated_at.eq(now),
            ))
            .returning(live_sessions::id)
            .get_result(conn)?;
        diesel::update(live_sessions::table.find(id))
            .set(live_sessions::jitsi_room_name.eq(room_name(course_id, id)?))
            .execute(conn)?;
        let session = find_session(conn, id)?;
        notify_students(conn, actor, &session, SessionEvent::Scheduled, now)?;
        Ok(session)
    })?;
    render_one(conn, row, actor)
}

/// One session, for the course's staff and enrolled students.
pub fn get_session(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
) -> Result<LiveSession, Error> {
    let (session, _, _) = session_member(conn, actor, session_id)?;
    render_one(conn, session, actor)
}

/// A course's sessions by start time, for its staff and enrolled students.
pub fn list_course_sessions(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    query: SessionListQuery,
) -> Result<Page<LiveSession>, Error> {
    course_member(conn, actor, course_id)?;
    let request = PageParams {
        page: query.page,
        limit: Some(query.limit.unwrap_or(COURSE_LIST_DEFAULT_LIMIT)),
    }
    .resolve();
    let offset = request.bounded_offset()?;
    let filtered = || {
        let mut q = live_sessions::table
            .filter(live_sessions::course_id.eq(course_id))
            .into_boxed();
        if let Some(status) = query.status {
            q = q.filter(live_sessions::status.eq(status.as_str()));
        }
        if let Some(from) = query.from {
            q = q.filter(live_sessions::scheduled_end_time.ge(to_storage(from)));
        }
        if let Some(to) = query.to {
            q = q.filter(live_sessions::scheduled_start_time.lt(to_storage(to)));
        }
        q
    };
    let counted = filtered()
        .select(live_sessions::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let rows = filtered()
        .order((
            live_sessions::scheduled_start_time.asc(),
            live_sessions::id.asc(),
        ))
        .limit(request.limit)
        .offset(offset)
        .select(LiveSessionRow::as_select())
        .load(conn)?;
    Ok(Page::new(
        render(conn, rows, actor)?,
        request,
        bounded_total(counted, request),
    ))
}

fn transition_conflict(from: SessionStatus, to: SessionStatus) -> Error {
    Error::conflict(
        "INVALID_STATUS_TRANSITION",
        format!("A {} session cannot become {}", from.as_str(), to.as_str()),
    )
}

/// Changes a session; only its staff may. Times, capacity and recording
/// change while it is scheduled (capacity also while live); `status` only
/// cancels a scheduled session; `recording_url` is set once it has ended.
pub fn update_session(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &LiveSettings,
    session_id: i32,
    input: UpdateSessionInput,
) -> Result<LiveSession, Error> {
    let session = find_session(conn, session_id)?;
    course_staff(conn, actor, session.course_id)?;
    input.validate()?;
    if let Some(max) = input.max_participants {
        check_max_participants(settings, max)?;
    }
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let before = lock_session(conn, session_id)?;
        let status = before.status()?;
        let now = clock.now();
        let mut calendar_change = false;

        let new_status = match input.status {
            None => status,
            Some(to) if to == status => status,
            Some(SessionStatus::Cancelled) if status == SessionStatus::Scheduled => {
                // Staff may have opened the room early: they leave now.
                close_open_attendance(conn, session_id, now)?;
                calendar_change = true;
                SessionStatus::Cancelled
            }
            Some(to) => return Err(transition_conflict(status, to)),
        };

        let times_sent = input.scheduled_start_time.is_some() || input.scheduled_end_time.is_some();
        let start = input
            .scheduled_start_time
            .map(to_storage)
            .unwrap_or(before.scheduled_start_time);
        let end = input
            .scheduled_end_time
            .map(to_storage)
            .unwrap_or(before.scheduled_end_time);
        let times_change = start != before.scheduled_start_time || end != before.scheduled_end_time;
        if times_sent && times_change {
            if status != SessionStatus::Scheduled {
                return Err(Error::conflict(
                    "SESSION_NOT_SCHEDULED",
                    "Only a scheduled session can be moved",
                ));
            }
            check_times(start, end)?;
            if end <= now {
                return Err(Error::invalid_field(
                    "scheduled_end_time",
                    "must be in the future",
                ));
            }
            calendar_change = true;
        }

        if let Some(max) = input.max_participants
            && max != before.max_participants
        {
            if !matches!(status, SessionStatus::Scheduled | SessionStatus::Live) {
                return Err(Error::conflict(
                    "SESSION_CLOSED",
                    "The capacity of an ended or cancelled session cannot change",
                ));
            }
            if max < before.participant_count {
                return Err(Error::invalid_field(
                    "max_participants",
                    format!(
                        "must be at least the {} students already admitted",
                        before.participant_count
                    ),
                ));
            }
        }
        if let Some(enabled) = input.recording_enabled
            && enabled != before.recording_enabled
            && status != SessionStatus::Scheduled
        {
            return Err(Error::conflict(
                "SESSION_NOT_SCHEDULED",
                "Recording can be switched on or off only before the session starts",
            ));
        }
        let recording_enabled = input.recording_enabled.unwrap_or(before.recording_enabled);
        if input.recording_url.is_some() {
            if !recording_enabled {
                return Err(Error::conflict(
                    "RECORDING_DISABLED",
                    "Recording is not enabled for this session",
                ));
            }
            if status != SessionStatus::Ended {
                return Err(Error::conflict(
                    "SESSION_NOT_ENDED",
                    "A recording can be attached once the session has ended",
                ));
            }
        }
        let title = input
            .title
            .as_deref()
            .map(str::trim)
            .unwrap_or(&before.title)
            .to_owned();
        let description = input.description.clone().or(before.description.clone());
        calendar_change |= title != before.title || description != before.description;

        diesel::update(live_sessions::table.find(session_id))
            .set((
                live_sessions::title.eq(&title),
                live_sessions::description.eq(&description),
                live_sessions::scheduled_start_time.eq(start),
                live_sessions::scheduled_end_time.eq(end),
                live_sessions::status.eq(new_status.as_str()),
                live_sessions::max_participants
                    .eq(input.max_participants.unwrap_or(before.max_participants)),
                live_sessions::recording_enabled.eq(recording_enabled),
                live_sessions::recording_url
                    .eq(input.recording_url.clone().or(before.recording_url.clone())),
                live_sessions::revision.eq(before.revision + i32::from(calendar_change)),
                live_sessions::updated_at.eq(now),
            ))
            .execute(conn)?;
        let after = find_session(conn, session_id)?;
        if new_status == SessionStatus::Cancelled && status != SessionStatus::Cancelled {
            notify_students(conn, actor, &after, SessionEvent::Cancelled, now)?;
        } else if times_sent && times_change {
            notify_students(conn, actor, &after, SessionEvent::Rescheduled, now)?;
        }
        Ok(after)
    })?;
    render_one(conn, row, actor)
}

/// Deletes a session nobody attended; one that someone attended is part of
/// their record: cancel it instead (409 `SESSION_ATTENDED`).
pub fn delete_session(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
) -> Result<(), Error> {
    let session = find_session(conn, session_id)?;
    course_staff(conn, actor, session.course_id)?;
    write_transaction(conn, |conn| -> Result<_, Error> {
        let session = lock_session(conn, session_id)?;
        if session.status()? == SessionStatus::Live {
            return Err(Error::conflict(
                "SESSION_LIVE",
                "End the session before deleting it",
            ));
        }
        let attended: i64 = live_session_participants::table
            .filter(live_session_participants::session_id.eq(session_id))
            .filter(live_session_participants::joined_at.is_not_null())
            .count()
            .get_result(conn)?;
        if attended > 0 {
            return Err(Error::conflict(
                "SESSION_ATTENDED",
                "Someone attended this session: cancel it instead of deleting it",
            ));
        }
        diesel::delete(live_sessions::table.find(session_id)).execute(conn)?;
        mdsc_notify::reminders::live_session_deleted(conn, session_id)?;
        Ok(())
    })
}
