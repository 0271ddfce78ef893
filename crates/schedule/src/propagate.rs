//! Course changes reaching every schedule of the course, in the same
//! transaction as the change: a live session scheduled, rescheduled,
//! cancelled or deleted, a quiz added, re-dated or deleted. Items change in
//! place (same id and UID, higher `sequence`), so subscribed calendars move
//! or cancel the event on their next refresh.
//!
//! Only what the change touches is re-planned where that is enough:
//! re-planning a whole schedule re-spreads its pending lessons from now,
//! which moves every event of the student's calendar. A new lesson, a new
//! lesson length or new course dates change the whole plan: every schedule
//! of the course is re-planned by the job worker ([`crate::replan_jobs`]),
//! in steps, not in the instructor's request.
//!
//! Every course-wide change locks the course, then the enrollments of its
//! schedules, before reading any item (see [`lock_course_schedules`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashSet;

use mdsc_core::schema::{
    course_schedules, courses, enrollments, live_sessions, quizzes, schedule_items,
};
use mdsc_core::{DbConnection, Error};
use mdsc_course::{EnrollmentRow, EnrollmentStatus};

use crate::item::{ItemStatus, ItemType};
use crate::model::{ItemRow, ScheduleRow};
use crate::outline::quiz_due;
use crate::plan::keys;
use crate::service::replan;

/// A schedule with its enrollment, locked for the transaction.
pub(crate) type LockedSchedule = (ScheduleRow, EnrollmentRow);

/// The course's schedules whose enrollment is not cancelled, with it,
/// locked for the rest of the transaction: first the course (course-wide
/// changes run one after the other), then every enrollment that has a
/// schedule, before any item is read. A student's own changes lock their
/// enrollment first too, so both see each other's result and neither
/// waits on items the other holds (no deadlock, no lost update).
fn lock_course_schedules(
    conn: &mut DbConnection,
    course_id: i32,
) -> Result<Vec<LockedSchedule>, Error> {
    Ok(lock_course_schedules_after(conn, course_id, 0, i64::MAX)?.0)
}

/// [`lock_course_schedules`] for one slice: the first `limit` schedules
/// with an id above `after`, in id order (the course row is still locked
/// first, so a slice and a course-wide change queue on it). Also the last
/// schedule id of the slice, cancelled enrollments included: where the
/// next slice starts; `None` when no schedule is left.
pub(crate) fn lock_course_schedules_after(
    conn: &mut DbConnection,
    course_id: i32,
    after: i32,
    limit: i64,
) -> Result<(Vec<LockedSchedule>, Option<i32>), Error> {
    mdsc_core::lock_row!(conn, courses, course_id)?;
    let slice: Vec<(i32, i32)> = course_schedules::table
        .filter(course_schedules::course_id.eq(course_id))
        .filter(course_schedules::id.gt(after))
        .order(course_schedules::id)
        .limit(limit)
        .select((course_schedules::id, course_schedules::enrollment_id))
        .load(conn)?;
    let Some(&(last, _)) = slice.last() else {
        return Ok((Vec::new(), None));
    };
    diesel::update(
        enrollments::table.filter(
            enrollments::id.eq_any(
                course_schedules::table
                    .filter(course_schedules::course_id.eq(course_id))
                    .filter(course_schedules::id.gt(after))
                    .filter(course_schedules::id.le(last))
                    .select(course_schedules::enrollment_id),
            ),
        ),
    )
    .set(enrollments::id.eq(enrollments::id))
    .execute(conn)?;
    let rows = course_schedules::table
        .inner_join(enrollments::table)
        .filter(course_schedules::course_id.eq(course_id))
        .filter(course_schedules::id.gt(after))
        .filter(course_schedules::id.le(last))
        .filter(mdsc_course::access::is_current_enrollment())
        .order(course_schedules::id)
        .select((ScheduleRow::as_select(), EnrollmentRow::as_select()))
        .load(conn)?;
    Ok((rows, Some(last)))
}

/// The ids of the course's schedules whose enrollment is not cancelled, as
/// a subquery (no id list to bind, whatever the number of students).
#[diesel::dsl::auto_type(no_type_alias)]
fn schedules_of_course(course_id: i32) -> _ {
    let cancelled: &'static str = EnrollmentStatus::Cancelled.as_str();
    course_schedules::table
        .inner_join(enrollments::table)
        .filter(course_schedules::course_id.eq(course_id))
        .filter(enrollments::status.ne(cancelled))
        .select(course_schedules::id)
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
    let schedules = lock_course_schedules(conn, course_id)?;
    if schedules.is_empty() {
        return Ok(());
    }
    let key = keys::live(session_id);
    let of_session = || {
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(schedules_of_course(course_id)))
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
    if status == "cancelled" {
        // Schedules that never had it get nothing to cancel.
        return cancel_items(conn, course_id, &key, now);
    }
    // Schedules planned before the session existed get its item.
    let having: HashSet<i32> = of_session()
        .select(schedule_items::schedule_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    for (schedule, _) in schedules.iter().filter(|(s, _)| !having.contains(&s.id)) {
        insert_live_item(conn, schedule.id, session_id, &title, (start, end), now)?;
    }
    // Study blocks the session now overlaps move elsewhere.
    let clashing: HashSet<i32> = schedule_items::table
        .filter(schedule_items::schedule_id.eq_any(schedules_of_course(course_id)))
        .filter(
            schedule_items::item_type.eq_any([ItemType::Lesson.as_str(), ItemType::Quiz.as_str()]),
        )
        .filter(schedule_items::status.eq(ItemStatus::Pending.as_str()))
        .filter(schedule_items::is_moved.eq(false))
        .filter(schedule_items::start_time.lt(end))
        .filter(schedule_items::end_time.gt(start))
        .select(schedule_items::schedule_id)
        .distinct()
        .load::<i32>(conn)?
        .into_iter()
        .collect();
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
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::insert_into(schedule_items::table)
        .values((
            schedule_items::schedule_id.eq(schedule_id),
            schedule_items::item_key.eq(keys::live(session_id)),
            schedule_items::item_type.eq(ItemType::LiveSession.as_str()),
            schedule_items::title.eq(title),
            schedule_items::start_time.eq(start),
            schedule_items::end_time.eq(end),
            schedule_items::status.eq(ItemStatus::Pending.as_str()),
            schedule_items::is_moved.eq(false),
            schedule_items::live_session_id.eq(session_id),
            schedule_items::sequence.eq(0),
            schedule_items::created_at.eq(now),
            schedule_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Cancels the items with this key in every schedule of the course
/// (calendars keep them 14 days, cancelled); skipped ones, in no calendar,
/// are deleted.
fn cancel_items(
    conn: &mut DbConnection,
    course_id: i32,
    key: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let of_key = || {
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(schedules_of_course(course_id)))
            .filter(schedule_items::item_key.eq(key))
    };
    diesel::delete(of_key().filter(schedule_items::status.eq(ItemStatus::Skipped.as_str())))
        .execute(conn)?;
    diesel::update(of_key().filter(schedule_items::status.ne(ItemStatus::Cancelled.as_str())))
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
    lock_course_schedules(conn, course_id)?;
    for key in item_keys {
        cancel_items(conn, course_id, key, now)?;
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
    for (schedule, enrollment) in lock_course_schedules(conn, course_id)? {
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
        // Without a deadline of its own, the planner's due date (the end of
        // its block) stays: only the title can change.
        let due = quiz_due(due_date, due_offset_days, enrollment.enrolled_at).or(item.due_date);
        let tighter = due.is_some_and(|due| {
            item.due_date.is_none_or(|old| due < old) || item.end_time.is_some_and(|end| end > due)
        });
        let pending = item.status == ItemStatus::Pending.as_str() && !item.is_moved;
        if tighter && pending {
            // The deadline bounds the module's lessons too: plan again.
            replan(conn, &schedule, &enrollment, now)?;
        } else if item.title != title || item.due_date != due {
            diesel::update(schedule_items::table.find(item.id))
                .set((
                    schedule_items::title.eq(&title),
                    schedule_items::due_date.eq(due),
                    schedule_items::sequence.eq(schedule_items::sequence + 1),
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

/// Every schedule of the course is to be re-planned: after a change the
/// whole plan depends on (a new lesson, a lesson's length, the course's
/// dates). Queued for the job worker in the change's transaction.
pub fn course_changed(
    conn: &mut DbConnection,
    course_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    crate::replan_jobs::request(conn, course_id, now)
}

/// A lesson was renamed: its items take the new title in place.
pub fn lesson_renamed(
    conn: &mut DbConnection,
    course_id: i32,
    lesson_id: i32,
    title: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    lock_course_schedules(conn, course_id)?;
    diesel::update(
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(schedules_of_course(course_id)))
            .filter(schedule_items::item_key.eq(keys::lesson(lesson_id)))
            .filter(schedule_items::title.ne(title)),
    )
    .set((
        schedule_items::title.eq(title),
        schedule_items::sequence.eq(schedule_items::sequence + 1),
        schedule_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// The course was renamed (events carry its title and slug): every item of
/// its schedules gets a higher sequence, so calendars take the new text.
pub fn course_renamed(
    conn: &mut DbConnection,
    course_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    lock_course_schedules(conn, course_id)?;
    diesel::update(
        schedule_items::table
            .filter(schedule_items::schedule_id.eq_any(schedules_of_course(course_id))),
    )
    .set((
        schedule_items::sequence.eq(schedule_items::sequence + 1),
        schedule_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}
