//! Calendars out of the API: the secret subscription feed of all a
//! student's courses, the `.ics` file of one enrollment, and the links that
//! subscribe Google Calendar or Outlook to the feed (seed §2.3.2).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::random::random_hex;
use mdsc_core::schema::{calendar_feed_tokens, schedule_items, users};
use mdsc_core::time::utc;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::EnrollmentStatus;
use mdsc_course::enrollment::{own_enrollment, visible_enrollment};
use serde::Deserialize;

use crate::ical::{FeedCalendar, render};
use crate::links::{OutlookAccount, google_subscribe, outlook_subscribe, webcal};
use crate::model::{CalendarEvent, CalendarSync, FeedToken, ItemRow};
use crate::render::{
    EventCourse, calendar_event, event_course, feed_event, sort_events, user_courses,
};
use crate::service::{PreferencesInput, generate_schedule, require_schedule};
use crate::settings::ScheduleSettings;
use crate::store::items_of;

/// 32 random bytes from the OS: 256 bits, far beyond guessing.
const TOKEN_BYTES: usize = 32;

/// The name calendars show for the feed.
pub const FEED_NAME: &str = "MDSC – Mon planning";

/// The calendars a feed link is made for.
pub const CALENDAR_TYPES: [&str; 3] = ["google", "outlook", "ical"];

fn calendar_type_schema() -> utoipa::openapi::schema::Object {
    mdsc_core::openapi_names::one_of_names(CALENDAR_TYPES)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SyncCalendarInput {
    /// `google`, `outlook` or `ical`.
    #[schema(schema_with = calendar_type_schema)]
    pub calendar_type: String,
}

/// The user's feed secret, created on first use.
fn feed_token(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<(String, NaiveDateTime), Error> {
    // Reading needs no write lock: most calls find the secret.
    if let Some(found) = stored_token(conn, user_id)? {
        return Ok(found);
    }
    write_transaction(conn, |conn| {
        if let Some(found) = stored_token(conn, user_id)? {
            return Ok(found);
        }
        // Concurrent first requests (PostgreSQL): the one that loses the
        // race on the unique user_id reads the winner's secret. The
        // savepoint keeps this transaction usable after the failed insert.
        match write_transaction(conn, |conn| insert_token(conn, user_id, now)) {
            Err(e) if e.code == "ALREADY_EXISTS" => stored_token(conn, user_id)?.ok_or(e),
            inserted => inserted,
        }
    })
}

fn stored_token(
    conn: &mut DbConnection,
    user_id: i32,
) -> Result<Option<(String, NaiveDateTime)>, Error> {
    Ok(calendar_feed_tokens::table
        .filter(calendar_feed_tokens::user_id.eq(user_id))
        .select((
            calendar_feed_tokens::token,
            calendar_feed_tokens::created_at,
        ))
        .first(conn)
        .optional()?)
}

fn insert_token(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<(String, NaiveDateTime), Error> {
    let token = random_hex(TOKEN_BYTES)?;
    diesel::insert_into(calendar_feed_tokens::table)
        .values((
            calendar_feed_tokens::user_id.eq(user_id),
            calendar_feed_tokens::token.eq(&token),
            calendar_feed_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok((token, now))
}

fn feed_urls(settings: &ScheduleSettings, token: &str, created_at: NaiveDateTime) -> FeedToken {
    let feed_url = settings.feed_url(token);
    FeedToken {
        webcal_url: webcal(&feed_url),
        feed_url,
        created_at: utc(created_at),
    }
}

/// The signed-in user's feed URLs (the secret is created on first use).
pub fn get_feed(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
) -> Result<FeedToken, Error> {
    let (token, created_at) = feed_token(conn, actor.user_id, clock.now())?;
    Ok(feed_urls(settings, &token, created_at))
}

/// Replaces the user's feed secret: the old feed URL answers 404 from now
/// on, and calendars subscribed to it stop updating.
pub fn rotate_feed_token(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
) -> Result<FeedToken, Error> {
    let now = clock.now();
    let (token, created_at) = write_transaction(conn, |conn| {
        // Concurrent rotations of one user run one after the other.
        mdsc_core::lock_row!(conn, users, actor.user_id)?;
        diesel::delete(
            calendar_feed_tokens::table.filter(calendar_feed_tokens::user_id.eq(actor.user_id)),
        )
        .execute(conn)?;
        insert_token(conn, actor.user_id, now)
    })?;
    Ok(feed_urls(settings, &token, created_at))
}

/// Links that put the schedule in the student's calendar. Only the student
/// may ask (the feed secret is theirs); the schedule is generated first if
/// it does not exist yet.
pub fn sync_calendar(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    enrollment_id: i32,
    input: SyncCalendarInput,
) -> Result<CalendarSync, Error> {
    let enrollment = own_enrollment(conn, actor, enrollment_id)?;
    let kind = input.calendar_type.trim();
    if !CALENDAR_TYPES.contains(&kind) {
        return Err(Error::invalid_field(
            "calendar_type",
            "must be google, outlook or ical",
        ));
    }
    if require_schedule(conn, enrollment.id).is_err() {
        generate_schedule(
            conn,
            actor,
            clock,
            settings,
            enrollment.id,
            PreferencesInput::default(),
        )?;
    }
    let (token, created_at) = feed_token(conn, actor.user_id, clock.now())?;
    let feed = feed_urls(settings, &token, created_at);
    let mut sync = CalendarSync {
        sync_url: None,
        calendar_file: None,
        feed_url: feed.feed_url.clone(),
        webcal_url: feed.webcal_url.clone(),
        outlook_work_url: None,
    };
    match kind {
        "google" => sync.sync_url = Some(google_subscribe(&feed.feed_url)),
        "outlook" => {
            sync.sync_url = Some(outlook_subscribe(
                OutlookAccount::Personal,
                &feed.feed_url,
                FEED_NAME,
            ));
            sync.outlook_work_url = Some(outlook_subscribe(
                OutlookAccount::Work,
                &feed.feed_url,
                FEED_NAME,
            ));
        }
        _ => {
            sync.sync_url = Some(feed.webcal_url.clone());
            // A plain link (no Authorization header) downloads the file:
            // the feed secret authorizes it, as it does the feed.
            sync.calendar_file = Some(format!(
                "{}?token={token}",
                settings.download_url(enrollment.id)
            ));
        }
    }
    Ok(sync)
}

/// Who asks for an enrollment's `.ics` file: a signed-in user, or anyone
/// holding the student's feed secret.
pub enum FileAccess<'a> {
    Principal(&'a Principal),
    FeedToken(&'a str),
}

/// The `.ics` file of one enrollment's schedule: its student and the
/// course's staff (or the student's feed secret); 404 for anyone else.
pub fn enrollment_calendar(
    conn: &mut DbConnection,
    access: FileAccess<'_>,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    enrollment_id: i32,
) -> Result<String, Error> {
    let schedule = match access {
        FileAccess::Principal(actor) => {
            let enrollment = visible_enrollment(conn, actor, enrollment_id)?;
            require_schedule(conn, enrollment.id)?
        }
        FileAccess::FeedToken(token) => {
            let user_id = user_of_token(conn, token)?;
            let schedule = require_schedule(conn, enrollment_id)
                .map_err(|_| Error::not_found("Enrollment"))?;
            let cancelled = mdsc_course::enrollment::find_enrollment(conn, enrollment_id)?.status
                == EnrollmentStatus::Cancelled.as_str();
            // As in the feed: a cancelled enrollment's events are gone.
            if schedule.user_id != user_id || cancelled {
                return Err(Error::not_found("Enrollment"));
            }
            schedule
        }
    };
    let course = event_course(conn, &schedule)?;
    let mut calendar = FeedCalendar::new(format!("MDSC – {}", course.title));
    calendar.events = schedule_events(conn, settings, &course, schedule.id, clock.now())?
        .iter()
        .map(feed_event)
        .collect();
    render(&calendar).map_err(|e| Error::internal(e.to_string()))
}

/// The subscription feed: every schedule of the token's user, except those
/// of cancelled enrollments. An unknown token is 404.
pub fn user_feed(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    token: &str,
) -> Result<String, Error> {
    let user_id = user_of_token(conn, token)?;
    let courses = user_courses(conn, user_id)?;
    let items: Vec<ItemRow> = schedule_items::table
        .filter(schedule_items::schedule_id.eq_any(courses.keys().copied().collect::<Vec<_>>()))
        .select(ItemRow::as_select())
        .load(conn)?;
    let now = clock.now();
    let mut events: Vec<CalendarEvent> = items
        .iter()
        .filter_map(|item| {
            let course = courses.get(&item.schedule_id)?;
            calendar_event(settings, course, item, now)
        })
        .collect();
    sort_events(&mut events);
    let mut calendar = FeedCalendar::new(FEED_NAME);
    calendar.description =
        Some("Votre planning d'étude MDSC : leçons, quiz, jalons et sessions live.".to_owned());
    calendar.events = events.iter().map(feed_event).collect();
    render(&calendar).map_err(|e| Error::internal(e.to_string()))
}

/// The calendar events of one schedule, in time order.
fn schedule_events(
    conn: &mut DbConnection,
    settings: &ScheduleSettings,
    course: &EventCourse,
    schedule_id: i32,
    now: NaiveDateTime,
) -> Result<Vec<CalendarEvent>, Error> {
    let mut events: Vec<CalendarEvent> = items_of(conn, schedule_id)?
        .iter()
        .filter_map(|row| calendar_event(settings, course, row, now))
        .collect();
    sort_events(&mut events);
    Ok(events)
}

/// The user a feed secret belongs to (404 when unknown or malformed).
fn user_of_token(conn: &mut DbConnection, token: &str) -> Result<i32, Error> {
    let token = token.strip_suffix(".ics").unwrap_or(token);
    let well_formed =
        token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(Error::not_found("Calendar feed"));
    }
    calendar_feed_tokens::table
        .filter(calendar_feed_tokens::token.eq(token.to_ascii_lowercase()))
        .select(calendar_feed_tokens::user_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Calendar feed"))
}
