//! The one forum of a course: read (created on first use), created with a
//! title and description by staff, edited and locked by staff.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_forums, courses};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::{find_course, require_course_member, require_course_staff};
use serde::Deserialize;
use validator::Validate;

use crate::access::{find_forum, forum_of_course};
use crate::model::{CourseForum, ForumRow};
use crate::render::render_forum;
use crate::text::validate_title;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateForumInput {
    /// 1 to 255 characters.
    #[validate(length(min = 1, max = 255), custom(function = validate_title))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: String,
    /// Markdown, up to 5000 characters.
    #[validate(length(max = 5000), custom(function = crate::text::validate_markdown))]
    #[schema(
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateForumInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_title))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(max = 5000), custom(function = crate::text::validate_markdown))]
    #[schema(
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub description: Option<String>,
    /// A locked forum is read-only for students.
    pub is_locked: Option<bool>,
}

fn forum_exists() -> Error {
    Error::conflict("FORUM_EXISTS", "This course already has its forum")
}

/// Inserts the course's forum unless it exists; the course row is locked
/// first so that two first visits do not both insert.
fn insert_forum(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    course_id: i32,
    title: &str,
    description: Option<&str>,
) -> Result<Option<ForumRow>, Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        mdsc_core::lock_row!(conn, courses, course_id)?;
        if forum_of_course(conn, course_id)?.is_some() {
            return Ok(None);
        }
        let now = clock.now();
        let id: i32 = diesel::insert_into(course_forums::table)
            .values((
                course_forums::course_id.eq(course_id),
                course_forums::title.eq(title),
                course_forums::description.eq(description),
                course_forums::is_locked.eq(false),
                course_forums::created_at.eq(now),
                course_forums::updated_at.eq(now),
            ))
            .returning(course_forums::id)
            .get_result(conn)?;
        Ok(Some(find_forum(conn, id)?))
    })
}

/// The course's forum, created on first use with the course's title.
pub(crate) fn ensure_forum(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    course_id: i32,
) -> Result<ForumRow, Error> {
    if let Some(forum) = forum_of_course(conn, course_id)? {
        return Ok(forum);
    }
    let course = find_course(conn, course_id)?;
    match insert_forum(conn, clock, course_id, &course.title, None)? {
        Some(forum) => Ok(forum),
        // Created by a concurrent first visit meanwhile.
        None => forum_of_course(conn, course_id)?.ok_or_else(|| Error::not_found("Forum")),
    }
}

/// `GET /api/courses/:courseId/forum`: enrolled students and staff.
pub fn get_course_forum(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
) -> Result<CourseForum, Error> {
    require_course_member(conn, actor, course_id)?;
    let forum = ensure_forum(conn, clock, course_id)?;
    render_forum(conn, forum)
}

/// `POST /api/courses/:courseId/forum`: staff create the forum with their
/// own title and description, before anyone opened it.
pub fn create_forum(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    input: CreateForumInput,
) -> Result<CourseForum, Error> {
    require_course_staff(conn, actor, course_id)?;
    input.validate()?;
    let forum = insert_forum(
        conn,
        clock,
        course_id,
        &input.title,
        input.description.as_deref(),
    )?
    .ok_or_else(forum_exists)?;
    render_forum(conn, forum)
}

/// `PUT /api/courses/:courseId/forum`: staff change the title, the
/// description, or lock and unlock the forum.
pub fn update_forum(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    input: UpdateForumInput,
) -> Result<CourseForum, Error> {
    require_course_staff(conn, actor, course_id)?;
    input.validate()?;
    let forum = ensure_forum(conn, clock, course_id)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        diesel::update(course_forums::table.find(forum.id))
            .set((
                input.title.as_ref().map(|t| course_forums::title.eq(t)),
                input
                    .description
                    .as_ref()
                    .map(|d| course_forums::description.eq(d)),
                input.is_locked.map(|l| course_forums::is_locked.eq(l)),
                course_forums::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        find_forum(conn, forum.id)
    })?;
    render_forum(conn, row)
}
