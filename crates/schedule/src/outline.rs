//! What the planner needs, read from the database: the course outline
//! (modules, lessons, quizzes and their due dates, live sessions) and the
//! stored preferences.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::live_sessions;
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{DbConnection, Error};
use mdsc_course::CourseRow;
use mdsc_course::structure::{course_lessons, course_modules, course_quizzes};

use crate::model::ScheduleRow;
use crate::plan::{
    CourseOutline, LessonOutline, LiveOutline, ModuleOutline, PlanError, Preferences, QuizOutline,
};

/// The outline of a course as one student sees it: quiz due dates given as
/// an offset count from that student's enrollment.
pub fn course_outline(
    conn: &mut DbConnection,
    course: &CourseRow,
    enrolled_at: NaiveDateTime,
) -> Result<CourseOutline, Error> {
    let mut modules: Vec<ModuleOutline> = course_modules(conn, course.id)?
        .into_iter()
        .map(|module| ModuleOutline {
            id: module.id,
            title: module.title,
            lessons: Vec::new(),
            quizzes: Vec::new(),
        })
        .collect();
    for lesson in course_lessons(conn, course.id)? {
        if let Some(module) = module_mut(&mut modules, lesson.module_id) {
            module.lessons.push(LessonOutline {
                id: lesson.id,
                title: lesson.title,
                duration_minutes: lesson.duration_minutes,
            });
        }
    }
    for quiz in course_quizzes(conn, course.id)? {
        let due_at = quiz_due(quiz.due_date, quiz.due_offset_days, enrolled_at);
        if let Some(module) = module_mut(&mut modules, quiz.module_id) {
            module.quizzes.push(QuizOutline {
                id: quiz.id,
                title: quiz.title,
                due_at: utc_opt(due_at),
            });
        }
    }
    Ok(CourseOutline {
        start: utc_opt(course.start_date),
        end: utc_opt(course.end_date),
        estimated_weeks: course.estimated_duration_weeks,
        modules,
        live_sessions: live_outlines(conn, course.id)?,
    })
}

fn module_mut(modules: &mut [ModuleOutline], id: i32) -> Option<&mut ModuleOutline> {
    modules.iter_mut().find(|module| module.id == id)
}

pub use mdsc_course::quiz::quiz_due;

/// Every live session of the course, cancelled ones included (they become
/// cancelled items, so calendars learn of the cancellation).
fn live_outlines(conn: &mut DbConnection, course_id: i32) -> Result<Vec<LiveOutline>, Error> {
    let rows: Vec<(i32, String, NaiveDateTime, NaiveDateTime, String)> = live_sessions::table
        .filter(live_sessions::course_id.eq(course_id))
        .order((live_sessions::scheduled_start_time, live_sessions::id))
        .select((
            live_sessions::id,
            live_sessions::title,
            live_sessions::scheduled_start_time,
            live_sessions::scheduled_end_time,
            live_sessions::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, start, end, status)| LiveOutline {
            id,
            title,
            start: utc(start),
            end: utc(end),
            cancelled: status == "cancelled",
        })
        .collect())
}

/// The preferences stored with a schedule.
pub fn stored_preferences(schedule: &ScheduleRow) -> Result<Preferences, PlanError> {
    let hours = u32::try_from(schedule.hours_per_week)
        .map_err(|_| PlanError::new("hours_per_week", "must be positive"))?;
    Ok(Preferences {
        timezone: Preferences::parse_timezone(&schedule.timezone)?,
        study_days: Preferences::parse_study_days(&schedule.study_days)?,
        hours_per_week: hours,
        time_of_day: schedule.preferred_time.parse()?,
    })
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        Error::invalid_field(e.field, e.message)
    }
}
