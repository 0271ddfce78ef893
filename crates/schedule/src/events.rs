//! `GET /api/calendar/events?from=&to=`: the signed-in student's calendar
//! events across all their courses, for an in-app calendar.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Timestamp};
use mdsc_auth::Principal;
use mdsc_core::page::MAX_LIMIT;
use mdsc_core::prepared_sql::PreparedSql;
use mdsc_core::prepared_sql::sql;
use mdsc_core::schema::{course_schedules, courses, enrollments, schedule_items};
use mdsc_core::time::{check_range, to_storage};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams};
use serde::Deserialize;

use crate::ical::MIN_EVENT_LENGTH;
use crate::item::ItemStatus;
use crate::model::{CalendarEvent, ItemRow};
use crate::render::{EventCourse, calendar_event};
use crate::settings::ScheduleSettings;
use crate::store::CANCELLED_RETENTION;

type Db = <DbConnection as diesel::Connection>::Backend;

/// The tables a calendar page reads: items, their schedule, its
/// enrollment and course.
type CalendarSource = diesel::helper_types::InnerJoinQuerySource<
    schedule_items::table,
    diesel::helper_types::InnerJoin<
        diesel::helper_types::InnerJoin<course_schedules::table, enrollments::table>,
        courses::table,
    >,
>;

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
/// the actor's enrollments that are not cancelled, a page at a time. Each
/// item carries its owner (kept by a trigger), so the page is read in
/// order from one index range of the actor's own items, whatever the number
/// of their courses; the total is counted up to a bound
/// (`mdsc_core::total`).
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
    let (from, to) = range(&query, now)?;
    let in_range = || {
        schedule_items::table
            .inner_join(
                course_schedules::table
                    .inner_join(enrollments::table)
                    .inner_join(courses::table),
            )
            .filter(schedule_items::user_id.eq(actor.user_id))
            .filter(mdsc_course::access::is_current_enrollment())
            .filter(overlapping(from, to, now))
            .into_boxed()
    };
    let counted = in_range()
        .select(schedule_items::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let rows: Vec<(ItemRow, i32, i32, String, String)> = in_range()
        .order((event_start().asc(), schedule_items::id.asc()))
        .offset(offset)
        .limit(request.limit)
        .select((
            ItemRow::as_select(),
            course_schedules::enrollment_id,
            course_schedules::course_id,
            courses::title,
            courses::slug,
        ))
        .load(conn)?;
    let data = rows
        .into_iter()
        .filter_map(|(item, enrollment_id, course_id, title, slug)| {
            let course = EventCourse {
                enrollment_id,
                course_id,
                title,
                slug,
            };
            calendar_event(settings, &course, &item, now)
        })
        .collect();
    Ok(Page::new(data, request, bounded_total(counted, request)))
}

/// The range asked for, checked: `from` defaults to now, `to` to
/// [`DEFAULT_RANGE`] later; at most [`MAX_RANGE`].
fn range(query: &EventsQuery, now: NaiveDateTime) -> Result<(NaiveDateTime, NaiveDateTime), Error> {
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
    Ok((from, to))
}

/// When an item's event starts: its start time, or its due date for a
/// deadline. Spelled as the calendar index spells it, so both databases
/// read pages in this order from the index.
fn event_start() -> PreparedSql<Nullable<Timestamp>> {
    sql::<Nullable<Timestamp>>("COALESCE(schedule_items.start_time, schedule_items.due_date)")
}

/// Items whose event overlaps `[from, to)` and that the calendar shows:
/// not skipped, not cancelled more than `CANCELLED_RETENTION` ago. The
/// same rules as `render::calendar_event`, in SQL, so that pages and
/// totals count exactly the events shown: an event ends at its end time,
/// or `MIN_EVENT_LENGTH` after its start when it has none (a deadline).
fn overlapping(
    from: NaiveDateTime,
    to: NaiveDateTime,
    now: NaiveDateTime,
) -> Box<dyn BoxableExpression<CalendarSource, Db, SqlType = Bool>> {
    let ends_after_from = schedule_items::end_time
        .nullable()
        .gt(event_start())
        .and(schedule_items::end_time.gt(from))
        .or(schedule_items::end_time
            .is_null()
            .or(schedule_items::end_time.nullable().le(event_start()))
            .and(event_start().gt(from - MIN_EVENT_LENGTH)));
    Box::new(
        event_start()
            .ge(from - LONGEST_ITEM)
            .and(event_start().lt(to))
            .and(ends_after_from.assume_not_null())
            .and(schedule_items::status.ne(ItemStatus::Skipped.as_str()))
            .and(
                schedule_items::status
                    .ne(ItemStatus::Cancelled.as_str())
                    .or(schedule_items::cancelled_at.is_null())
                    .or(schedule_items::cancelled_at.ge(now - CANCELLED_RETENTION))
                    .assume_not_null(),
            )
            .assume_not_null(),
    )
}
