//! Writing a plan into a schedule's stored items: each planned item updates
//! the stored item with the same key (so it keeps its id and calendar UID),
//! and its `sequence` grows only when something a calendar shows changed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::schema::{course_schedules, schedule_items};
use mdsc_core::{DbConnection, Error};

use crate::item::{ItemStatus, ItemType};
use crate::model::{ItemRow, ScheduleRow};
use crate::plan::{KeptItem, PlannedItem};

/// How long a cancelled item stays in feeds (as STATUS:CANCELLED) before it
/// is dropped: clients that poll every few hours all see the cancellation.
pub const CANCELLED_RETENTION: Duration = Duration::days(14);

pub fn schedule_of_enrollment(
    conn: &mut DbConnection,
    enrollment_id: i32,
) -> Result<Option<ScheduleRow>, Error> {
    Ok(course_schedules::table
        .filter(course_schedules::enrollment_id.eq(enrollment_id))
        .select(ScheduleRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn items_of(conn: &mut DbConnection, schedule_id: i32) -> Result<Vec<ItemRow>, Error> {
    Ok(schedule_items::table
        .filter(schedule_items::schedule_id.eq(schedule_id))
        .order(schedule_items::id)
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// Items the planner must leave where they are: done or skipped, placed by
/// the student, and the student's own (custom) items.
pub fn kept_items(items: &[ItemRow]) -> Vec<KeptItem> {
    items
        .iter()
        .filter(|item| is_kept(item))
        .map(|item| KeptItem {
            key: item.item_key.clone(),
            start: mdsc_core::time::utc_opt(item.start_time),
            end: mdsc_core::time::utc_opt(item.end_time),
            due: mdsc_core::time::utc_opt(item.due_date),
        })
        .collect()
}

fn is_kept(item: &ItemRow) -> bool {
    let status = item.status.as_str();
    let custom = item.item_type == ItemType::Custom.as_str();
    status != ItemStatus::Cancelled.as_str()
        && (custom
            || item.is_moved
            || status == ItemStatus::Done.as_str()
            || status == ItemStatus::Skipped.as_str())
}

/// What a stored item should become.
struct Target<'a> {
    planned: &'a PlannedItem,
    status: &'static str,
}

/// Stores `planned` as the schedule's items. `completed` holds the keys of
/// lessons and quizzes the student already finished: they are stored as
/// done. Items the plan no longer has (a deleted lesson, quiz or session)
/// are cancelled, custom items excepted; cancelled items older than
/// [`CANCELLED_RETENTION`] are deleted.
pub fn apply_plan(
    conn: &mut DbConnection,
    schedule_id: i32,
    planned: &[PlannedItem],
    completed: &BTreeSet<String>,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let existing: BTreeMap<String, ItemRow> = items_of(conn, schedule_id)?
        .into_iter()
        .map(|item| (item.item_key.clone(), item))
        .collect();
    for item in planned {
        let current = existing.get(&item.key);
        let status = target_status(item, current, completed);
        let target = Target {
            planned: item,
            status,
        };
        match current {
            Some(row) => update_item(conn, row, &target, now)?,
            // Something cancelled before this schedule knew of it (or long
            // enough ago to be purged) has no event to cancel: never shown.
            None if item.cancelled => {}
            None => insert_item(conn, schedule_id, &target, now)?,
        }
    }
    let planned_keys: BTreeSet<&str> = planned.iter().map(|item| item.key.as_str()).collect();
    for row in existing.values() {
        let gone = !planned_keys.contains(row.item_key.as_str())
            && row.item_type != ItemType::Custom.as_str();
        if gone {
            remove_item(conn, row, now)?;
        }
    }
    purge_cancelled(conn, schedule_id, now)
}

/// An item whose lesson, quiz or session is gone: cancelled, so calendars
/// that show it learn of it; a skipped one (in no calendar) is deleted.
fn remove_item(conn: &mut DbConnection, row: &ItemRow, now: NaiveDateTime) -> Result<(), Error> {
    if row.status == ItemStatus::Skipped.as_str() {
        diesel::delete(schedule_items::table.find(row.id)).execute(conn)?;
        return Ok(());
    }
    if row.status != ItemStatus::Cancelled.as_str() {
        cancel_item(conn, row.id, now)?;
    }
    Ok(())
}

fn target_status(
    item: &PlannedItem,
    current: Option<&ItemRow>,
    completed: &BTreeSet<String>,
) -> &'static str {
    if item.cancelled {
        return ItemStatus::Cancelled.as_str();
    }
    if completed.contains(&item.key) {
        return ItemStatus::Done.as_str();
    }
    match current.map(|row| row.status.as_str()) {
        Some(s) if s == ItemStatus::Done.as_str() => ItemStatus::Done.as_str(),
        Some(s) if s == ItemStatus::Skipped.as_str() => ItemStatus::Skipped.as_str(),
        _ => ItemStatus::Pending.as_str(),
    }
}

fn naive(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<NaiveDateTime> {
    t.map(|t| t.naive_utc())
}

fn insert_item(
    conn: &mut DbConnection,
    schedule_id: i32,
    target: &Target<'_>,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let item = target.planned;
    let cancelled_at = (target.status == ItemStatus::Cancelled.as_str()).then_some(now);
    diesel::insert_into(schedule_items::table)
        .values((
            schedule_items::schedule_id.eq(schedule_id),
            schedule_items::item_key.eq(&item.key),
            schedule_items::item_type.eq(item.item_type.as_str()),
            schedule_items::title.eq(&item.title),
            schedule_items::start_time.eq(naive(item.start)),
            schedule_items::end_time.eq(naive(item.end)),
            schedule_items::due_date.eq(naive(item.due)),
            schedule_items::status.eq(target.status),
            schedule_items::is_moved.eq(false),
            schedule_items::module_id.eq(item.module_id),
            schedule_items::lesson_id.eq(item.lesson_id),
            schedule_items::quiz_id.eq(item.quiz_id),
            schedule_items::live_session_id.eq(item.live_session_id),
            schedule_items::sequence.eq(0),
            schedule_items::cancelled_at.eq(cancelled_at),
            schedule_items::created_at.eq(now),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

fn update_item(
    conn: &mut DbConnection,
    row: &ItemRow,
    target: &Target<'_>,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let item = target.planned;
    let (start, end, due) = (naive(item.start), naive(item.end), naive(item.due));
    // What a calendar shows: a change here must reach subscribed clients.
    let shown_changed = row.title != item.title
        || row.start_time != start
        || row.end_time != end
        || row.due_date != due
        || row.status != target.status;
    let links_changed = row.module_id != item.module_id
        || row.lesson_id != item.lesson_id
        || row.quiz_id != item.quiz_id
        || row.live_session_id != item.live_session_id;
    if !shown_changed && !links_changed {
        return Ok(());
    }
    let cancelled = target.status == ItemStatus::Cancelled.as_str();
    let cancelled_at = match (cancelled, row.cancelled_at) {
        (true, Some(at)) => Some(at),
        (true, None) => Some(now),
        (false, _) => None,
    };
    diesel::update(schedule_items::table.find(row.id))
        .set((
            schedule_items::title.eq(&item.title),
            schedule_items::start_time.eq(start),
            schedule_items::end_time.eq(end),
            schedule_items::due_date.eq(due),
            schedule_items::status.eq(target.status),
            schedule_items::module_id.eq(item.module_id),
            schedule_items::lesson_id.eq(item.lesson_id),
            schedule_items::quiz_id.eq(item.quiz_id),
            schedule_items::live_session_id.eq(item.live_session_id),
            schedule_items::sequence.eq(schedule_items::sequence + i32::from(shown_changed)),
            schedule_items::cancelled_at.eq(cancelled_at),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Cancels an item whose source is gone; calendars then show it cancelled.
fn cancel_item(conn: &mut DbConnection, item_id: i32, now: NaiveDateTime) -> Result<(), Error> {
    diesel::update(schedule_items::table.find(item_id))
        .set((
            schedule_items::status.eq(ItemStatus::Cancelled.as_str()),
            schedule_items::cancelled_at.eq(now),
            schedule_items::sequence.eq(schedule_items::sequence + 1),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

fn purge_cancelled(
    conn: &mut DbConnection,
    schedule_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::delete(
        schedule_items::table
            .filter(schedule_items::schedule_id.eq(schedule_id))
            .filter(schedule_items::cancelled_at.lt(now - CANCELLED_RETENTION)),
    )
    .execute(conn)?;
    Ok(())
}
