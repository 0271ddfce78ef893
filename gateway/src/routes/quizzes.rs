//! Quizzes graded on the server: questions (course staff), attempts
//! (enrolled students), staff grades, attempts and statistics for staff.

use actix_web::web::{Data, Path, Query};
use actix_web::{delete, get, post, put};
use mdsc_core::{Page, PageParams};
use mdsc_course::QuizSubmission;
use mdsc_course::quiz::model::{
    AttemptDetail, Question, QuizAttempt, QuizStatistics, StudentAttempt,
};
use mdsc_course::quiz::{
    self, AttemptAnswersInput, AttemptFilter, GradeInput, QuestionInput, QuestionOrderInput,
};
use mdsc_schedule::hooks;

use super::Deleted;
use crate::envelope::{Envelope, created, deleted, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::json_input::Json;
use crate::state::AppState;

/// A quiz's questions with their answer key (course staff).
#[utoipa::path(operation_id = "listQuizQuestions", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<Vec<Question>>), (status = 403, body = ErrorBody)))]
#[get("/quizzes/{id}/questions")]
pub async fn list_questions(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            quiz::list_questions(conn, actor, id)
        })
        .await?;
    Ok(ok(data))
}

/// Add a question: `single_choice`, `multiple_choice` (2–10 `choices`),
/// `true_false` (`correct_answer`) or `short_answer` (`accepted_answers`).
#[utoipa::path(operation_id = "createQuizQuestion", tag = "quizzes", security(("bearer" = [])), request_body = QuestionInput,
    params(("id" = i32, Path, description = "Quiz id")),
    responses((status = 201, body = Envelope<Question>), (status = 403, body = ErrorBody),
        (status = 409, description = "TOO_MANY_QUESTIONS: a quiz holds at most 200", body = ErrorBody)))]
#[post("/quizzes/{id}/questions")]
pub async fn create_question(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<QuestionInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            quiz::create_question(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(created(data))
}

/// Put every question of the quiz in the given order.
#[utoipa::path(operation_id = "reorderQuizQuestions", tag = "quizzes", security(("bearer" = [])), request_body = QuestionOrderInput,
    params(("id" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<Vec<Question>>), (status = 403, body = ErrorBody)))]
#[put("/quizzes/{id}/questions/order")]
pub async fn reorder_questions(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<QuestionOrderInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            quiz::reorder_questions(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Replace a question (the whole question, as when it was created).
#[utoipa::path(operation_id = "updateQuizQuestion", tag = "quizzes", security(("bearer" = [])), request_body = QuestionInput,
    params(("id" = i32, Path, description = "Question id")),
    responses((status = 200, body = Envelope<Question>), (status = 403, body = ErrorBody)))]
#[put("/quiz-questions/{id}")]
pub async fn update_question(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<QuestionInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            quiz::update_question(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

#[utoipa::path(operation_id = "deleteQuizQuestion", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Question id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/quiz-questions/{id}")]
pub async fn delete_question(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    state
        .db_as(auth, move |conn, _, actor| {
            quiz::delete_question(conn, actor, id)
        })
        .await?;
    Ok(deleted())
}

/// Every student's attempts at the quiz, newest first (course staff).
#[utoipa::path(operation_id = "listQuizAttempts", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Quiz id"), AttemptFilter, PageParams),
    responses((status = 200, body = Envelope<Page<StudentAttempt>>), (status = 403, body = ErrorBody)))]
#[get("/quizzes/{id}/attempts")]
pub async fn list_quiz_attempts(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    filter: Query<AttemptFilter>,
    page: Query<PageParams>,
) -> ApiResult {
    let (id, filter, page) = (id.into_inner(), filter.into_inner(), page.into_inner());
    let data = state
        .db_as(auth, move |conn, _, actor| {
            quiz::list_quiz_attempts(conn, actor, id, filter, page)
        })
        .await?;
    Ok(ok(data))
}

/// How each question fared: graded answers and right ones (course staff).
#[utoipa::path(operation_id = "getQuizStatistics", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<QuizStatistics>), (status = 403, body = ErrorBody)))]
#[get("/quizzes/{id}/statistics")]
pub async fn statistics(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            quiz::quiz_statistics(conn, actor, id)
        })
        .await?;
    Ok(ok(data))
}

/// Start an attempt, or resume the one in progress: the questions in this
/// attempt's order, without the answer key.
#[utoipa::path(operation_id = "startQuizAttempt", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Enrollment id"), ("quizId" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<AttemptDetail>), (status = 403, body = ErrorBody),
        (status = 409, description = "ATTEMPTS_EXHAUSTED, QUIZ_HAS_NO_QUESTIONS or ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[post("/enrollments/{id}/quizzes/{quizId}/attempts")]
pub async fn start_attempt(state: Data<AppState>, auth: Auth, path: Path<(i32, i32)>) -> ApiResult {
    let (id, quiz_id) = path.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::start_attempt(conn, actor, st.clock(), id, quiz_id)
        })
        .await?;
    Ok(ok(data))
}

/// One enrollment's attempts at a quiz, newest first (the student or
/// course staff).
#[utoipa::path(operation_id = "listEnrollmentQuizAttempts", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Enrollment id"), ("quizId" = i32, Path, description = "Quiz id"), PageParams),
    responses((status = 200, body = Envelope<Page<QuizAttempt>>)))]
#[get("/enrollments/{id}/quizzes/{quizId}/attempts")]
pub async fn list_enrollment_attempts(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    page: Query<PageParams>,
) -> ApiResult {
    let ((id, quiz_id), page) = (path.into_inner(), page.into_inner());
    let data = state
        .db_as(auth, move |conn, _, actor| {
            quiz::list_enrollment_attempts(conn, actor, id, quiz_id, page)
        })
        .await?;
    Ok(ok(data))
}

/// Course staff record a student's grade for a quiz without questions
/// (graded elsewhere); grading again replaces the staff grade.
#[utoipa::path(operation_id = "gradeQuiz", tag = "quizzes", security(("bearer" = [])), request_body = GradeInput,
    params(("id" = i32, Path, description = "Enrollment id"), ("quizId" = i32, Path, description = "Quiz id")),
    responses((status = 200, body = Envelope<QuizSubmission>), (status = 403, body = ErrorBody),
        (status = 409, description = "QUIZ_GRADED_ON_SERVER (the quiz has questions) or ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[put("/enrollments/{id}/quizzes/{quizId}/grade")]
pub async fn grade(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Json<GradeInput>,
) -> ApiResult {
    let ((id, quiz_id), input) = (path.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::grade_quiz(conn, actor, st.clock(), id, quiz_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// An attempt with its questions: its student sees the answer key as the
/// quiz's `reveal_answers` allows, course staff always.
#[utoipa::path(operation_id = "getQuizAttempt", tag = "quizzes", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Attempt id")),
    responses((status = 200, body = Envelope<AttemptDetail>)))]
#[get("/quiz-attempts/{id}")]
pub async fn get_attempt(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            quiz::get_attempt(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(ok(data))
}

/// Save answers of an attempt in progress (some or all questions). Past
/// the time limit and its grace the attempt is graded with what was saved
/// before, and returned graded.
#[utoipa::path(operation_id = "saveQuizAttemptAnswers", tag = "quizzes", security(("bearer" = [])), request_body = AttemptAnswersInput,
    params(("id" = i32, Path, description = "Attempt id")),
    responses((status = 200, body = Envelope<AttemptDetail>), (status = 403, body = ErrorBody),
        (status = 409, description = "ATTEMPT_ALREADY_GRADED or ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[put("/quiz-attempts/{id}/answers")]
pub async fn save_answers(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<AttemptAnswersInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::save_attempt_answers(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Submit an attempt (with its last answers): graded on the server.
#[utoipa::path(operation_id = "submitQuizAttempt", tag = "quizzes", security(("bearer" = [])), request_body = AttemptAnswersInput,
    params(("id" = i32, Path, description = "Attempt id")),
    responses((status = 200, body = Envelope<QuizSubmission>), (status = 403, body = ErrorBody),
        (status = 409, description = "ATTEMPT_ALREADY_GRADED or ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[post("/quiz-attempts/{id}/submit")]
pub async fn submit_attempt(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<AttemptAnswersInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::submit_attempt(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}
