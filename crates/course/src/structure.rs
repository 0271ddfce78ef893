//! Course structure: ordered modules, each with ordered lessons and quizzes.

use chrono::{DateTime, FixedOffset};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_modules, lessons, quizzes};
use mdsc_core::text::{validate_multi_line, validate_not_blank, validate_single_line};
use mdsc_core::time::to_storage;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::access::{
    enrollment_of, ensure_visible, find_course, is_staff_of, require_course_staff,
};
use crate::course::to_course;
use crate::model::{
    CourseStructure, Lesson, LessonRow, Module, ModuleRow, ModuleWithContent, Quiz, QuizRow,
    RevealAnswers,
};
use crate::progress::refresh_course_progress;

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct ModuleInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(max = 10000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 10000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    /// Order within the course; default: after the last module.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct LessonInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(max = 200000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 200000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub content: Option<String>,
    #[validate(url, length(max = 2000), custom(function = validate_single_line), custom(function = mdsc_core::text::validate_http_url))]
    #[schema(
        max_length = 2000,
        pattern = "^ *[hH][tT][tT][pP][sS]?://[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub video_url: Option<String>,
    /// Estimated study time, 0 to 1440 minutes.
    #[validate(range(min = 0, max = 1440))]
    #[schema(minimum = 0, maximum = 1440)]
    pub duration_minutes: Option<i32>,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct QuizInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(max = 10000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 10000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    /// Minimum score in percent (default 50).
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub passing_score: Option<i32>,
    /// A fixed deadline; exclusive with `due_offset_days`.
    pub due_date: Option<DateTime<FixedOffset>>,
    /// A deadline this many days after each student's enrollment.
    #[validate(range(min = 0, max = 3650))]
    #[schema(minimum = 0, maximum = 3650)]
    pub due_offset_days: Option<i32>,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
    /// Attempts a student may make, 1 to 100; `null`: unlimited (the
    /// default). Absent on update: unchanged.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100)]
    pub max_attempts: Option<Option<i32>>,
    /// Minutes to answer once an attempt starts, 1 to 1,440; `null`: no
    /// limit (the default). Absent on update: unchanged.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1440)]
    pub time_limit_minutes: Option<Option<i32>>,
    /// Each attempt orders the questions its own way (default false).
    pub shuffle_questions: Option<bool>,
    /// Each attempt orders each question's choices its own way (default false).
    pub shuffle_choices: Option<bool>,
    /// When students see the answer key (default `after_submit`).
    pub reveal_answers: Option<RevealAnswers>,
}

impl QuizInput {
    /// The attempt settings' ranges (`Option<Option<_>>` fields, which
    /// the `Validate` derive does not check).
    fn check_settings(&self) -> Result<(), Error> {
        if let Some(Some(n)) = self.max_attempts
            && !(1..=100).contains(&n)
        {
            return Err(Error::invalid_field(
                "max_attempts",
                "must be 1 to 100, or null",
            ));
        }
        if let Some(Some(n)) = self.time_limit_minutes
            && !(1..=1440).contains(&n)
        {
            return Err(Error::invalid_field(
                "time_limit_minutes",
                "must be 1 to 1440, or null",
            ));
        }
        Ok(())
    }
}

fn required_title(title: &Option<String>) -> Result<String, Error> {
    title
        .as_deref()
        .map(|t| t.trim().to_owned())
        .ok_or_else(|| Error::invalid_field("title", "is required"))
}

fn find_module(conn: &mut DbConnection, module_id: i32) -> Result<ModuleRow, Error> {
    course_modules::table
        .find(module_id)
        .select(ModuleRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Module"))
}

fn find_lesson(conn: &mut DbConnection, lesson_id: i32) -> Result<LessonRow, Error> {
    lessons::table
        .find(lesson_id)
        .select(LessonRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Lesson"))
}

pub(crate) fn find_quiz(conn: &mut DbConnection, quiz_id: i32) -> Result<QuizRow, Error> {
    quizzes::table
        .find(quiz_id)
        .select(QuizRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Quiz"))
}

pub fn create_module(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    input: ModuleInput,
) -> Result<Module, Error> {
    input.validate()?;
    let title = required_title(&input.title)?;
    write_transaction(conn, |conn| {
        require_course_staff(conn, actor, course_id)?;
        let position = match input.position {
            Some(p) => p,
            None => course_modules::table
                .filter(course_modules::course_id.eq(course_id))
                .select(diesel::dsl::max(course_modules::position))
                .first::<Option<i32>>(conn)?
                .map_or(1, |p| p + 1),
        };
        let now = clock.now();
        let row = diesel::insert_into(course_modules::table)
            .values((
                course_modules::course_id.eq(course_id),
                course_modules::title.eq(title),
                course_modules::description.eq(&input.description),
                course_modules::position.eq(position),
                course_modules::created_at.eq(now),
                course_modules::updated_at.eq(now),
            ))
            .get_result::<ModuleRow>(conn)?;
        Ok(row.into())
    })
}

pub fn update_module(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
    input: ModuleInput,
) -> Result<Module, Error> {
    input.validate()?;
    write_transaction(conn, |conn| {
        let module = find_module(conn, module_id)?;
        require_course_staff(conn, actor, module.course_id)?;
        let row = diesel::update(course_modules::table.find(module_id))
            .set((
                input
                    .title
                    .as_deref()
                    .map(|t| course_modules::title.eq(t.trim().to_owned())),
                input
                    .description
                    .as_ref()
                    .map(|d| course_modules::description.eq(d)),
                input.position.map(|p| course_modules::position.eq(p)),
                course_modules::updated_at.eq(clock.now()),
            ))
            .get_result::<ModuleRow>(conn)?;
        Ok(row.into())
    })
}

/// Deletes a module with its lessons and quizzes (and the progress on them).
pub fn delete_module(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let module = find_module(conn, module_id)?;
        require_course_staff(conn, actor, module.course_id)?;
        diesel::delete(course_modules::table.find(module_id)).execute(conn)?;
        refresh_course_progress(conn, clock, module.course_id)?;
        Ok(())
    })
}

pub fn create_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
    input: LessonInput,
) -> Result<Lesson, Error> {
    input.validate()?;
    let title = required_title(&input.title)?;
    write_transaction(conn, |conn| {
        let module = find_module(conn, module_id)?;
        require_course_staff(conn, actor, module.course_id)?;
        let position = match input.position {
            Some(p) => p,
            None => lessons::table
                .filter(lessons::module_id.eq(module_id))
                .select(diesel::dsl::max(lessons::position))
                .first::<Option<i32>>(conn)?
                .map_or(1, |p| p + 1),
        };
        let now = clock.now();
        let row = diesel::insert_into(lessons::table)
            .values((
                lessons::course_id.eq(module.course_id),
                lessons::module_id.eq(module_id),
                lessons::title.eq(title),
                lessons::content.eq(&input.content),
                lessons::video_url.eq(&input.video_url),
                lessons::duration_minutes.eq(input.duration_minutes.unwrap_or(0)),
                lessons::position.eq(position),
                lessons::created_at.eq(now),
                lessons::updated_at.eq(now),
            ))
            .get_result::<LessonRow>(conn)?;
        refresh_course_progress(conn, clock, row.course_id)?;
        Ok(row.into())
    })
}

pub fn update_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    lesson_id: i32,
    input: LessonInput,
) -> Result<Lesson, Error> {
    input.validate()?;
    write_transaction(conn, |conn| {
        let lesson = find_lesson(conn, lesson_id)?;
        require_course_staff(conn, actor, lesson.course_id)?;
        let row = diesel::update(lessons::table.find(lesson_id))
            .set((
                input
                    .title
                    .as_deref()
                    .map(|t| lessons::title.eq(t.trim().to_owned())),
                input.content.as_ref().map(|c| lessons::content.eq(c)),
                input.video_url.as_ref().map(|v| lessons::video_url.eq(v)),
                input
                    .duration_minutes
                    .map(|d| lessons::duration_minutes.eq(d)),
                input.position.map(|p| lessons::position.eq(p)),
                lessons::updated_at.eq(clock.now()),
            ))
            .get_result::<LessonRow>(conn)?;
        Ok(row.into())
    })
}

pub fn delete_lesson(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    lesson_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let lesson = find_lesson(conn, lesson_id)?;
        require_course_staff(conn, actor, lesson.course_id)?;
        diesel::delete(lessons::table.find(lesson_id)).execute(conn)?;
        refresh_course_progress(conn, clock, lesson.course_id)?;
        Ok(())
    })
}

fn check_due(
    due_date: Option<&DateTime<FixedOffset>>,
    due_offset_days: Option<i32>,
) -> Result<(), Error> {
    if let Some(date) = due_date {
        mdsc_core::time::check_range("due_date", to_storage(*date))?;
    }
    if due_date.is_some() && due_offset_days.is_some() {
        return Err(Error::invalid_field(
            "due_offset_days",
            "give either due_date or due_offset_days, not both",
        ));
    }
    Ok(())
}

pub fn create_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    module_id: i32,
    input: QuizInput,
) -> Result<Quiz, Error> {
    input.validate()?;
    input.check_settings()?;
    let title = required_title(&input.title)?;
    check_due(input.due_date.as_ref(), input.due_offset_days)?;
    write_transaction(conn, |conn| {
        let module = find_module(conn, module_id)?;
        require_course_staff(conn, actor, module.course_id)?;
        let position = match input.position {
            Some(p) => p,
            None => quizzes::table
                .filter(quizzes::module_id.eq(module_id))
                .select(diesel::dsl::max(quizzes::position))
                .first::<Option<i32>>(conn)?
                .map_or(1, |p| p + 1),
        };
        let now = clock.now();
        let row = diesel::insert_into(quizzes::table)
            .values((
                quizzes::course_id.eq(module.course_id),
                quizzes::module_id.eq(module_id),
                quizzes::title.eq(title),
                quizzes::description.eq(&input.description),
                quizzes::passing_score.eq(input.passing_score.unwrap_or(50)),
                quizzes::due_date.eq(input.due_date.map(to_storage)),
                quizzes::due_offset_days.eq(input.due_offset_days),
                quizzes::position.eq(position),
                quizzes::created_at.eq(now),
                quizzes::updated_at.eq(now),
                quizzes::max_attempts.eq(input.max_attempts.flatten()),
                quizzes::time_limit_minutes.eq(input.time_limit_minutes.flatten()),
                quizzes::shuffle_questions.eq(input.shuffle_questions.unwrap_or(false)),
                quizzes::shuffle_choices.eq(input.shuffle_choices.unwrap_or(false)),
                quizzes::reveal_answers.eq(input
                    .reveal_answers
                    .unwrap_or(RevealAnswers::AfterSubmit)
                    .as_str()),
            ))
            .get_result::<QuizRow>(conn)?;
        refresh_course_progress(conn, clock, row.course_id)?;
        Ok(row.into())
    })
}

/// Setting `due_date` clears `due_offset_days` and the reverse: a quiz has
/// one kind of deadline at a time.
pub fn update_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
    input: QuizInput,
) -> Result<Quiz, Error> {
    input.validate()?;
    input.check_settings()?;
    check_due(input.due_date.as_ref(), input.due_offset_days)?;
    write_transaction(conn, |conn| {
        let quiz = find_quiz(conn, quiz_id)?;
        require_course_staff(conn, actor, quiz.course_id)?;
        let (due_date, due_offset_days) = match (input.due_date, input.due_offset_days) {
            (Some(date), _) => (Some(to_storage(date)), None),
            (None, Some(days)) => (None, Some(days)),
            (None, None) => (quiz.due_date, quiz.due_offset_days),
        };
        diesel::update(quizzes::table.find(quiz_id))
            .set((
                input
                    .title
                    .as_deref()
                    .map(|t| quizzes::title.eq(t.trim().to_owned())),
                input
                    .description
                    .as_ref()
                    .map(|d| quizzes::description.eq(d)),
                input.passing_score.map(|s| quizzes::passing_score.eq(s)),
                quizzes::due_date.eq(due_date),
                quizzes::due_offset_days.eq(due_offset_days),
                input.position.map(|p| quizzes::position.eq(p)),
                quizzes::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        // The settings in a second statement: diesel's tuple of changes
        // stops at this many columns.
        let row = diesel::update(quizzes::table.find(quiz_id))
            .set((
                input.max_attempts.map(|n| quizzes::max_attempts.eq(n)),
                input
                    .time_limit_minutes
                    .map(|n| quizzes::time_limit_minutes.eq(n)),
                input
                    .shuffle_questions
                    .map(|b| quizzes::shuffle_questions.eq(b)),
                input
                    .shuffle_choices
                    .map(|b| quizzes::shuffle_choices.eq(b)),
                input
                    .reveal_answers
                    .map(|r| quizzes::reveal_answers.eq(r.as_str())),
                quizzes::updated_at.eq(clock.now()),
            ))
            .get_result::<QuizRow>(conn)?;
        Ok(row.into())
    })
}

pub fn delete_quiz(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let quiz = find_quiz(conn, quiz_id)?;
        require_course_staff(conn, actor, quiz.course_id)?;
        diesel::delete(quizzes::table.find(quiz_id)).execute(conn)?;
        refresh_course_progress(conn, clock, quiz.course_id)?;
        Ok(())
    })
}

/// The ordered lessons of a course (module order, then lesson order).
pub fn course_lessons(conn: &mut DbConnection, course_id: i32) -> Result<Vec<LessonRow>, Error> {
    Ok(lessons::table
        .inner_join(course_modules::table)
        .filter(lessons::course_id.eq(course_id))
        .order((
            course_modules::position,
            course_modules::id,
            lessons::position,
            lessons::id,
        ))
        .select(LessonRow::as_select())
        .load(conn)?)
}

/// The ordered quizzes of a course.
pub fn course_quizzes(conn: &mut DbConnection, course_id: i32) -> Result<Vec<QuizRow>, Error> {
    Ok(quizzes::table
        .inner_join(course_modules::table)
        .filter(quizzes::course_id.eq(course_id))
        .order((
            course_modules::position,
            course_modules::id,
            quizzes::position,
            quizzes::id,
        ))
        .select(QuizRow::as_select())
        .load(conn)?)
}

/// The ordered modules of a course.
pub fn course_modules(conn: &mut DbConnection, course_id: i32) -> Result<Vec<ModuleRow>, Error> {
    Ok(course_modules::table
        .filter(course_modules::course_id.eq(course_id))
        .order((course_modules::position, course_modules::id))
        .select(ModuleRow::as_select())
        .load(conn)?)
}

/// The nested structure. Everyone who can see the course sees titles and
/// durations; lesson content and videos only reach enrolled students and staff.
pub fn get_structure(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course_id: i32,
) -> Result<CourseStructure, Error> {
    let course = find_course(conn, course_id)?;
    ensure_visible(conn, actor, &course)?;
    let full_access = match actor {
        Some(a) if is_staff_of(a, &course) => true,
        Some(a) => enrollment_of(conn, a.user_id, course_id)?.is_some(),
        None => false,
    };
    let modules = course_modules(conn, course_id)?;
    let mut lessons = course_lessons(conn, course_id)?;
    let quizzes = course_quizzes(conn, course_id)?;
    if !full_access {
        for lesson in &mut lessons {
            lesson.content = None;
            lesson.video_url = None;
        }
    }
    let total_lessons = lessons.len() as i64;
    let total_quizzes = quizzes.len() as i64;
    let total_duration_minutes = lessons.iter().map(|l| i64::from(l.duration_minutes)).sum();
    let modules = modules
        .into_iter()
        .map(|m| ModuleWithContent {
            lessons: lessons
                .iter()
                .filter(|l| l.module_id == m.id)
                .cloned()
                .map(Lesson::from)
                .collect(),
            quizzes: quizzes
                .iter()
                .filter(|q| q.module_id == m.id)
                .cloned()
                .map(Quiz::from)
                .collect(),
            module: m.into(),
        })
        .collect();
    Ok(CourseStructure {
        course: to_course(conn, course)?,
        modules,
        total_lessons,
        total_quizzes,
        total_duration_minutes,
    })
}
