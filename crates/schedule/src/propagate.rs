//! Course changes reaching every schedule of the course, in the same
//! transaction as the change: a live session scheduled, rescheduled,
//! cancelled or deleted, a quiz added, re-dated or deleted. Items change in
//! place (same id and UID, higher `sequence`), so subscribed calendars move
//! or cancel the event on their next refresh.
//!
//! Only what the change touches is re-planned: re-planning a whole schedule
//! re-spreads its pending lessons from now, which would move every event of
//! every student's calendar on each edit of the instructor.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{course_schedules, enrollments, live_sessions, quizzes, schedule_items};
use mdsc_core::{DbConnection, Error};
use mdsc_course::{EnrollmentRow, EnrollmentStatus};

use crate::item::{ItemStatus, ItemType};
use crate::model::{ItemRow, ScheduleRow};
use crate::outline::quiz_due;
use crate::plan::keys;
use crate::service::replan;

/// The course's schedules whose enrollment is not cancelled, with it.
fn course_schedules_of(
    conn: &mut DbConnection,
    course_id: i32,
) -> Result<Vec<(ScheduleRow, EnrollmentRow)>, Error> {
    Ok(course_schedules::table
        .inner_join(enrollments::table)
        .filter(course_schedules::course_id.eq(course_id))
        .filter(enrollments::status.ne(EnrollmentStatus::Cancelled.as_str()))
        .order(course_schedules::id)
        .select((ScheduleRow::as_select(), EnrollmentRow::as_select()))
        .load(conn)?)
}

fn schedule_ids(schedules: &[(ScheduleRow, EnrollmentRow)]) -> Vec<i32> {
    schedules.iter().map(|(schedule, _)| schedule.id).collect()
}

/// A live session was created or changed: its item in every schedule of
/// the course takes its title, times and status; schedules where a pending
/// study block now overlaps the session are re-planned around it.
pub fn live_session_changed(
    conn: &mut DbConnection,
    session_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let (course_id, title, start, end, status): (
        i32,
        String,
        NaiveDateTime,
        NaiveDateTime,
        String,
    ) = live_sessions::table
        .find(session_id)
        .select((
            live_sessions::course_id,
            live_sessions::title,
            live_sessions::scheduled_start_time,
            live_sessions::scheduled_end_time,
            live_sessions::status,
        ))
        .first(conn)?;
    let schedules = course_schedules_of(conn, course_id)?;
    if schedules.is_empty() {
        return Ok(());
    }
    let ids = schedule_ids(&schedules);
    let key = keys::live(session_id);
    let of_session = || {
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(ids.clone()))
            .filter(schedule_items::item_key.eq(key.clone()))
    };
    // Title or times changed.
    diesel::update(
        of_session().filter(
            schedule_items::title
                .ne(&title)
                .or(schedule_items::start_time.ne(start))
                .or(schedule_items::end_time.ne(end)),
        ),
    )
    .set((
        schedule_items::title.eq(&title),
        schedule_items::start_time.eq(start),
        schedule_items::end_time.eq(end),
        schedule_items::sequence.eq(schedule_items::sequence + 1),
        schedule_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    let cancelled = status == "cancelled";
    if cancelled {
        cancel_items(conn, &ids, &key, now)?;
    }
    // Schedules planned before the session existed get its item.
    let having: Vec<i32> = of_session()
        .select(schedule_items::schedule_id)
        .load(conn)?;
    for (schedule, _) in schedules.iter().filter(|(s, _)| !having.contains(&s.id)) {
        insert_live_item(
            conn,
            schedule.id,
            session_id,
            &title,
            (start, end),
            cancelled,
            now,
        )?;
    }
    if cancelled {
        return Ok(());
    }
    // Study blocks the session now overlaps move elsewhere.
    let clashing: Vec<i32> = schedule_items::table
        .filter(schedule_items::schedule_id.eq_any(ids))
        .filter(
            schedule_items::item_type.eq_any([ItemType::Lesson.as_str(), ItemType::Quiz.as_str()]),
        )
        .filter(schedule_items::status.eq(ItemStatus::Pending.as_str()))
        .filter(schedule_items::is_moved.eq(false))
        .filter(schedule_items::start_time.lt(end))
        .filter(schedule_items::end_time.gt(start))
        .select(schedule_items::schedule_id)
        .distinct()
        .load(conn)?;
    for (schedule, enrollment) in schedules.iter().filter(|(s, _)| clashing.contains(&s.id)) {
        replan(conn, schedule, enrollment, now)?;
    }
    Ok(())
}

fn insert_live_item(
    conn: &mut DbConnection,
    schedule_id: i32,
    session_id: i32,
    title: &str,
    (start, end): (NaiveDateTime, NaiveDateTime),
    cancelled: bool,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let status = if cancelled {
        ItemStatus::Cancelled
    } else {
        ItemStatus::Pending
    };
    diesel::insert_into(schedule_items::table)
        .values((
            schedule_items::schedule_id.eq(schedule_id),
            schedule_items::item_key.eq(keys::live(session_id)),
            schedule_items::item_type.eq(ItemType::LiveSession.as_str()),
            schedule_items::title.eq(title),
            schedule_items::start_time.eq(start),
            schedule_items::end_time.eq(end),
            schedule_items::status.eq(status.as_str()),
            schedule_items::is_moved.eq(false),
            schedule_items::live_session_id.eq(session_id),
            schedule_items::sequence.eq(0),
            schedule_items::cancelled_at.eq(cancelled.then_some(now)),
            schedule_items::created_at.eq(now),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Cancels the items with this key (calendars keep them 14 days, cancelled).
fn cancel_items(
    conn: &mut DbConnection,
    schedule_ids: &[i32],
    key: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::update(
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(schedule_ids))
            .filter(schedule_items::item_key.eq(key))
            .filter(schedule_items::status.ne(ItemStatus::Cancelled.as_str())),
    )
    .set((
        schedule_items::status.eq(ItemStatus::Cancelled.as_str()),
        schedule_items::cancelled_at.eq(now),
        schedule_items::sequence.eq(schedule_items::sequence + 1),
        schedule_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Lessons, quizzes or live sessions were deleted: their items (by key,
/// see [`keys`]) are cancelled in every schedule of the course.
pub fn items_removed(
    conn: &mut DbConnection,
    course_id: i32,
    item_keys: &[String],
    now: NaiveDateTime,
) -> Result<(), Error> {
    let ids = schedule_ids(&course_schedules_of(conn, course_id)?);
    for key in item_keys {
        cancel_items(conn, &ids, key, now)?;
    }
    Ok(())
}

/// A quiz was created or changed. A schedule without it, or whose deadline
/// for it came earlier, is re-planned (the deadline bounds the module's
/// lessons); otherwise the item takes the new title and deadline in place.
pub fn quiz_changed(
    conn: &mut DbConnection,
    quiz_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let (course_id, title, due_date, due_offset_days): (
        i32,
        String,
        Option<NaiveDateTime>,
        Option<i32>,
    ) = quizzes::table
        .find(quiz_id)
        .select((
            quizzes::course_id,
            quizzes::title,
            quizzes::due_date,
            quizzes::due_offset_days,
        ))
        .first(conn)?;
    let key = keys::quiz(quiz_id);
    for (schedule, enrollment) in course_schedules_of(conn, course_id)? {
        let due = quiz_due(due_date, due_offset_days, enrollment.enrolled_at);
        let item: Option<ItemRow> = schedule_items::table
            .filter(schedule_items::schedule_id.eq(schedule.id))
            .filter(schedule_items::item_key.eq(&key))
            .select(ItemRow::as_select())
            .first(conn)
            .optional()?;
        let Some(item) = item else {
            replan(conn, &schedule, &enrollment, now)?;
            continue;
        };
        let earlier = match (due, item.due_date) {
            (Some(new), Some(old)) => new < old,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let pending = item.status == ItemStatus::Pending.as_str() && !item.is_moved;
        if earlier && pending {
            replan(conn, &schedule, &enrollment, now)?;
        } else if item.title != title || item.due_date != due {
            diesel::update(schedule_items::table.find(item.id))
                .set((
                    schedule_items::title.eq(&title),
                    schedule_items::due_date.eq(due),
                    schedule_items::sequence.eq(item.sequence + 1),
                    schedule_items::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The student finished a lesson or passed a quiz: its item in their
/// schedule is done (a pending or skipped item only; calendars keep the event).
pub fn mark_done(
    conn: &mut DbConnection,
    enrollment_id: i32,
    key: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let schedule = course_schedules::table
        .filter(course_schedules::enrollment_id.eq(enrollment_id))
        .select(course_schedules::id);
    diesel::update(
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(schedule))
            .filter(schedule_items::item_key.eq(key))
            .filter(
                schedule_items::status
                    .eq_any([ItemStatus::Pending.as_str(), ItemStatus::Skipped.as_str()]),
            ),
    )
    .set((
        schedule_items::status.eq(ItemStatus::Done.as_str()),
        schedule_items::sequence.eq(schedule_items::sequence + 1),
        schedule_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}
