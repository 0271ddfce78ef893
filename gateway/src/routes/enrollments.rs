//! /api/enrollments: enrolling, progress, certificates.

use actix_web::web::{Data, Path, Query};
use actix_web::{delete, get, post};
use mdsc_core::{Page, PageParams};
use mdsc_course::enrollment::{self, EnrollInput};
use mdsc_course::progress;
use mdsc_course::quiz::QuizSubmitInput;
use mdsc_course::{Enrollment, EnrollmentProgress, QuizSubmission};
use mdsc_schedule::enroll::{EnrollmentWithSchedule, enroll_with_schedule};
use mdsc_schedule::hooks;

use crate::envelope::{Envelope, created, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::json_input::Json;
use crate::state::AppState;

/// Enroll the signed-in user in a course; the study schedule is generated
/// right after unless `auto_generate_schedule` is `false`
/// (`schedule_generated` says whether it was).
#[utoipa::path(operation_id = "enrollInCourse", tag = "enrollments", security(("bearer" = [])), request_body = EnrollInput, responses(
    (status = 201, body = Envelope<EnrollmentWithSchedule>),
    (status = 404, description = "NOT_FOUND: no such course, or not published", body = ErrorBody),
    (status = 409, description = "ALREADY_ENROLLED or OWN_COURSE", body = ErrorBody)))]
#[post("/enrollments")]
pub async fn enroll(state: Data<AppState>, auth: Auth, body: Json<EnrollInput>) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            enroll_with_schedule(conn, actor, st.clock(), &st.config.schedule, input)
        })
        .await?;
    Ok(created(data))
}

/// The signed-in user's enrollments, newest first.
#[utoipa::path(operation_id = "listMyEnrollments", tag = "enrollments", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Envelope<Page<Enrollment>>)))]
#[get("/enrollments")]
pub async fn list_mine(state: Data<AppState>, auth: Auth, page: Query<PageParams>) -> ApiResult {
    let page = page.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            enrollment::list_my_enrollments(conn, actor, page)
        })
        .await?;
    Ok(ok(data))
}

/// One enrollment: its student or the course's staff; 404 for anyone else.
#[utoipa::path(operation_id = "getEnrollment", tag = "enrollments", security(("bearer" = [])), params(("id" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<Enrollment>)))]
#[get("/enrollments/{id}")]
pub async fn get(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            enrollment::get_enrollment(conn, actor, id)
        })
        .await?;
    Ok(ok(data))
}

/// The student leaves the course (status `cancelled`); they may enroll again.
#[utoipa::path(operation_id = "cancelEnrollment", tag = "enrollments", security(("bearer" = [])), params(("id" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<Enrollment>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/enrollments/{id}")]
pub async fn cancel(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            enrollment::cancel_enrollment(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(ok(data))
}

/// Completed lessons and passed quizzes.
#[utoipa::path(operation_id = "getEnrollmentProgress", tag = "enrollments", security(("bearer" = [])), params(("id" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<EnrollmentProgress>)))]
#[get("/enrollments/{id}/progress")]
pub async fn get_progress(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            progress::get_progress(conn, actor, id)
        })
        .await?;
    Ok(ok(data))
}

/// Mark a lesson done (the enrolled student; idempotent).
#[utoipa::path(operation_id = "completeLesson", tag = "enrollments", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Enrollment id"), ("lessonId" = i32, Path, description = "Lesson id")),
    responses((status = 200, body = Envelope<Enrollment>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/enrollments/{id}/lessons/{lessonId}/complete")]
pub async fn complete_lesson(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
) -> ApiResult {
    let (id, lesson_id) = path.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::complete_lesson(conn, actor, st.clock(), id, lesson_id)
        })
        .await?;
    Ok(ok(data))
}

/// Submit answers to a quiz, graded on the server: the attempt in
/// progress, or a new one made and submitted at once. A `score` sent by
/// the client is refused (`403 SCORE_NOT_ACCEPTED`): quizzes with
/// questions are graded from the answers, the others by course staff.
#[utoipa::path(operation_id = "submitQuizResult", tag = "enrollments", security(("bearer" = [])), request_body = QuizSubmitInput,
    params(("id" = i32, Path, description = "Enrollment id"), ("quizId" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<QuizSubmission>),
        (status = 403, description = "SCORE_NOT_ACCEPTED: scores come from the server or course staff", body = ErrorBody),
        (status = 409, description = "ATTEMPTS_EXHAUSTED, QUIZ_HAS_NO_QUESTIONS or ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[post("/enrollments/{id}/quizzes/{quizId}/submit")]
pub async fn submit_quiz(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Json<QuizSubmitInput>,
) -> ApiResult {
    let ((id, quiz_id), input) = (path.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::submit_quiz(conn, actor, st.clock(), id, quiz_id, input)
        })
        .await?;
    Ok(ok(data))
}
