//! Stored rows and the seed's shapes (§1.3.1): `LiveSession`,
//! `JoinSessionData`, `LiveSessionParticipant`, `LiveSessionChatMessage`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_core::Error;
use mdsc_core::schema::{live_session_chat, live_session_participants, live_sessions};
use serde::{Deserialize, Serialize};

/// `scheduled → live → ended`, or `scheduled → cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    Scheduled,
    Live,
    Ended,
    Cancelled,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Live => "live",
            Self::Ended => "ended",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_db(value: &str) -> Result<Self, Error> {
        match value {
            "scheduled" => Ok(Self::Scheduled),
            "live" => Ok(Self::Live),
            "ended" => Ok(Self::Ended),
            "cancelled" => Ok(Self::Cancelled),
            other => Err(Error::internal(format!(
                "unknown live session status {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = live_sessions)]
pub struct LiveSessionRow {
    pub id: i32,
    pub course_id: i32,
    pub instructor_id: i32,
    pub title: String,
    pub description: Option<String>,
    pub scheduled_start_time: NaiveDateTime,
    pub scheduled_end_time: NaiveDateTime,
    pub actual_start_time: Option<NaiveDateTime>,
    pub actual_end_time: Option<NaiveDateTime>,
    pub status: String,
    pub jitsi_room_name: String,
    pub jitsi_server_url: String,
    pub max_participants: i32,
    pub recording_enabled: bool,
    pub recording_url: Option<String>,
    pub participant_count: i32,
    pub revision: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl LiveSessionRow {
    pub fn status(&self) -> Result<SessionStatus, Error> {
        SessionStatus::from_db(&self.status)
    }
}

/// The course a session belongs to, as the seed embeds it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionCourse {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

/// The session's instructor, as the seed embeds it (with e-mail, so
/// students can reach their teacher).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = mdsc_core::schema::users)]
pub struct SessionInstructor {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// A live session (seed `LiveSession`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveSession {
    pub id: i32,
    pub course_id: i32,
    pub instructor_id: i32,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub scheduled_start_time: DateTime<Utc>,
    pub scheduled_end_time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_start_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_end_time: Option<DateTime<Utc>>,
    pub status: SessionStatus,
    /// The Jitsi room; with JaaS, `JoinSessionData` carries the full
    /// `{appId}/{room}` name to open.
    pub jitsi_room_name: String,
    pub jitsi_server_url: String,
    pub max_participants: i32,
    pub recording_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course: Option<SessionCourse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructor: Option<SessionInstructor>,
    /// Distinct students admitted to the session.
    pub participant_count: i32,
    /// Whether the caller has joined the session at least once.
    pub is_participant: bool,
    /// Grows with every change of times, title or status (the calendar's
    /// SEQUENCE).
    pub revision: i32,
}

/// What the frontend needs to open the Jitsi room (seed `JoinSessionData`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JoinSessionData {
    /// The room name to pass to `JitsiMeetExternalAPI` (`{appId}/{room}`
    /// with JaaS).
    pub jitsi_room_name: String,
    pub jitsi_server_url: String,
    pub user_display_name: String,
    pub user_email: String,
    /// Course staff: moderator in the room.
    pub is_instructor: bool,
    /// The domain to give `JitsiMeetExternalAPI` (the server URL's host).
    pub jitsi_domain: String,
    /// The iframe API script of this server.
    pub jitsi_script_url: String,
    /// `public`, `selfhosted` or `jaas`.
    pub jitsi_provider: String,
    /// The room token (`jwt` option of `JitsiMeetExternalAPI`); absent on
    /// servers without token authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<String>,
    /// When the token stops being accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt_expires_at: Option<DateTime<Utc>>,
    pub session_id: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = live_session_participants)]
pub struct ParticipantRow {
    pub id: i32,
    pub session_id: i32,
    pub user_id: i32,
    pub enrolled_at: NaiveDateTime,
    pub joined_at: Option<NaiveDateTime>,
    pub left_at: Option<NaiveDateTime>,
    pub attendance_duration: Option<i32>,
    pub is_staff: bool,
    pub attendance_seconds: i32,
    pub last_event_at: Option<NaiveDateTime>,
}

impl ParticipantRow {
    /// In the room now: joined and not left since.
    pub fn is_present(&self) -> bool {
        self.joined_at.is_some() && self.left_at.is_none()
    }
}

/// A participant as the seed embeds it (with e-mail: only staff list them).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = mdsc_core::schema::users)]
pub struct ParticipantUser {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// Seed `LiveSessionParticipant`, with attendance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveSessionParticipant {
    pub id: i32,
    pub session_id: i32,
    pub user_id: i32,
    /// First admission to the session.
    pub enrolled_at: DateTime<Utc>,
    /// Latest join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<DateTime<Utc>>,
    /// Latest leave; absent while in the room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_at: Option<DateTime<Utc>>,
    /// Whole minutes, summed over every closed join/leave cycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance_duration: Option<i32>,
    pub is_present: bool,
    /// Course staff (not counted against `max_participants`).
    pub is_instructor: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<ParticipantUser>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    Message,
    Question,
    Answer,
}

impl MessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Question => "question",
            Self::Answer => "answer",
        }
    }

    pub fn from_db(value: &str) -> Self {
        match value {
            "question" => Self::Question,
            "answer" => Self::Answer,
            _ => Self::Message,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = live_session_chat)]
pub struct ChatRow {
    pub id: i32,
    pub session_id: i32,
    pub user_id: i32,
    pub message: String,
    pub message_type: String,
    pub is_pinned: bool,
    pub created_at: NaiveDateTime,
}

/// Seed `LiveSessionChatMessage`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveSessionChatMessage {
    pub id: i32,
    pub session_id: i32,
    pub user_id: i32,
    pub message: String,
    pub message_type: MessageType,
    pub is_pinned: bool,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<mdsc_auth::UserSummary>,
}
