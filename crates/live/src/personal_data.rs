//! A user's part in live sessions, for their export (GDPR): attendance and
//! chat messages.
//!
//! Erasure keeps both, attached to the anonymised account: a chat is a
//! conversation others took part in (the messages then show a deleted
//! user), and attendance figures are the session's statistics.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{live_session_chat, live_session_participants, live_sessions};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{DbConnection, Error};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LivePersonalData {
    pub attendance: Vec<ExportedAttendance>,
    pub chat_messages: Vec<ExportedChatMessage>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedAttendance {
    pub session_id: i32,
    pub session_title: String,
    pub registered_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_at: Option<DateTime<Utc>>,
    /// Time spent in the room, in seconds.
    pub attendance_seconds: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedChatMessage {
    pub id: i32,
    pub session_id: i32,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

type AttendanceRow = (
    i32,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    i32,
);

/// What the platform holds about the actor's live sessions.
pub fn export(conn: &mut DbConnection, actor: &Principal) -> Result<LivePersonalData, Error> {
    let attendance = live_session_participants::table
        .inner_join(live_sessions::table)
        .filter(live_session_participants::user_id.eq(actor.user_id))
        .order(live_session_participants::id)
        .select((
            live_session_participants::session_id,
            live_sessions::title,
            live_session_participants::enrolled_at,
            live_session_participants::joined_at,
            live_session_participants::left_at,
            live_session_participants::attendance_seconds,
        ))
        .load::<AttendanceRow>(conn)?
        .into_iter()
        .map(
            |(session_id, session_title, registered, joined, left, seconds)| ExportedAttendance {
                session_id,
                session_title,
                registered_at: utc(registered),
                joined_at: utc_opt(joined),
                left_at: utc_opt(left),
                attendance_seconds: seconds,
            },
        )
        .collect();
    let chat_messages = live_session_chat::table
        .filter(live_session_chat::user_id.eq(actor.user_id))
        .order(live_session_chat::id)
        .select((
            live_session_chat::id,
            live_session_chat::session_id,
            live_session_chat::message,
            live_session_chat::created_at,
        ))
        .load::<(i32, i32, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, session_id, message, at)| ExportedChatMessage {
            id,
            session_id,
            message,
            created_at: utc(at),
        })
        .collect();
    Ok(LivePersonalData {
        attendance,
        chat_messages,
    })
}
