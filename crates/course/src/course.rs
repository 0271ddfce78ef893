//! Courses: create, read (by id or slug), list, update, delete.

use chrono::{DateTime, FixedOffset};
use diesel::prelude::*;
use mdsc_auth::{Principal, UserSummary};
use mdsc_core::schema::{courses, enrollments, users};
use mdsc_core::text::{validate_multi_line, validate_not_blank, validate_single_line};
use mdsc_core::time::to_storage;
use mdsc_core::{Clock, DbConnection, Error, ErrorKind, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::access::{ensure_visible, require_course_staff};
use crate::catalog::search_text;
pub use crate::catalog::{CourseListQuery, list_courses};
use crate::model::{Course, CourseRow};

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct CourseInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: String,
    #[validate(length(max = 50000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 50000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    #[validate(length(max = 500), custom(function = validate_multi_line))]
    #[schema(
        max_length = 500,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub short_description: Option<String>,
    #[validate(url, length(max = 2000), custom(function = validate_single_line), custom(function = mdsc_core::text::validate_http_url))]
    #[schema(
        max_length = 2000,
        pattern = "^ *[hH][tT][tT][pP][sS]?://[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub thumbnail_url: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub category: Option<String>,
    #[validate(length(min = 1, max = 20), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 20,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub level: Option<String>,
    /// A language tag such as `fr` or `en` (default `fr`).
    #[validate(length(min = 2, max = 10), custom(function = validate_single_line))]
    #[schema(
        min_length = 2,
        max_length = 10,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub language: Option<String>,
    /// Unpublished courses are visible to their staff only. Default: published.
    pub is_published: Option<bool>,
    pub start_date: Option<DateTime<FixedOffset>>,
    pub end_date: Option<DateTime<FixedOffset>>,
    #[validate(range(min = 1, max = 520))]
    #[schema(minimum = 1, maximum = 520)]
    pub estimated_duration_weeks: Option<i32>,
}

/// Every field optional: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct CourseUpdate {
    #[validate(length(min = 1, max = 255), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(max = 50000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 50000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    #[validate(length(max = 500), custom(function = validate_multi_line))]
    #[schema(
        max_length = 500,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub short_description: Option<String>,
    #[validate(url, length(max = 2000), custom(function = validate_single_line), custom(function = mdsc_core::text::validate_http_url))]
    #[schema(
        max_length = 2000,
        pattern = "^ *[hH][tT][tT][pP][sS]?://[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub thumbnail_url: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub category: Option<String>,
    #[validate(length(min = 1, max = 20), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 20,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub level: Option<String>,
    #[validate(length(min = 2, max = 10), custom(function = validate_single_line))]
    #[schema(
        min_length = 2,
        max_length = 10,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub language: Option<String>,
    pub is_published: Option<bool>,
    pub start_date: Option<DateTime<FixedOffset>>,
    pub end_date: Option<DateTime<FixedOffset>>,
    #[validate(range(min = 1, max = 520))]
    #[schema(minimum = 1, maximum = 520)]
    pub estimated_duration_weeks: Option<i32>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = courses)]
struct CourseChanges {
    title: Option<String>,
    description: Option<String>,
    short_description: Option<String>,
    thumbnail_url: Option<String>,
    category: Option<String>,
    level: Option<String>,
    language: Option<String>,
    is_published: Option<bool>,
    start_date: Option<chrono::NaiveDateTime>,
    end_date: Option<chrono::NaiveDateTime>,
    estimated_duration_weeks: Option<i32>,
    search_text: Option<String>,
    updated_at: Option<chrono::NaiveDateTime>,
}

fn check_dates(
    start: Option<chrono::NaiveDateTime>,
    end: Option<chrono::NaiveDateTime>,
) -> Result<(), Error> {
    if let Some(start) = start {
        mdsc_core::time::check_range("start_date", start)?;
    }
    if let Some(end) = end {
        mdsc_core::time::check_range("end_date", end)?;
    }
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        return Err(Error::invalid_field("end_date", "must be after start_date"));
    }
    Ok(())
}

/// The slug a title asks for: URL-safe, at most 200 characters. A slug of
/// digits only gets a `course-` prefix: `GET /api/courses/:idOrSlug` reads
/// digits as an id.
fn base_slug(title: &str) -> String {
    let mut base = slug::slugify(title);
    base.truncate(200);
    if base.is_empty() {
        "course".to_owned()
    } else if base.chars().all(|c| c.is_ascii_digit()) {
        format!("course-{base}")
    } else {
        base
    }
}

/// Whether `actor` may read the course (see [`ensure_visible`]).
fn visible_to(
    conn: &mut DbConnection,
    actor: &Principal,
    course: &CourseRow,
) -> Result<bool, Error> {
    match ensure_visible(conn, Some(actor), course) {
        Ok(()) => Ok(true),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// A free slug for a new course of `actor`: the title's slug, else `-2`,
/// `-3`… as long as every course holding the slugs before is one the
/// creator can see (the number then tells nothing they could not read).
/// At the first slug held by a course they cannot see (someone's draft),
/// a random suffix instead: `secret-2` would confirm a hidden `secret`.
fn unique_slug(conn: &mut DbConnection, actor: &Principal, title: &str) -> Result<String, Error> {
    let base = base_slug(title);
    let mut candidate = base.clone();
    let mut n = 2;
    loop {
        let holder: Option<CourseRow> = courses::table
            .filter(courses::slug.eq(&candidate))
            .select(CourseRow::as_select())
            .first(conn)
            .optional()?;
        let Some(holder) = holder else {
            return Ok(candidate);
        };
        if !visible_to(conn, actor, &holder)? {
            return Ok(format!("{base}-{}", mdsc_core::random::random_hex(4)?));
        }
        candidate = format!("{base}-{n}");
        n += 1;
    }
}

/// How many times a course insert retries when a concurrent insert took the
/// slug between the check and the insert. After the first lost race the
/// candidate gets a random suffix, so retries do not collide again.
const SLUG_ATTEMPTS: usize = 5;

fn slug_candidate(
    conn: &mut DbConnection,
    actor: &Principal,
    title: &str,
    attempt: usize,
) -> Result<String, Error> {
    let free = unique_slug(conn, actor, title)?;
    if attempt == 1 {
        return Ok(free);
    }
    Ok(format!("{free}-{}", mdsc_core::random::random_hex(3)?))
}

fn instructor_summary(conn: &mut DbConnection, user_id: i32) -> Result<UserSummary, Error> {
    Ok(users::table
        .find(user_id)
        .select(UserSummary::as_select())
        .first(conn)?)
}

pub fn to_course(conn: &mut DbConnection, row: CourseRow) -> Result<Course, Error> {
    let instructor = instructor_summary(conn, row.instructor_id)?;
    Ok(Course::from_row(row, instructor))
}

/// Instructors and admins create courses; the creator is the instructor.
pub fn create_course(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    input: CourseInput,
) -> Result<Course, Error> {
    if !actor.is_instructor_or_admin() {
        return Err(Error::forbidden("Only instructors can create courses"));
    }
    input.validate()?;
    let start = input.start_date.map(to_storage);
    let end = input.end_date.map(to_storage);
    check_dates(start, end)?;
    let folded = search_text(
        input.title.trim(),
        input.short_description.as_deref(),
        input.description.as_deref().unwrap_or_default(),
    );
    write_transaction(conn, |conn| {
        let now = clock.now();
        // The catalog finds a course by its instructor's name too; the
        // database keeps the copy when the name changes.
        let instructor_name: String = users::table
            .find(actor.user_id)
            .select(users::search_name)
            .first(conn)?;
        let mut attempt = 0;
        let id = loop {
            attempt += 1;
            let slug = slug_candidate(conn, actor, &input.title, attempt)?;
            // A savepoint, so a lost race on the slug leaves the transaction usable.
            let inserted = write_transaction(conn, |conn| {
                diesel::insert_into(courses::table)
                    .values((
                        courses::title.eq(input.title.trim()),
                        courses::slug.eq(&slug),
                        courses::description.eq(input.description.clone().unwrap_or_default()),
                        courses::short_description.eq(&input.short_description),
                        courses::thumbnail_url.eq(&input.thumbnail_url),
                        courses::category.eq(&input.category),
                        courses::level.eq(&input.level),
                        courses::language
                            .eq(input.language.clone().unwrap_or_else(|| "fr".to_owned())),
                        courses::instructor_id.eq(actor.user_id),
                        courses::is_published.eq(input.is_published.unwrap_or(true)),
                        courses::start_date.eq(start),
                        courses::end_date.eq(end),
                        courses::estimated_duration_weeks.eq(input.estimated_duration_weeks),
                        courses::created_at.eq(now),
                        courses::updated_at.eq(now),
                        courses::search_text.eq(&folded),
                        courses::search_instructor.eq(&instructor_name),
                    ))
                    .returning(courses::id)
                    .get_result::<i32>(conn)
                    .map_err(Error::from)
            });
            match inserted {
                Ok(id) => break id,
                Err(err) if err.code == "ALREADY_EXISTS" && attempt < SLUG_ATTEMPTS => continue,
                Err(err) => return Err(err),
            }
        };
        let row = courses::table
            .find(id)
            .select(CourseRow::as_select())
            .first::<CourseRow>(conn)?;
        to_course(conn, row)
    })
}

/// A course by id or slug. Unpublished courses exist only for their staff.
pub fn get_course(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    id_or_slug: &str,
) -> Result<Course, Error> {
    if id_or_slug.chars().any(char::is_control) {
        return Err(Error::not_found("Course"));
    }
    let row = match id_or_slug.parse::<i32>() {
        Ok(id) => courses::table
            .find(id)
            .select(CourseRow::as_select())
            .first(conn)
            .optional()?,
        Err(_) => courses::table
            .filter(courses::slug.eq(id_or_slug))
            .select(CourseRow::as_select())
            .first(conn)
            .optional()?,
    };
    let row = row.ok_or_else(|| Error::not_found("Course"))?;
    ensure_visible(conn, actor, &row)?;
    to_course(conn, row)
}

/// The course's instructor or an admin changes it.
pub fn update_course(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    input: CourseUpdate,
) -> Result<Course, Error> {
    input.validate()?;
    write_transaction(conn, |conn| {
        let course = require_course_staff(conn, actor, course_id)?;
        let start = input.start_date.map(to_storage);
        let end = input.end_date.map(to_storage);
        check_dates(start.or(course.start_date), end.or(course.end_date))?;
        let changes = CourseChanges {
            title: input.title.as_deref().map(|t| t.trim().to_owned()),
            description: input.description.clone(),
            short_description: input.short_description.clone(),
            thumbnail_url: input.thumbnail_url.clone(),
            category: input.category.clone(),
            level: input.level.clone(),
            language: input.language.clone(),
            is_published: input.is_published,
            start_date: start,
            end_date: end,
            estimated_duration_weeks: input.estimated_duration_weeks,
            search_text: (input.title.is_some()
                || input.short_description.is_some()
                || input.description.is_some())
            .then(|| {
                search_text(
                    input.title.as_deref().unwrap_or(&course.title).trim(),
                    input
                        .short_description
                        .as_deref()
                        .or(course.short_description.as_deref()),
                    input.description.as_deref().unwrap_or(&course.description),
                )
            }),
            updated_at: Some(clock.now()),
        };
        diesel::update(courses::table.find(course_id))
            .set(changes)
            .execute(conn)?;
        let row = courses::table
            .find(course_id)
            .select(CourseRow::as_select())
            .first::<CourseRow>(conn)?;
        to_course(conn, row)
    })
}

/// Deletes a course nobody is enrolled in; with enrollments, unpublish it instead (409).
pub fn delete_course(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        require_course_staff(conn, actor, course_id)?;
        // Lock the course: an enrollment arriving now waits, then finds it gone.
        mdsc_core::lock_row!(conn, courses, course_id)?;
        // Cancelled enrollments go with the course; current ones forbid deleting it.
        let enrolled: i64 = enrollments::table
            .filter(enrollments::course_id.eq(course_id))
            .filter(crate::access::is_current_enrollment())
            .count()
            .get_result(conn)?;
        if enrolled > 0 {
            return Err(Error::conflict(
                "COURSE_HAS_ENROLLMENTS",
                "Students are enrolled in this course: unpublish it instead of deleting it",
            ));
        }
        diesel::delete(courses::table.find(course_id)).execute(conn)?;
        Ok(())
    })
}
