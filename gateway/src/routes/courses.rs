//! /api/courses: the catalogue and course editing.

use actix_web::web::{Data, Path, Query};
use actix_web::{delete, get, post, put};
use mdsc_core::Page;
use mdsc_course::course::{self, CourseInput, CourseListQuery, CourseUpdate};
use mdsc_course::{Course, CourseStructure, structure};
use mdsc_schedule::hooks;

use crate::envelope::{Envelope, created, deleted, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, MaybeAuth};
use crate::json_input::Json;
use crate::routes::Deleted;
use crate::state::AppState;

/// Courses, newest first: published ones, plus an instructor's own drafts.
#[utoipa::path(operation_id = "listCourses", tag = "courses", security((), ("bearer" = [])), params(CourseListQuery), responses((status = 200, body = Envelope<Page<Course>>)))]
#[get("/courses")]
pub async fn list(
    state: Data<AppState>,
    auth: MaybeAuth,
    query: Query<CourseListQuery>,
) -> ApiResult {
    let query = query.into_inner();
    let data = state
        .db_maybe(auth, move |conn, _, actor| {
            course::list_courses(conn, actor, query)
        })
        .await?;
    Ok(ok(data))
}

/// Create a course (instructors and admins); the slug comes from the title.
#[utoipa::path(operation_id = "createCourse", tag = "courses", security(("bearer" = [])), request_body = CourseInput, responses(
    (status = 201, body = Envelope<Course>),
    (status = 403, body = ErrorBody)))]
#[post("/courses")]
pub async fn create(state: Data<AppState>, auth: Auth, body: Json<CourseInput>) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            course::create_course(conn, actor, st.clock(), input)
        })
        .await?;
    Ok(created(data))
}

/// One course, by numeric id or by slug.
#[utoipa::path(operation_id = "getCourse", tag = "courses", security((), ("bearer" = [])), params(("id" = String, Path, description = "Course id, or its slug")),
    responses((status = 200, body = Envelope<Course>)))]
#[get("/courses/{id}")]
pub async fn get(state: Data<AppState>, auth: MaybeAuth, id_or_slug: Path<String>) -> ApiResult {
    let key = id_or_slug.into_inner();
    let data = state
        .db_maybe(auth, move |conn, _, actor| {
            course::get_course(conn, actor, &key)
        })
        .await?;
    Ok(ok(data))
}

/// Change a course (its instructor or an admin); only the fields sent change.
#[utoipa::path(operation_id = "updateCourse", tag = "courses", security(("bearer" = [])), request_body = CourseUpdate,
    params(("id" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<Course>), (status = 403, body = ErrorBody)))]
#[put("/courses/{id}")]
pub async fn update(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<CourseUpdate>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::update_course(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Delete a course nobody is enrolled in (409 COURSE_HAS_ENROLLMENTS otherwise).
#[utoipa::path(operation_id = "deleteCourse", tag = "courses", security(("bearer" = [])), params(("id" = i32, Path, description = "Course id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/courses/{id}")]
pub async fn remove(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    state
        .db_as(auth, move |conn, _, actor| {
            course::delete_course(conn, actor, id)
        })
        .await?;
    Ok(deleted())
}

/// Modules with their ordered lessons and quizzes. Lesson content and
/// videos only for enrolled students and staff.
#[utoipa::path(operation_id = "getCourseStructure", tag = "courses", security((), ("bearer" = [])), params(("id" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<CourseStructure>)))]
#[get("/courses/{id}/structure")]
pub async fn get_structure(state: Data<AppState>, auth: MaybeAuth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_maybe(auth, move |conn, _, actor| {
            structure::get_structure(conn, actor, id)
        })
        .await?;
    Ok(ok(data))
}
