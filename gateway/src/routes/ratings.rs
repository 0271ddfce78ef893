//! Course ratings (seed §3.2.3) and the rating step of the certificate flow.

use actix_web::web::{Data, Path, Query};
use actix_web::{delete, get, post, put};
use mdsc_core::Page;
use mdsc_rating::helpful;
use mdsc_rating::prompt;
use mdsc_rating::response::{self, ResponseInput};
use mdsc_rating::service::{
    self, CreateRatingInput, ModerateInput, RatingListQuery, UpdateRatingInput,
};
use mdsc_rating::{CanRate, CourseRating, CourseRatingStats, stats};

use crate::envelope::{Envelope, created, deleted, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, MaybeAuth};
use crate::json_input::Json;
use crate::routes::Deleted;
use crate::state::AppState;

/// Rate a completed course (once per course).
#[utoipa::path(operation_id = "createCourseRating", tag = "ratings", security(("bearer" = [])), request_body = CreateRatingInput,
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 201, body = Envelope<CourseRating>), (status = 403, description = "COURSE_NOT_COMPLETED", body = ErrorBody), (status = 409, description = "ALREADY_RATED", body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/courses/{courseId}/ratings")]
pub async fn create(
    state: Data<AppState>,
    auth: Auth,
    course_id: Path<i32>,
    body: Json<CreateRatingInput>,
) -> ApiResult {
    let (course_id, input) = (course_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            service::create_rating(conn, actor, st.clock(), &st.config.rating, course_id, input)
        })
        .await?;
    Ok(created(data))
}

/// Approved ratings (and the caller's own), paginated; `sort=recent|helpful|rating`.
#[utoipa::path(operation_id = "listCourseRatings", tag = "ratings", security((), ("bearer" = [])), params(("courseId" = i32, Path, description = "Course id"), RatingListQuery),
    responses((status = 200, body = Envelope<Page<CourseRating>>)))]
#[get("/courses/{courseId}/ratings")]
pub async fn list(
    state: Data<AppState>,
    auth: MaybeAuth,
    course_id: Path<i32>,
    query: Query<RatingListQuery>,
) -> ApiResult {
    let (course_id, query) = (course_id.into_inner(), query.into_inner());
    let data = state
        .db_maybe(auth, move |conn, _, actor| {
            service::list_ratings(conn, actor, course_id, query)
        })
        .await?;
    Ok(ok(data))
}

/// Average, count, distribution and recommendation rate of approved ratings.
#[utoipa::path(operation_id = "getCourseRatingStats", tag = "ratings", security((), ("bearer" = [])), params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<CourseRatingStats>)))]
#[get("/courses/{courseId}/ratings/stats")]
pub async fn get_stats(state: Data<AppState>, auth: MaybeAuth, course_id: Path<i32>) -> ApiResult {
    let course_id = course_id.into_inner();
    let data = state
        .db_maybe(auth, move |conn, _, actor| {
            stats::get_stats(conn, actor, course_id)
        })
        .await?;
    Ok(ok(data))
}

#[utoipa::path(operation_id = "getCourseRating", tag = "ratings", security((), ("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>)))]
#[get("/courses/{courseId}/ratings/{ratingId}")]
pub async fn get(state: Data<AppState>, auth: MaybeAuth, path: Path<(i32, i32)>) -> ApiResult {
    let (course_id, rating_id) = path.into_inner();
    let data = state
        .db_maybe(auth, move |conn, _, actor| {
            service::get_rating(conn, actor, course_id, rating_id)
        })
        .await?;
    Ok(ok(data))
}

/// The author edits their rating.
#[utoipa::path(operation_id = "updateCourseRating", tag = "ratings", security(("bearer" = [])), request_body = UpdateRatingInput,
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>), (status = 403, body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[put("/courses/{courseId}/ratings/{ratingId}")]
pub async fn update(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Json<UpdateRatingInput>,
) -> ApiResult {
    let ((course_id, rating_id), input) = (path.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            service::update_rating(
                conn,
                actor,
                st.clock(),
                &st.config.rating,
                course_id,
                rating_id,
                input,
            )
        })
        .await?;
    Ok(ok(data))
}

/// The author (or an admin) deletes a rating.
#[utoipa::path(operation_id = "deleteCourseRating", tag = "ratings", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/courses/{courseId}/ratings/{ratingId}")]
pub async fn remove(state: Data<AppState>, auth: Auth, path: Path<(i32, i32)>) -> ApiResult {
    let (course_id, rating_id) = path.into_inner();
    state
        .db_as(auth, move |conn, _, actor| {
            service::delete_rating(conn, actor, course_id, rating_id)
        })
        .await?;
    Ok(deleted())
}

/// Course staff approve or reject a rating.
#[utoipa::path(operation_id = "moderateCourseRating", tag = "ratings", security(("bearer" = [])), request_body = ModerateInput,
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>), (status = 403, body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/courses/{courseId}/ratings/{ratingId}/moderate")]
pub async fn moderate(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Json<ModerateInput>,
) -> ApiResult {
    let ((course_id, rating_id), input) = (path.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            service::moderate_rating(conn, actor, st.clock(), course_id, rating_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Mark a rating helpful (once; not one's own).
#[utoipa::path(operation_id = "markRatingHelpful", tag = "ratings", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>),
        (status = 409, description = "ALREADY_VOTED", body = ErrorBody), (status = 422, description = "OWN_RATING", body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/courses/{courseId}/ratings/{ratingId}/helpful")]
pub async fn mark_helpful(state: Data<AppState>, auth: Auth, path: Path<(i32, i32)>) -> ApiResult {
    let (course_id, rating_id) = path.into_inner();
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            helpful::mark_helpful(
                conn,
                actor,
                st.clock(),
                &st.config.rating,
                course_id,
                rating_id,
            )
        })
        .await?;
    Ok(ok(data))
}

/// Take a helpful vote back.
#[utoipa::path(operation_id = "unmarkRatingHelpful", tag = "ratings", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>)))]
#[delete("/courses/{courseId}/ratings/{ratingId}/helpful")]
pub async fn unmark_helpful(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
) -> ApiResult {
    let (course_id, rating_id) = path.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            helpful::unmark_helpful(conn, actor, course_id, rating_id)
        })
        .await?;
    Ok(ok(data))
}

/// Course staff publish (or replace) their public response to a rating.
#[utoipa::path(operation_id = "setRatingResponse", tag = "ratings", security(("bearer" = [])), request_body = ResponseInput,
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>), (status = 403, body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[put("/courses/{courseId}/ratings/{ratingId}/response")]
pub async fn set_response(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Json<ResponseInput>,
) -> ApiResult {
    let ((course_id, rating_id), input) = (path.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            response::set_response(conn, actor, st.clock(), course_id, rating_id, Some(input))
        })
        .await?;
    Ok(ok(data))
}

/// Remove the response.
#[utoipa::path(operation_id = "deleteRatingResponse", tag = "ratings", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), ("ratingId" = i32, Path, description = "Rating id")),
    responses((status = 200, body = Envelope<CourseRating>), (status = 403, body = ErrorBody)))]
#[delete("/courses/{courseId}/ratings/{ratingId}/response")]
pub async fn remove_response(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
) -> ApiResult {
    let (course_id, rating_id) = path.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            response::set_response(conn, actor, st.clock(), course_id, rating_id, None)
        })
        .await?;
    Ok(ok(data))
}

/// May the student rate the course of this enrollment?
#[utoipa::path(operation_id = "getRatingEligibility", tag = "ratings", security(("bearer" = [])), params(("enrollmentId" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<CanRate>), (status = 403, description = "course staff", body = ErrorBody)))]
#[get("/enrollments/{enrollmentId}/can-rate")]
pub async fn can_rate(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            prompt::can_rate(conn, actor, id)
        })
        .await?;
    Ok(ok(data))
}

/// "Plus tard": put the rating prompt off (`RATING_PROMPT_DELAY_HOURS`).
/// Answers the updated certificate status.
#[utoipa::path(operation_id = "dismissRatingPrompt", tag = "ratings", security(("bearer" = [])), params(("enrollmentId" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<mdsc_course::CertificateStatus>), (status = 403, body = ErrorBody)))]
#[post("/enrollments/{enrollmentId}/rating-prompt/dismiss")]
pub async fn dismiss_prompt(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            prompt::dismiss_prompt(conn, actor, st.clock(), &st.config.rating, id)
        })
        .await?;
    Ok(ok(data))
}
