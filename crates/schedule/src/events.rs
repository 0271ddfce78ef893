//! `GET /api/calendar/events?from=&to=`: the signed-in student's calendar
//! events across all their courses, for an in-app calendar.

use chrono::{DateTime, Duration, FixedOffset};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::page::MAX_LIMIT;
use mdsc_core::schema::schedule_items;
use mdsc_core::time::{check_range, to_storage};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams};
use serde::Deserialize;

use crate::model::{CalendarEvent, ItemRow};
use crate::render::{calendar_event, sort_events, user_courses};
use crate::settings::ScheduleSettings;

/// The widest range one request may ask for.
pub const MAX_RANGE: Duration = Duration::days(366);
/// The range when `to` is left out.
pub const DEFAULT_RANGE: Duration = Duration::days(31);
/// Items last at most a day: one starting this long before `from` may
/// still overlap the range (a deadline too: its event lasts 15 minutes).
const LONGEST_ITEM: Duration = Duration::hours(24);

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Start of the range (RFC 3339); default now.
    pub from: Option<DateTime<FixedOffset>>,
    /// End of the range (RFC 3339); default 31 days after `from`, at most 366.
    pub to: Option<DateTime<FixedOffset>>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Events per page (default and most: 100).
    pub limit: Option<i64>,
}

/// Events that overlap `[from, to)`, in time order, from the schedules of
/// the actor's enrollments that are not cancelled, a page at a time. The
/// range bounds what is read (at most 366 days of the actor's own
/// schedules), so the total is exact.
pub fn list_events(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    query: EventsQuery,
) -> Result<Page<CalendarEvent>, Error> {
    let request = PageParams {
        page: query.page,
        limit: Some(query.limit.unwrap_or(MAX_LIMIT)),
    }
    .resolve();
    let offset = request.bounded_offset()?;
    let now = clock.now();
    let from = query.from.map_or(now, to_storage);
    check_range("from", from)?;
    let to = match query.to {
        Some(to) => to_storage(to),
        None => from
            .checked_add_signed(DEFAULT_RANGE)
            .ok_or_else(|| Error::invalid_field("from", "is out of range"))?,
    };
    check_range("to", to)?;
    if to <= from {
        return Err(Error::invalid_field("to", "must be after from"));
    }
    if to - from > MAX_RANGE {
        return Err(Error::invalid_field(
            "to",
            "the range spans at most 366 days",
        ));
    }
    let courses = user_courses(conn, actor.user_id)?;
    let schedule_ids: Vec<i32> = courses.keys().copied().collect();
    let items: Vec<ItemRow> = schedule_items::table
        .filter(schedule_items::schedule_id.eq_any(schedule_ids))
        .filter(
            schedule_items::start_time
                .ge(from - LONGEST_ITEM)
                .and(schedule_items::start_time.lt(to))
                .or(schedule_items::start_time
                    .is_null()
                    .and(schedule_items::due_date.ge(from - LONGEST_ITEM))
                    .and(schedule_items::due_date.lt(to))),
        )
        .select(ItemRow::as_select())
        .load(conn)?;
    let (from, to) = (from.and_utc(), to.and_utc());
    let mut events: Vec<CalendarEvent> = items
        .iter()
        .filter_map(|item| calendar_event(settings, courses.get(&item.schedule_id)?, item, now))
        .filter(|event| {
            event.start_time < to && (event.end_time > from || event.start_time >= from)
        })
        .collect();
    sort_events(&mut events);
    let total = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let data = events
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(request.limit).unwrap_or(0))
        .collect();
    Ok(Page::new(data, request, total))
}
