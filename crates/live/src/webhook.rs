//! JaaS webhooks (`POST /api/live-sessions/webhooks/jaas`): joins and leaves
//! feed attendance, uploaded recordings set `recording_url`. JaaS delivers
//! at least once and out of order: each `idempotencyKey` is applied once,
//! and an event older than the last one applied to a participant is ignored.

use chrono::{DateTime, Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::schema::{live_session_participants, live_session_webhook_events};
use mdsc_core::text::validate_single_line;
use mdsc_core::{Clock, DbConnection, Error, ErrorKind, write_transaction};
use serde::Deserialize;

use crate::attendance::{close_cycle, find_participant, open_cycle};
use crate::model::{LiveSessionRow, ParticipantRow, SessionStatus};
use crate::recording::{HookOutcome, attach_recording, session_by_room, verify_hook_secret};
use crate::settings::LiveSettings;

/// The JaaS webhook payload (the fields we use).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JaasEvent {
    pub idempotency_key: String,
    pub event_type: String,
    /// Milliseconds since the epoch: the event's own time, the source of
    /// truth for ordering.
    pub timestamp: i64,
    /// `{appId}/{room}`.
    #[serde(default)]
    pub fqn: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// How old an event may be: JaaS delivers within seconds and retries for
/// a few hours; anything older is a replay or a wrong clock.
pub const EVENT_MAX_AGE: Duration = Duration::days(1);
/// How far ahead of our clock an event may be (clock skew). An event from
/// the future would be "newer" than every real one and freeze the
/// participant's attendance (later events would all be "older").
pub const EVENT_MAX_AHEAD: Duration = Duration::minutes(10);

/// The event's time, if it is a real time within the accepted window
/// around `now`: `422 TIMESTAMP_OUT_OF_RANGE` otherwise.
fn event_time(timestamp_ms: i64, now: NaiveDateTime) -> Result<NaiveDateTime, Error> {
    let at = DateTime::from_timestamp_millis(timestamp_ms)
        .map(|t| t.naive_utc())
        .ok_or_else(|| Error::invalid_field("timestamp", "is not a valid time"))?;
    if at < now - EVENT_MAX_AGE || at > now + EVENT_MAX_AHEAD {
        return Err(Error::invalid_field(
            "timestamp",
            "must be within the last 24 hours and at most 10 minutes ahead of the server's clock",
        )
        .with_code("TIMESTAMP_OUT_OF_RANGE"));
    }
    Ok(at)
}

/// The stored texts of an event: one line each, within their columns.
fn check_texts(key: &str, event_type: &str) -> Result<(), Error> {
    if key.is_empty() || key.chars().count() > 255 || validate_single_line(key).is_err() {
        return Err(Error::invalid_field(
            "idempotencyKey",
            "must be 1 to 255 characters on one line, without control characters",
        ));
    }
    let event_type_ok = !event_type.is_empty()
        && event_type.chars().count() <= 64
        && validate_single_line(event_type).is_ok();
    if !event_type_ok {
        return Err(Error::invalid_field(
            "eventType",
            "must be 1 to 64 characters on one line, without control characters",
        ));
    }
    Ok(())
}

pub fn handle_jaas_event(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    settings: &LiveSettings,
    secret: Option<&str>,
    event: JaasEvent,
) -> Result<HookOutcome, Error> {
    verify_hook_secret(settings, secret)?;
    let key = event.idempotency_key.trim();
    check_texts(key, &event.event_type)?;
    let at = event_time(event.timestamp, clock.now())?;
    let outcome = write_transaction(conn, |conn| -> Result<_, Error> {
        let session = match &event.fqn {
            Some(fqn) => session_by_room(conn, settings, fqn)?,
            None => None,
        };
        // Recorded first: a concurrent duplicate fails here on the unique
        // key and its whole transaction rolls back.
        diesel::insert_into(live_session_webhook_events::table)
            .values((
                live_session_webhook_events::idempotency_key.eq(key),
                live_session_webhook_events::event_type.eq(&event.event_type),
                live_session_webhook_events::session_id.eq(session.as_ref().map(|s| s.id)),
                live_session_webhook_events::received_at.eq(clock.now()),
            ))
            .execute(conn)?;
        let Some(session) = session else {
            return Ok(HookOutcome::ignored(None, "unknown room"));
        };
        apply(conn, clock, &session, &event, at)
    });
    match outcome {
        Err(e) if e.kind == ErrorKind::Conflict && e.code == "ALREADY_EXISTS" => {
            Ok(HookOutcome::ignored(None, "duplicate delivery"))
        }
        other => other,
    }
}

fn apply(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    session: &LiveSessionRow,
    event: &JaasEvent,
    at: NaiveDateTime,
) -> Result<HookOutcome, Error> {
    match event.event_type.as_str() {
        "PARTICIPANT_JOINED" | "PARTICIPANT_LEFT" => {
            let Some(participant) = participant_of(conn, session.id, &event.data)? else {
                return Ok(HookOutcome::ignored(
                    Some(session.id),
                    "not a participant of this session",
                ));
            };
            if participant.last_event_at.is_some_and(|last| last >= at) {
                return Ok(HookOutcome::ignored(Some(session.id), "older event"));
            }
            if event.event_type == "PARTICIPANT_JOINED" {
                // Already in (joined through the API, or a second device):
                // the earlier start stands. A join older than the last leave,
                // or on a finished session, would count time twice.
                let after_last_leave = participant.left_at.is_none_or(|left| at > left);
                let open = matches!(
                    session.status()?,
                    SessionStatus::Scheduled | SessionStatus::Live
                );
                if !participant.is_present() && after_last_leave && open {
                    open_cycle(conn, &participant, at)?;
                }
            } else if participant.is_present() {
                close_cycle(conn, &participant, at)?;
            }
            diesel::update(live_session_participants::table.find(participant.id))
                .set(live_session_participants::last_event_at.eq(at))
                .execute(conn)?;
            Ok(HookOutcome::applied(session.id))
        }
        "RECORDING_UPLOADED" => {
            let link = event.data["preAuthenticatedLink"].as_str().filter(|l| {
                l.starts_with("https://") && l.len() <= 2048 && validate_single_line(l).is_ok()
            });
            let Some(link) = link else {
                return Ok(HookOutcome::ignored(
                    Some(session.id),
                    "no usable preAuthenticatedLink (an https URL)",
                ));
            };
            // A refusal is acknowledged, not failed: JaaS would retry it forever.
            match attach_recording(conn, clock, session, link) {
                Err(e) if e.kind == ErrorKind::Conflict => {
                    return Ok(HookOutcome::ignored(Some(session.id), e.message));
                }
                other => other?,
            }
            log::warn!(
                "JaaS recording of live session {} uploaded; JaaS keeps it 24 hours only, download it now: {link}",
                session.id
            );
            Ok(HookOutcome::applied(session.id))
        }
        other => Ok(HookOutcome::ignored(
            Some(session.id),
            format!("{other} is not used"),
        )),
    }
}

/// The participant an event is about: `data.id` is the `context.user.id`
/// of the join token, our user id.
fn participant_of(
    conn: &mut DbConnection,
    session_id: i32,
    data: &serde_json::Value,
) -> Result<Option<ParticipantRow>, Error> {
    let id = match &data["id"] {
        serde_json::Value::String(s) => s.trim().parse::<i32>().ok(),
        serde_json::Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        _ => None,
    };
    match id {
        Some(user_id) => find_participant(conn, session_id, user_id),
        None => Ok(None),
    }
}
