//! A user's study schedules and calendar feed, for their export and their
//! erasure (GDPR).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{calendar_feed_tokens, course_schedules};
use mdsc_core::time::utc;
use mdsc_core::{DbConnection, Error};
use serde::Serialize;

use crate::model::{CourseSchedule, ScheduleRow};
use crate::render::render_schedule;
use crate::settings::ScheduleSettings;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchedulePersonalData {
    /// Every study schedule, with its items and preferences.
    pub schedules: Vec<CourseSchedule>,
    /// When the calendar subscription link in use was made (the link
    /// itself is a credential: `GET /api/calendar/feed-token` shows it).
    pub calendar_feeds: Vec<ExportedCalendarFeed>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedCalendarFeed {
    pub created_at: DateTime<Utc>,
}

/// What the platform holds about the actor's schedules.
pub fn export(
    conn: &mut DbConnection,
    settings: &ScheduleSettings,
    actor: &Principal,
    now: NaiveDateTime,
) -> Result<SchedulePersonalData, Error> {
    let rows: Vec<ScheduleRow> = course_schedules::table
        .filter(course_schedules::user_id.eq(actor.user_id))
        .order(course_schedules::id)
        .select(ScheduleRow::as_select())
        .load(conn)?;
    let schedules = rows
        .iter()
        .map(|row| render_schedule(conn, settings, row, now))
        .collect::<Result<_, _>>()?;
    let calendar_feeds = calendar_feed_tokens::table
        .filter(calendar_feed_tokens::user_id.eq(actor.user_id))
        .order(calendar_feed_tokens::id)
        .select(calendar_feed_tokens::created_at)
        .load::<NaiveDateTime>(conn)?
        .into_iter()
        .map(|at| ExportedCalendarFeed {
            created_at: utc(at),
        })
        .collect();
    Ok(SchedulePersonalData {
        schedules,
        calendar_feeds,
    })
}

/// Deletes the user's schedules (their items go with them) and calendar
/// feed links (subscribed calendars stop receiving anything). Run inside
/// the erasure's transaction.
pub fn erase(conn: &mut DbConnection, user_id: i32) -> Result<(), Error> {
    diesel::delete(course_schedules::table.filter(course_schedules::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(calendar_feed_tokens::table.filter(calendar_feed_tokens::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}
