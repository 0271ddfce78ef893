//! Modules, lessons and quizzes (course staff only).

use actix_web::web::{Data, Path};
use actix_web::{delete, post, put};
use mdsc_course::structure::{self, LessonInput, ModuleInput, QuizInput};
use mdsc_course::{Lesson, Module, Quiz};
use mdsc_schedule::hooks;

use crate::envelope::{Envelope, created, deleted, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::json_input::Json;
use crate::routes::Deleted;
use crate::state::AppState;

/// Add a module to a course; `position` defaults to after the last one.
#[utoipa::path(operation_id = "createModule", tag = "structure", security(("bearer" = [])), request_body = ModuleInput,
    params(("id" = i32, Path, description = "Course id")),
    responses((status = 201, body = Envelope<Module>), (status = 403, body = ErrorBody)))]
#[post("/courses/{id}/modules")]
pub async fn create_module(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<ModuleInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            structure::create_module(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(created(data))
}

#[utoipa::path(operation_id = "updateModule", tag = "structure", security(("bearer" = [])), request_body = ModuleInput,
    params(("id" = i32, Path, description = "Module id")),
    responses((status = 200, body = Envelope<Module>), (status = 403, body = ErrorBody)))]
#[put("/modules/{id}")]
pub async fn update_module(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<ModuleInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            structure::update_module(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Delete a module with its lessons and quizzes.
#[utoipa::path(operation_id = "deleteModule", tag = "structure", security(("bearer" = [])), params(("id" = i32, Path, description = "Module id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/modules/{id}")]
pub async fn delete_module(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    state
        .db_as(auth, move |conn, st, actor| {
            hooks::delete_module(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(deleted())
}

#[utoipa::path(operation_id = "createLesson", tag = "structure", security(("bearer" = [])), request_body = LessonInput,
    params(("id" = i32, Path, description = "Module id")),
    responses((status = 201, body = Envelope<Lesson>), (status = 403, body = ErrorBody)))]
#[post("/modules/{id}/lessons")]
pub async fn create_lesson(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<LessonInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::create_lesson(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(created(data))
}

#[utoipa::path(operation_id = "updateLesson", tag = "structure", security(("bearer" = [])), request_body = LessonInput,
    params(("id" = i32, Path, description = "Lesson id")),
    responses((status = 200, body = Envelope<Lesson>), (status = 403, body = ErrorBody)))]
#[put("/lessons/{id}")]
pub async fn update_lesson(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<LessonInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::update_lesson(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

#[utoipa::path(operation_id = "deleteLesson", tag = "structure", security(("bearer" = [])), params(("id" = i32, Path, description = "Lesson id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/lessons/{id}")]
pub async fn delete_lesson(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    state
        .db_as(auth, move |conn, st, actor| {
            hooks::delete_lesson(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(deleted())
}

/// Add a quiz to a module: `due_date` (fixed) or `due_offset_days` (after enrollment).
#[utoipa::path(operation_id = "createQuiz", tag = "structure", security(("bearer" = [])), request_body = QuizInput,
    params(("id" = i32, Path, description = "Module id")),
    responses((status = 201, body = Envelope<Quiz>), (status = 403, body = ErrorBody)))]
#[post("/modules/{id}/quizzes")]
pub async fn create_quiz(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<QuizInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::create_quiz(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(created(data))
}

#[utoipa::path(operation_id = "updateQuiz", tag = "structure", security(("bearer" = [])), request_body = QuizInput,
    params(("id" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<Quiz>), (status = 403, body = ErrorBody)))]
#[put("/quizzes/{id}")]
pub async fn update_quiz(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<QuizInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::update_quiz(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

#[utoipa::path(operation_id = "deleteQuiz", tag = "structure", security(("bearer" = [])), params(("id" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/quizzes/{id}")]
pub async fn delete_quiz(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    state
        .db_as(auth, move |conn, st, actor| {
            hooks::delete_quiz(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(deleted())
}
