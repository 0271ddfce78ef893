//! Reminders before live sessions (24 hours and 15 minutes before, the
//! seed's "notifications are sent before sessions"): scheduled as jobs in
//! the transaction that schedules, moves, cancels or deletes the session,
//! sent by the worker when due.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::schema::live_sessions;
use mdsc_core::{DbConnection, Error};
use serde_json::json;

use crate::events::{SessionEvent, SessionFacts, live_session};
use crate::jobs;

/// Minutes before the start at which a session is reminded.
pub const LIVE_REMINDER_MINUTES: [i64; 2] = [24 * 60, 15];
const LIVE_REMINDER: &str = "live_reminder";

fn live_key(session_id: i32, minutes: i64) -> String {
    format!("{LIVE_REMINDER}:{session_id}:{minutes}")
}

/// Keeps a session's reminders in step with it: due before a scheduled
/// session's start, none for one that is not (or no longer) scheduled,
/// none that would already be late.
pub fn live_session_changed(
    conn: &mut DbConnection,
    session_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let (start, status): (NaiveDateTime, String) = live_sessions::table
        .find(session_id)
        .select((live_sessions::scheduled_start_time, live_sessions::status))
        .first(conn)?;
    for minutes in LIVE_REMINDER_MINUTES {
        let key = live_key(session_id, minutes);
        let run_at = start - Duration::minutes(minutes);
        if status == "scheduled" && run_at > now {
            let payload =
                json!({"session_id": session_id, "minutes_before": minutes, "start": start});
            jobs::schedule(conn, LIVE_REMINDER, &key, &payload, run_at, now)?;
        } else {
            jobs::cancel(conn, &key, now)?;
        }
    }
    Ok(())
}

/// A deleted session's pending reminders go with it.
pub fn live_session_deleted(conn: &mut DbConnection, session_id: i32) -> Result<(), Error> {
    for minutes in LIVE_REMINDER_MINUTES {
        jobs::forget(conn, &live_key(session_id, minutes))?;
    }
    Ok(())
}

/// Runs a due job (called by the worker inside the job's transaction).
pub fn run(
    conn: &mut DbConnection,
    kind: &str,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), Error> {
    match kind {
        LIVE_REMINDER => send_live_reminder(conn, payload, now),
        other => Err(Error::internal(format!("unknown job kind {other:?}"))),
    }
}

fn send_live_reminder(
    conn: &mut DbConnection,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let session_id = payload["session_id"]
        .as_i64()
        .and_then(|id| i32::try_from(id).ok())
        .ok_or_else(|| Error::internal("live reminder without a session_id"))?;
    let minutes = payload["minutes_before"].as_i64().unwrap_or(0);
    let session: Option<(i32, String, NaiveDateTime, String)> = live_sessions::table
        .find(session_id)
        .select((
            live_sessions::course_id,
            live_sessions::title,
            live_sessions::scheduled_start_time,
            live_sessions::status,
        ))
        .first(conn)
        .optional()?;
    // Gone, cancelled, already started: nothing to remind of.
    let Some((course_id, title, start, status)) = session else {
        return Ok(());
    };
    // A reminder the worker could not send in time (it was stopped) is
    // pointless once the session should have begun.
    if status != "scheduled" || now >= start {
        return Ok(());
    }
    let facts = SessionFacts {
        id: session_id,
        course_id,
        title: &title,
        start,
    };
    live_session(conn, None, &facts, SessionEvent::Reminder { minutes }, now)?;
    Ok(())
}
