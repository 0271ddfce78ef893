//! Generating and reading a study schedule (seed §2.2.2): only the
//! enrollment's student and the course's staff see it.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_schedules, enrollments, lesson_completions, quiz_attempts};
use mdsc_core::time::utc;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::enrollment::visible_enrollment;
use mdsc_course::{EnrollmentRow, EnrollmentStatus, find_course};
use serde::Deserialize;

use crate::model::{CourseSchedule, ScheduleRow};
use crate::outline::{course_outline, stored_preferences};
use crate::plan::{KeptItem, PlanInput, Preferences, TimeOfDay, keys, plan};
use crate::render::render_schedule;
use crate::settings::ScheduleSettings;
use crate::store::{apply_plan, items_of, kept_items, schedule_of_enrollment};

/// Planning preferences; each one left out keeps its current value (or the
/// default: the platform's zone, Monday to Friday, 5 hours, evening).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    /// IANA time zone, e.g. `Europe/Paris`.
    pub timezone: Option<String>,
    /// ISO weekdays, 1 (Monday) to 7 (Sunday), at least one, no repeats.
    #[schema(schema_with = study_days_schema)]
    pub study_days: Option<Vec<u32>>,
    /// 1 to 60.
    #[schema(minimum = 1, maximum = 60)]
    pub hours_per_week: Option<i32>,
    /// `morning`, `afternoon` or `evening`.
    #[schema(value_type = Option<crate::plan::TimeOfDay>)]
    pub preferred_time: Option<String>,
}

fn study_days_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let weekday = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(7));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .description(Some(
            "ISO weekdays, 1 (Monday) to 7 (Sunday), at least one, no repeats.",
        ))
        .items(weekday)
        .min_items(Some(1))
        .max_items(Some(7))
        .unique_items(true)
        .build()
}

impl PreferencesInput {
    /// Whether any preference is given.
    pub fn is_given(&self) -> bool {
        self.timezone.is_some()
            || self.study_days.is_some()
            || self.hours_per_week.is_some()
            || self.preferred_time.is_some()
    }
}

/// The schedule, and whether this call created it (201) or re-planned it (200).
pub struct Generated {
    pub schedule: CourseSchedule,
    pub created: bool,
}

/// Creates the enrollment's schedule, or re-plans it: items done, skipped or
/// moved by the student stay; every item keeps its id and calendar UID.
/// The student may; the course's staff only create a missing schedule,
/// without preferences (403 otherwise); a cancelled enrollment has none
/// (409 `ENROLLMENT_CANCELLED`).
pub fn generate_schedule(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    enrollment_id: i32,
    input: PreferencesInput,
) -> Result<Generated, Error> {
    let now = clock.now();
    let (schedule, created) = write_transaction(conn, |conn| {
        mdsc_core::lock_row!(conn, enrollments, enrollment_id)?;
        let enrollment = visible_enrollment(conn, actor, enrollment_id)?;
        ensure_not_cancelled(&enrollment)?;
        let existing = schedule_of_enrollment(conn, enrollment_id)?;
        let created = existing.is_none();
        // Staff may create a missing schedule (with the defaults); planning
        // an existing one again moves the student's events: theirs to do.
        if enrollment.user_id != actor.user_id && (input.is_given() || !created) {
            return Err(Error::forbidden(
                "Only the enrolled student changes their schedule",
            ));
        }
        let current = match &existing {
            Some(schedule) => stored_preferences(schedule)?,
            None => student_defaults(conn, settings, enrollment.user_id)?,
        };
        let preferences = merge_preferences(current, &input)?;
        let schedule = match existing {
            Some(schedule) => save_preferences(conn, schedule.id, &preferences, now)?,
            None => insert_schedule(conn, &enrollment, &preferences, now)?,
        };
        replan(conn, &schedule, &enrollment, now)?;
        Ok((require_schedule(conn, enrollment_id)?, created))
    })?;
    Ok(Generated {
        schedule: render_schedule(conn, settings, &schedule, now)?,
        created,
    })
}

/// The enrollment's schedule (404 until generated).
pub fn get_schedule(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    enrollment_id: i32,
) -> Result<CourseSchedule, Error> {
    let enrollment = visible_enrollment(conn, actor, enrollment_id)?;
    let schedule = require_schedule(conn, enrollment.id)?;
    render_schedule(conn, settings, &schedule, clock.now())
}

pub fn ensure_not_cancelled(enrollment: &EnrollmentRow) -> Result<(), Error> {
    if enrollment.status == EnrollmentStatus::Cancelled.as_str() {
        return Err(Error::conflict(
            "ENROLLMENT_CANCELLED",
            "This enrollment was cancelled: enroll again to get a schedule",
        ));
    }
    Ok(())
}

pub fn require_schedule(conn: &mut DbConnection, enrollment_id: i32) -> Result<ScheduleRow, Error> {
    schedule_of_enrollment(conn, enrollment_id)?
        .ok_or_else(|| Error::not_found("Schedule").with_code("SCHEDULE_NOT_FOUND"))
}

pub fn default_preferences(settings: &ScheduleSettings) -> Preferences {
    Preferences {
        timezone: settings.default_timezone,
        ..Preferences::default()
    }
}

/// The defaults of a new schedule for `user_id`: the time zone of their
/// profile (`PUT /api/auth/me`), else the platform's.
fn student_defaults(
    conn: &mut DbConnection,
    settings: &ScheduleSettings,
    user_id: i32,
) -> Result<Preferences, Error> {
    let zone: Option<String> = mdsc_core::schema::users::table
        .find(user_id)
        .select(mdsc_core::schema::users::time_zone)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    let mut preferences = default_preferences(settings);
    if let Some(zone) = zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        preferences.timezone = zone;
    }
    Ok(preferences)
}

/// `current` with the given fields replaced, checked.
pub fn merge_preferences(
    current: Preferences,
    input: &PreferencesInput,
) -> Result<Preferences, Error> {
    let mut preferences = current;
    if let Some(zone) = &input.timezone {
        preferences.timezone = Preferences::parse_timezone(zone)?;
    }
    if let Some(days) = &input.study_days {
        let listed: Vec<String> = days.iter().map(u32::to_string).collect();
        preferences.study_days = Preferences::parse_study_days(&listed.join(","))?;
    }
    if let Some(hours) = input.hours_per_week {
        preferences.hours_per_week = u32::try_from(hours).unwrap_or(0);
    }
    if let Some(time) = &input.preferred_time {
        preferences.time_of_day = time.parse::<TimeOfDay>()?;
    }
    preferences.validate()?;
    Ok(preferences)
}

fn insert_schedule(
    conn: &mut DbConnection,
    enrollment: &EnrollmentRow,
    preferences: &Preferences,
    now: NaiveDateTime,
) -> Result<ScheduleRow, Error> {
    Ok(diesel::insert_into(course_schedules::table)
        .values((
            course_schedules::enrollment_id.eq(enrollment.id),
            course_schedules::user_id.eq(enrollment.user_id),
            course_schedules::course_id.eq(enrollment.course_id),
            course_schedules::timezone.eq(preferences.timezone.name()),
            course_schedules::study_days
                .eq(Preferences::format_study_days(&preferences.study_days)),
            course_schedules::hours_per_week.eq(hours(preferences)),
            course_schedules::preferred_time.eq(preferences.time_of_day.as_str()),
            course_schedules::generated_at.eq(now),
            course_schedules::updated_at.eq(now),
        ))
        .get_result::<ScheduleRow>(conn)?)
}

pub fn save_preferences(
    conn: &mut DbConnection,
    schedule_id: i32,
    preferences: &Preferences,
    now: NaiveDateTime,
) -> Result<ScheduleRow, Error> {
    Ok(diesel::update(course_schedules::table.find(schedule_id))
        .set((
            course_schedules::timezone.eq(preferences.timezone.name()),
            course_schedules::study_days
                .eq(Preferences::format_study_days(&preferences.study_days)),
            course_schedules::hours_per_week.eq(hours(preferences)),
            course_schedules::preferred_time.eq(preferences.time_of_day.as_str()),
            course_schedules::generated_at.eq(now),
            course_schedules::updated_at.eq(now),
        ))
        .get_result::<ScheduleRow>(conn)?)
}

fn hours(preferences: &Preferences) -> i32 {
    // validate() bounds it to 1..=60.
    i32::try_from(preferences.hours_per_week).unwrap_or(i32::MAX)
}

/// Plans the schedule again from the course as it is now and stores the
/// result. Lessons and quizzes the student finished are stored as done:
/// those with a stored time keep it, the others get none.
pub fn replan(
    conn: &mut DbConnection,
    schedule: &ScheduleRow,
    enrollment: &EnrollmentRow,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let course = find_course(conn, schedule.course_id)?;
    let outline = course_outline(conn, &course, enrollment.enrolled_at)?;
    let items = items_of(conn, schedule.id)?;
    let completed = completed_keys(conn, enrollment.id)?;
    let mut kept = kept_items(&items);
    for key in &completed {
        if !kept.iter().any(|k| &k.key == key) {
            let stored = items.iter().find(|item| &item.item_key == key);
            kept.push(KeptItem {
                key: key.clone(),
                start: stored.and_then(|i| i.start_time).map(utc),
                end: stored.and_then(|i| i.end_time).map(utc),
                due: stored.and_then(|i| i.due_date).map(utc),
            });
        }
    }
    let planned = plan(&PlanInput {
        outline,
        enrolled_at: utc(enrollment.enrolled_at),
        now: utc(now),
        preferences: stored_preferences(schedule)?,
        kept,
    })?;
    apply_plan(conn, schedule.id, &planned, &completed, now)?;
    diesel::update(course_schedules::table.find(schedule.id))
        .set(course_schedules::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Keys of the lessons completed and quizzes passed in this enrollment.
fn completed_keys(conn: &mut DbConnection, enrollment_id: i32) -> Result<BTreeSet<String>, Error> {
    let lessons: Vec<i32> = lesson_completions::table
        .filter(lesson_completions::enrollment_id.eq(enrollment_id))
        .select(lesson_completions::lesson_id)
        .load(conn)?;
    let quizzes: Vec<i32> = quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq(enrollment_id))
        .filter(quiz_attempts::passed.eq(true))
        .select(quiz_attempts::quiz_id)
        .distinct()
        .load(conn)?;
    Ok(lessons
        .into_iter()
        .map(keys::lesson)
        .chain(quizzes.into_iter().map(keys::quiz))
        .collect())
}
