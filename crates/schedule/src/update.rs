//! `PUT /api/enrollments/:id/schedule`: the student moves items, marks them
//! done or skipped, adds their own, or changes preferences; the rest of the
//! schedule is then planned again around those choices.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{enrollments, schedule_items};
use mdsc_core::time::{check_range, to_storage};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::enrollment::own_enrollment;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::item::{ItemStatus, ItemType};
use crate::model::{CourseSchedule, ItemRow};
use crate::outline::stored_preferences;
use crate::render::render_schedule;
use crate::service::{
    PreferencesInput, ensure_not_cancelled, merge_preferences, replan, require_schedule,
    save_preferences,
};
use crate::settings::ScheduleSettings;
use crate::store::items_of;

/// The longest item a student may place.
const MAX_ITEM_LENGTH: Duration = Duration::hours(24);
/// A moved item given only a new start keeps its length, or gets this one.
const DEFAULT_ITEM_LENGTH: Duration = Duration::minutes(30);

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateScheduleInput {
    pub preferences: Option<PreferencesInput>,
    /// Changes to existing items.
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub items: Option<Vec<ItemChange>>,
    /// The student's own items (type `custom`): reminders, revision time…
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub add_items: Option<Vec<CustomItemInput>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemChange {
    pub id: i32,
    /// `pending`, `done` or `skipped`; `cancelled` removes a custom item.
    pub status: Option<String>,
    /// Moves the item (not live sessions or milestones); re-planning then
    /// leaves it there.
    pub start_time: Option<DateTime<FixedOffset>>,
    pub end_time: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomItemInput {
    #[validate(length(min = 1, max = 255), custom(function = mdsc_core::text::validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: String,
    #[validate(length(max = 2000), custom(function = mdsc_core::text::validate_multi_line))]
    #[schema(
        max_length = 2000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    pub start_time: DateTime<FixedOffset>,
    pub end_time: DateTime<FixedOffset>,
}

/// Applies the student's changes, then plans the rest again. Only the
/// enrollment's student may (staff 403, anyone else 404); every change is
/// checked before anything is written.
pub fn update_schedule(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    enrollment_id: i32,
    input: UpdateScheduleInput,
) -> Result<CourseSchedule, Error> {
    let now = clock.now();
    let schedule = write_transaction(conn, |conn| -> Result<_, Error> {
        mdsc_core::lock_row!(conn, enrollments, enrollment_id)?;
        let enrollment = own_enrollment(conn, actor, enrollment_id)?;
        ensure_not_cancelled(&enrollment)?;
        let mut schedule = require_schedule(conn, enrollment.id)?;
        input.validate()?;
        check_unique_ids(input.items.as_deref().unwrap_or_default())?;
        check_custom_room(
            conn,
            schedule.id,
            input.add_items.as_ref().map_or(0, Vec::len),
        )?;
        if let Some(preferences) = &input.preferences {
            let merged = merge_preferences(stored_preferences(&schedule)?, preferences)?;
            schedule = save_preferences(conn, schedule.id, &merged, now)?;
        }
        let items = items_of(conn, schedule.id)?;
        for (index, change) in input.items.iter().flatten().enumerate() {
            apply_change(conn, &items, index, change, now)?;
        }
        for (index, custom) in input.add_items.iter().flatten().enumerate() {
            add_custom(conn, schedule.id, index, custom, now)?;
        }
        replan(conn, &schedule, &enrollment, now)?;
        require_schedule(conn, enrollment.id)
    })?;
    render_schedule(conn, settings, &schedule, now)
}

/// One change per item: a second one would act on the state before the first.
fn check_unique_ids(changes: &[ItemChange]) -> Result<(), Error> {
    for (index, change) in changes.iter().enumerate() {
        if changes[..index]
            .iter()
            .any(|earlier| earlier.id == change.id)
        {
            return Err(Error::invalid_field(
                &format!("items[{index}].id"),
                "this item is already changed earlier in the list",
            ));
        }
    }
    Ok(())
}

/// A student's own items per schedule, at most: they are re-read by every
/// re-plan and published in every feed poll.
pub const MAX_CUSTOM_ITEMS: i64 = 200;

fn check_custom_room(
    conn: &mut DbConnection,
    schedule_id: i32,
    adding: usize,
) -> Result<(), Error> {
    if adding == 0 {
        return Ok(());
    }
    let existing: i64 = schedule_items::table
        .filter(schedule_items::schedule_id.eq(schedule_id))
        .filter(schedule_items::item_type.eq(ItemType::Custom.as_str()))
        .filter(schedule_items::status.ne(ItemStatus::Cancelled.as_str()))
        .count()
        .get_result(conn)?;
    if existing + i64::try_from(adding).unwrap_or(i64::MAX) > MAX_CUSTOM_ITEMS {
        return Err(Error::invalid_field(
            "add_items",
            format!("a schedule holds at most {MAX_CUSTOM_ITEMS} items of your own"),
        ));
    }
    Ok(())
}

fn apply_change(
    conn: &mut DbConnection,
    items: &[ItemRow],
    index: usize,
    change: &ItemChange,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let field = |name: &str| format!("items[{index}].{name}");
    let row = items
        .iter()
        .find(|row| row.id == change.id)
        .ok_or_else(|| Error::invalid_field(&field("id"), "no such item in this schedule"))?;
    let kind: ItemType = row
        .item_type
        .parse()
        .map_err(|_| Error::internal(format!("stored item type {:?}", row.item_type)))?;
    let custom = kind == ItemType::Custom;
    if row.status == ItemStatus::Cancelled.as_str() && !custom {
        return Err(Error::invalid_field(
            &field("id"),
            "this item was cancelled with its lesson, quiz or session",
        ));
    }
    let status = match &change.status {
        Some(status) => {
            Some(new_status(kind, status).map_err(|m| Error::invalid_field(&field("status"), m))?)
        }
        None => None,
    };
    let times = match (change.start_time, change.end_time) {
        (None, None) => None,
        (start, end) => {
            if matches!(kind, ItemType::LiveSession | ItemType::Milestone) {
                return Err(Error::invalid_field(
                    &field("start_time"),
                    "live sessions and milestones cannot be moved",
                ));
            }
            Some(
                new_times(row, start, end)
                    .map_err(|(name, m)| Error::invalid_field(&field(name), m))?,
            )
        }
    };
    let status_text = status.map_or(row.status.as_str(), |s| s.as_str());
    let (start, end) = times.unwrap_or((row.start_time, row.end_time));
    let shown_changed = status_text != row.status || start != row.start_time || end != row.end_time;
    if !shown_changed {
        return Ok(());
    }
    // A cancelled item leaves calendars 14 days after its first cancellation.
    let cancelled_at =
        (status_text == ItemStatus::Cancelled.as_str()).then(|| row.cancelled_at.unwrap_or(now));
    diesel::update(schedule_items::table.find(row.id))
        .set((
            schedule_items::status.eq(status_text),
            schedule_items::start_time.eq(start),
            schedule_items::end_time.eq(end),
            schedule_items::is_moved.eq(row.is_moved || times.is_some()),
            schedule_items::cancelled_at.eq(cancelled_at),
            schedule_items::sequence.eq(schedule_items::sequence + 1),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The status a student may give an item of this kind.
fn new_status(kind: ItemType, status: &str) -> Result<ItemStatus, String> {
    let status: ItemStatus = status
        .trim()
        .parse()
        .map_err(|_| "must be pending, done, skipped or cancelled".to_owned())?;
    match (kind, status) {
        (ItemType::LiveSession, _) => Err("a live session's status follows the session".to_owned()),
        (ItemType::Custom, _) => Ok(status),
        (_, ItemStatus::Cancelled) => {
            Err("only your own (custom) items can be cancelled".to_owned())
        }
        _ => Ok(status),
    }
}

type Times = (Option<NaiveDateTime>, Option<NaiveDateTime>);

/// New times of a moved item: a start alone keeps the item's length.
fn new_times(
    row: &ItemRow,
    start: Option<DateTime<FixedOffset>>,
    end: Option<DateTime<FixedOffset>>,
) -> Result<Times, (&'static str, String)> {
    let start = start.ok_or(("start_time", "give start_time with end_time".to_owned()))?;
    let start = to_storage(start);
    in_range("start_time", start)?;
    let end = match end {
        Some(end) => to_storage(end),
        None => {
            let length = match (row.start_time, row.end_time) {
                (Some(s), Some(e)) if e > s => e - s,
                _ => DEFAULT_ITEM_LENGTH,
            };
            start
                .checked_add_signed(length)
                .ok_or(("start_time", "is out of range".to_owned()))?
        }
    };
    check_block(start, end)?;
    Ok((Some(start), Some(end)))
}

fn in_range(field: &'static str, t: NaiveDateTime) -> Result<(), (&'static str, String)> {
    check_range(field, t).map_err(|_| {
        (
            field,
            "must be a date between the years 1900 and 9999".to_owned(),
        )
    })
}

fn check_block(start: NaiveDateTime, end: NaiveDateTime) -> Result<(), (&'static str, String)> {
    in_range("start_time", start)?;
    in_range("end_time", end)?;
    if end <= start {
        return Err(("end_time", "must be after start_time".to_owned()));
    }
    if end - start > MAX_ITEM_LENGTH {
        return Err(("end_time", "an item lasts at most 24 hours".to_owned()));
    }
    Ok(())
}

fn add_custom(
    conn: &mut DbConnection,
    schedule_id: i32,
    index: usize,
    input: &CustomItemInput,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let title = input.title.trim();
    if title.is_empty() {
        return Err(Error::invalid_field(
            &format!("add_items[{index}].title"),
            "must not be blank",
        ));
    }
    let (start, end) = (to_storage(input.start_time), to_storage(input.end_time));
    check_block(start, end)
        .map_err(|(name, m)| Error::invalid_field(&format!("add_items[{index}].{name}"), m))?;
    let key = format!("custom:{}", uuid::Uuid::new_v4().simple());
    diesel::insert_into(schedule_items::table)
        .values((
            schedule_items::schedule_id.eq(schedule_id),
            schedule_items::item_key.eq(key),
            schedule_items::item_type.eq(ItemType::Custom.as_str()),
            schedule_items::title.eq(title),
            schedule_items::description.eq(input
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())),
            schedule_items::start_time.eq(start),
            schedule_items::end_time.eq(end),
            schedule_items::status.eq(ItemStatus::Pending.as_str()),
            schedule_items::is_moved.eq(true),
            schedule_items::sequence.eq(0),
            schedule_items::created_at.eq(now),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
