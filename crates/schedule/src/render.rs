//! Stored rows to the API's shapes: `CourseSchedule`, `ScheduleItem`, and
//! the `CalendarEvent` every calendar output (feed, file, in-app calendar,
//! add-to-calendar links) is built from.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::BTreeMap;

use mdsc_core::schema::{course_schedules, courses, enrollments};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{DbConnection, Error};

use crate::ical::{FeedEvent, event_end, event_uid};
use crate::item::{ItemStatus, ItemType};
use crate::links::{OutlookAccount, google_event, outlook_event};
use crate::model::{
    CalendarEvent, CourseSchedule, ItemRow, ScheduleItem, SchedulePreferences, ScheduleRow,
};
use crate::settings::{LIVE_REMINDERS, STUDY_REMINDERS, ScheduleSettings};
use crate::store::{CANCELLED_RETENTION, items_of};

/// The course an event belongs to, as calendars name and link it.
#[derive(Debug, Clone)]
pub struct EventCourse {
    pub enrollment_id: i32,
    pub course_id: i32,
    pub title: String,
    pub slug: String,
}

pub fn event_course(conn: &mut DbConnection, schedule: &ScheduleRow) -> Result<EventCourse, Error> {
    let (title, slug): (String, String) = courses::table
        .find(schedule.course_id)
        .select((courses::title, courses::slug))
        .first(conn)?;
    Ok(EventCourse {
        enrollment_id: schedule.enrollment_id,
        course_id: schedule.course_id,
        title,
        slug,
    })
}

/// The courses of a user's schedules whose enrollment is not cancelled, by
/// schedule id: one query for a whole feed or calendar view.
pub fn user_courses(
    conn: &mut DbConnection,
    user_id: i32,
) -> Result<BTreeMap<i32, EventCourse>, Error> {
    let rows: Vec<(i32, i32, i32, String, String)> = course_schedules::table
        .inner_join(enrollments::table)
        .inner_join(courses::table.on(courses::id.eq(course_schedules::course_id)))
        .filter(course_schedules::user_id.eq(user_id))
        .filter(mdsc_course::access::is_current_enrollment())
        .select((
            course_schedules::id,
            course_schedules::enrollment_id,
            course_schedules::course_id,
            courses::title,
            courses::slug,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(schedule_id, enrollment_id, course_id, title, slug)| {
            let course = EventCourse {
                enrollment_id,
                course_id,
                title,
                slug,
            };
            (schedule_id, course)
        })
        .collect())
}

pub fn render_schedule(
    conn: &mut DbConnection,
    settings: &ScheduleSettings,
    schedule: &ScheduleRow,
    now: NaiveDateTime,
) -> Result<CourseSchedule, Error> {
    let course = event_course(conn, schedule)?;
    let mut rows = items_of(conn, schedule.id)?;
    sort_items(&mut rows);
    let calendar_events = rows
        .iter()
        .filter_map(|row| calendar_event(settings, &course, row, now))
        .collect();
    let active = |row: &&ItemRow| {
        row.status != ItemStatus::Cancelled.as_str() && row.status != ItemStatus::Skipped.as_str()
    };
    let estimated_end_date = rows
        .iter()
        .filter(active)
        .filter(|row| row.item_type != ItemType::LiveSession.as_str())
        .filter_map(|row| row.end_time.or(row.due_date).or(row.start_time))
        .max()
        .map(utc);
    let completed_items = rows
        .iter()
        .filter(|row| row.status == ItemStatus::Done.as_str())
        .count();
    let total_items = rows
        .iter()
        .filter(|row| row.status != ItemStatus::Cancelled.as_str())
        .count();
    Ok(CourseSchedule {
        id: schedule.id,
        enrollment_id: schedule.enrollment_id,
        user_id: schedule.user_id,
        course_id: schedule.course_id,
        course_title: course.title.clone(),
        preferences: SchedulePreferences {
            timezone: schedule.timezone.clone(),
            study_days: schedule
                .study_days
                .split(',')
                .filter_map(|day| day.trim().parse().ok())
                .collect(),
            hours_per_week: schedule.hours_per_week,
            preferred_time: schedule.preferred_time.clone(),
        },
        estimated_end_date,
        total_items,
        completed_items,
        items: rows.iter().map(schedule_item).collect(),
        calendar_events,
        generated_at: utc(schedule.generated_at),
        updated_at: utc(schedule.updated_at),
    })
}

/// Time order: by start (or due date), items without a time last, then id.
pub fn sort_items(rows: &mut [ItemRow]) {
    rows.sort_by_key(|row| {
        let at = row.start_time.or(row.due_date);
        (at.is_none(), at, row.id)
    });
}

pub fn schedule_item(row: &ItemRow) -> ScheduleItem {
    ScheduleItem {
        id: row.id,
        schedule_id: row.schedule_id,
        item_type: row.item_type.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        start_time: utc_opt(row.start_time),
        end_time: utc_opt(row.end_time),
        due_date: utc_opt(row.due_date),
        status: row.status.clone(),
        is_moved: row.is_moved,
        module_id: row.module_id,
        lesson_id: row.lesson_id,
        quiz_id: row.quiz_id,
        live_session_id: row.live_session_id,
        sequence: row.sequence,
        updated_at: utc(row.updated_at),
    }
}

/// The calendar event of an item, or none: items without a time, skipped
/// items, and items cancelled more than [`CANCELLED_RETENTION`] ago are not
/// in calendars.
pub fn calendar_event(
    settings: &ScheduleSettings,
    course: &EventCourse,
    row: &ItemRow,
    now: NaiveDateTime,
) -> Option<CalendarEvent> {
    if row.status == ItemStatus::Skipped.as_str() {
        return None;
    }
    let cancelled = row.status == ItemStatus::Cancelled.as_str();
    if cancelled
        && row
            .cancelled_at
            .is_some_and(|at| at + CANCELLED_RETENTION < now)
    {
        return None;
    }
    let start = utc(row.start_time.or(row.due_date)?);
    let end = event_end(start, row.end_time.map_or(start, utc));
    let title = format!("{} · {}", row.title, course.title);
    let details = row
        .description
        .clone()
        .unwrap_or_else(|| course.title.clone());
    let done = row.status == ItemStatus::Done.as_str();
    let reminders: Vec<u32> = if cancelled || done {
        Vec::new()
    } else if row.item_type == ItemType::LiveSession.as_str() {
        LIVE_REMINDERS.to_vec()
    } else if row.item_type == ItemType::Milestone.as_str() {
        Vec::new()
    } else {
        STUDY_REMINDERS.to_vec()
    };
    Some(CalendarEvent {
        uid: event_uid(course.enrollment_id, &row.item_key, settings.uid_host()),
        schedule_item_id: row.id,
        enrollment_id: course.enrollment_id,
        course_id: course.course_id,
        course_title: course.title.clone(),
        event_type: row.item_type.clone(),
        title: title.clone(),
        description: row.description.clone(),
        start_time: start,
        end_time: end,
        status: if cancelled { "cancelled" } else { "confirmed" }.to_owned(),
        location: None,
        url: item_url(settings, course, row),
        sequence: row.sequence,
        reminders,
        google_calendar_url: google_event(&title, start, end, &details, None),
        outlook_calendar_url: outlook_event(
            OutlookAccount::Personal,
            &title,
            start,
            end,
            &details,
            None,
        ),
        last_modified: utc(row.updated_at),
    })
}

/// Where the item lives in the web app (`APP_URL`).
fn item_url(settings: &ScheduleSettings, course: &EventCourse, row: &ItemRow) -> String {
    let base = format!("{}/courses/{}", settings.app_url, course.slug);
    match (row.lesson_id, row.quiz_id, row.live_session_id) {
        (Some(lesson), _, _) => format!("{base}/lessons/{lesson}"),
        (_, Some(quiz), _) => format!("{base}/quizzes/{quiz}"),
        (_, _, Some(session)) => format!("{base}/live/{session}"),
        _ => base,
    }
}

/// The VEVENT of a calendar event.
pub fn feed_event(event: &CalendarEvent) -> FeedEvent {
    FeedEvent {
        uid: event.uid.clone(),
        summary: event.title.clone(),
        description: event.description.clone(),
        location: event.location.clone(),
        url: Some(event.url.clone()),
        categories: vec![event.event_type.clone(), event.course_title.clone()],
        start: event.start_time,
        end: event.end_time,
        sequence: u32::try_from(event.sequence).unwrap_or(0),
        cancelled: event.status == "cancelled",
        last_modified: event.last_modified,
        alarms_minutes_before: event.reminders.clone(),
    }
}

/// Events sorted for stable bytes: by start, then UID.
pub fn sort_events(events: &mut [CalendarEvent]) {
    events.sort_by(|a, b| (a.start_time, &a.uid).cmp(&(b.start_time, &b.uid)));
}

pub fn latest_change(events: &[CalendarEvent]) -> Option<DateTime<Utc>> {
    events.iter().map(|event| event.last_modified).max()
}
