//! Stored notifications and the API's `Notification` shape.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_core::schema::notifications;
use mdsc_core::time::{utc, utc_opt};
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i32,
    pub user_id: i32,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub data: String,
    pub read_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i32,
    pub user_id: i32,
    /// `forum_reply`, `forum_topic`, `live_session_scheduled`,
    /// `live_session_rescheduled`, `live_session_cancelled`,
    /// `live_session_started`, `live_session_reminder`, `quiz_deadline` or
    /// `rating_moderated`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The ids concerned (`course_id`, `topic_id`, `session_id`…) and an
    /// app-relative `link`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub is_read: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            kind: row.kind,
            title: row.title,
            body: row.body,
            // Written by `deliver::notify` from a `serde_json::Value`.
            data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
            is_read: row.read_at.is_some(),
            read_at: utc_opt(row.read_at),
            created_at: utc(row.created_at),
        }
    }
}
