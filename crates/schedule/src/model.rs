//! Stored schedules and items, and the API's `CourseSchedule`,
//! `ScheduleItem` and `CalendarEvent` shapes (seed §2.4).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_core::schema::{course_schedules, schedule_items};
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = course_schedules)]
pub struct ScheduleRow {
    pub id: i32,
    pub enrollment_id: i32,
    pub user_id: i32,
    pub course_id: i32,
    pub timezone: String,
    pub study_days: String,
    pub hours_per_week: i32,
    pub preferred_time: String,
    pub generated_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = schedule_items)]
pub struct ItemRow {
    pub id: i32,
    pub schedule_id: i32,
    pub item_key: String,
    pub item_type: String,
    pub title: String,
    pub description: Option<String>,
    pub start_time: Option<NaiveDateTime>,
    pub end_time: Option<NaiveDateTime>,
    pub due_date: Option<NaiveDateTime>,
    pub status: String,
    pub is_moved: bool,
    pub module_id: Option<i32>,
    pub lesson_id: Option<i32>,
    pub quiz_id: Option<i32>,
    pub live_session_id: Option<i32>,
    pub sequence: i32,
    pub cancelled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The student's planning preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SchedulePreferences {
    /// IANA time zone, e.g. `Europe/Paris`.
    pub timezone: String,
    /// ISO weekdays, 1 (Monday) to 7 (Sunday).
    pub study_days: Vec<u32>,
    pub hours_per_week: i32,
    /// `morning` (09:00), `afternoon` (14:00) or `evening` (19:00), local time.
    pub preferred_time: String,
}

/// A student's study schedule for one enrollment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseSchedule {
    pub id: i32,
    pub enrollment_id: i32,
    pub user_id: i32,
    pub course_id: i32,
    pub course_title: String,
    pub preferences: SchedulePreferences,
    /// When the last study block or deadline ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_end_date: Option<DateTime<Utc>>,
    pub total_items: usize,
    pub completed_items: usize,
    /// Every item, in time order (items without a time last).
    pub items: Vec<ScheduleItem>,
    /// What belongs in a calendar: the dated items that are not skipped,
    /// cancelled ones for 14 days (see `docs/calendar.md`).
    pub calendar_events: Vec<CalendarEvent>,
    pub generated_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One dated step of a schedule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduleItem {
    pub id: i32,
    pub schedule_id: i32,
    /// `lesson`, `quiz`, `milestone`, `live_session` or `custom`.
    pub item_type: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// Deadline (quizzes with a due date, milestones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<DateTime<Utc>>,
    /// `pending`, `done`, `skipped` or `cancelled`.
    pub status: String,
    /// Placed by the student: re-planning keeps its time.
    pub is_moved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiz_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_session_id: Option<i32>,
    /// Grows with every change of time, title or status (iCalendar SEQUENCE).
    pub sequence: i32,
    pub updated_at: DateTime<Utc>,
}

/// A calendar entry: what the feed and the `.ics` file publish for an item,
/// with links to add it alone to Google Calendar or Outlook.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarEvent {
    /// The iCalendar UID, stable for the item's whole life.
    pub uid: String,
    pub schedule_item_id: i32,
    pub enrollment_id: i32,
    pub course_id: i32,
    pub course_title: String,
    /// The item's type (`lesson`, `quiz`, `milestone`, `live_session`, `custom`).
    pub event_type: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    /// `confirmed` or `cancelled`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Where the item lives in the app.
    pub url: String,
    pub sequence: i32,
    /// Reminder alarms, in minutes before the start.
    pub reminders: Vec<u32>,
    pub google_calendar_url: String,
    pub outlook_calendar_url: String,
    pub last_modified: DateTime<Utc>,
}

/// How to get the schedule into an external calendar (seed §2.3.2).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarSync {
    /// Google: the subscribe link; Outlook: the subscribe-from-web link;
    /// iCal: the `webcal://` feed URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_url: Option<String>,
    /// The `.ics` download URL of this enrollment's schedule (`ical` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_file: Option<String>,
    /// The `https://` feed of all the student's courses, for calendars that
    /// take a URL ("add calendar from URL").
    pub feed_url: String,
    /// The `webcal://` form of the same feed.
    pub webcal_url: String,
    /// Outlook for work or school accounts (Microsoft 365), when `outlook`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlook_work_url: Option<String>,
}

/// The secret subscription feed of a user.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedToken {
    pub feed_url: String,
    pub webcal_url: String,
    pub created_at: DateTime<Utc>,
}
