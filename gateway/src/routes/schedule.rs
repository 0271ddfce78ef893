//! Study schedules and calendars (seed §2.2.2): generation, reading and
//! changing a schedule, the `.ics` file, the subscription feed and the
//! in-app calendar.

use actix_web::http::header;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, post, put};
use mdsc_schedule::events::{self, EventsQuery};
use mdsc_schedule::feed::{self, FileAccess, SyncCalendarInput};
use mdsc_schedule::ical;
use mdsc_schedule::service::{self, PreferencesInput};
use mdsc_schedule::update::{self, UpdateScheduleInput};
use mdsc_schedule::{CalendarEvent, CalendarSync, CourseSchedule, FeedToken};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::envelope::{Envelope, created, ok};
use crate::error::{ApiResult, ErrorBody, optional_json};
use crate::extract::{Auth, MaybeAuth};
use crate::json_input::Json;
use crate::page_headers::array_page;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(generate)
        .service(get_schedule)
        .service(update_schedule)
        .service(download)
        .service(sync_calendar)
        .service(feed_urls)
        .service(rotate_feed_token)
        .service(subscription_feed)
        .service(list_events);
}

/// Generate (or re-plan) the enrollment's study schedule; the body
/// (preferences) is optional. 201 when created, 200 when re-planned.
#[utoipa::path(operation_id = "generateStudySchedule", tag = "schedules", security(("bearer" = [])), request_body(content = Option<PreferencesInput>),
    params(("enrollmentId" = i32, Path, description = "Enrollment id")),
    responses((status = 201, body = Envelope<CourseSchedule>), (status = 200, body = Envelope<CourseSchedule>), (status = 403, description = "FORBIDDEN: not the enrolled student", body = ErrorBody),
        (status = 409, description = "ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[post("/enrollments/{enrollmentId}/generate-schedule")]
pub async fn generate(
    state: Data<AppState>,
    auth: Auth,
    enrollment_id: Path<i32>,
    body: Bytes,
) -> ApiResult {
    let enrollment_id = enrollment_id.into_inner();
    let input: PreferencesInput = optional_json(&body)?.unwrap_or_default();
    let generated = state
        .db_as(auth, move |conn, st, actor| {
            service::generate_schedule(
                conn,
                actor,
                st.clock(),
                &st.config.schedule,
                enrollment_id,
                input,
            )
        })
        .await?;
    Ok(if generated.created {
        created(generated.schedule)
    } else {
        ok(generated.schedule)
    })
}

/// The enrollment's schedule: its student and the course's staff.
#[utoipa::path(operation_id = "getStudySchedule", tag = "schedules", security(("bearer" = [])),
    params(("enrollmentId" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<CourseSchedule>),
        (status = 404, description = "Not found, or SCHEDULE_NOT_FOUND before generation", body = ErrorBody)))]
#[get("/enrollments/{enrollmentId}/schedule")]
pub async fn get_schedule(
    state: Data<AppState>,
    auth: Auth,
    enrollment_id: Path<i32>,
) -> ApiResult {
    let enrollment_id = enrollment_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            service::get_schedule(conn, actor, st.clock(), &st.config.schedule, enrollment_id)
        })
        .await?;
    Ok(ok(data))
}

/// The student moves items, marks them done or skipped, adds their own or
/// changes preferences; the rest is re-planned.
#[utoipa::path(operation_id = "updateStudySchedule", tag = "schedules", security(("bearer" = [])), request_body = UpdateScheduleInput,
    params(("enrollmentId" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<CourseSchedule>),
        (status = 403, body = ErrorBody),
        (status = 409, description = "ENROLLMENT_CANCELLED", body = ErrorBody)))]
#[put("/enrollments/{enrollmentId}/schedule")]
pub async fn update_schedule(
    state: Data<AppState>,
    auth: Auth,
    enrollment_id: Path<i32>,
    body: Json<UpdateScheduleInput>,
) -> ApiResult {
    let (enrollment_id, input) = (enrollment_id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            update::update_schedule(
                conn,
                actor,
                st.clock(),
                &st.config.schedule,
                enrollment_id,
                input,
            )
        })
        .await?;
    Ok(ok(data))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The student's feed secret, so a plain link (no `Authorization`
    /// header) downloads the file.
    pub token: Option<String>,
}

/// The schedule as an iCalendar file (`text/calendar`), for the student and
/// the course's staff, or with the student's feed secret in `?token=`.
#[utoipa::path(operation_id = "downloadStudyScheduleIcs", tag = "schedules", security((), ("bearer" = [])),
    params(("enrollmentId" = i32, Path, description = "Enrollment id"), FileQuery),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String),
        (status = 304, description = "Not modified (If-None-Match)")))]
#[get("/enrollments/{enrollmentId}/schedule.ics")]
pub async fn download(
    req: HttpRequest,
    state: Data<AppState>,
    auth: MaybeAuth,
    enrollment_id: Path<i32>,
    query: Query<FileQuery>,
) -> ApiResult {
    let enrollment_id = enrollment_id.into_inner();
    let token = query.into_inner().token;
    let body = state
        .db_maybe(auth, move |conn, st, actor| {
            let access = match (actor, &token) {
                (Some(actor), _) => FileAccess::Principal(actor),
                (None, Some(token)) => FileAccess::FeedToken(token),
                (None, None) => {
                    return Err(mdsc_core::Error::unauthenticated(
                        "Sign in, or use the download link with its token",
                    ));
                }
            };
            feed::enrollment_calendar(conn, access, st.clock(), &st.config.schedule, enrollment_id)
        })
        .await?;
    let filename = format!("mdsc-planning-{enrollment_id}.ics");
    Ok(calendar_response(&req, body, Some(&filename)))
}

/// Links that put the schedule in Google Calendar, Outlook or any iCal
/// client (seed `syncWithExternalCalendar`); the enrollment's student only.
#[utoipa::path(operation_id = "syncStudyScheduleCalendar", tag = "schedules", security(("bearer" = [])), request_body = SyncCalendarInput,
    params(("enrollmentId" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<CalendarSync>),
        (status = 403, body = ErrorBody),
        (status = 409, description = "ENROLLMENT_CANCELLED: a cancelled enrollment has no schedule", body = ErrorBody)))]
#[post("/enrollments/{enrollmentId}/sync-calendar")]
pub async fn sync_calendar(
    state: Data<AppState>,
    auth: Auth,
    enrollment_id: Path<i32>,
    body: Json<SyncCalendarInput>,
) -> ApiResult {
    let (enrollment_id, input) = (enrollment_id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            feed::sync_calendar(
                conn,
                actor,
                st.clock(),
                &st.config.schedule,
                enrollment_id,
                input,
            )
        })
        .await?;
    Ok(ok(data))
}

/// The signed-in user's subscription feed URLs (created on first use).
#[utoipa::path(operation_id = "getCalendarFeedUrls", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = Envelope<FeedToken>)))]
#[get("/calendar/feed-token")]
pub async fn feed_urls(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, st, actor| {
            feed::get_feed(conn, actor, st.clock(), &st.config.schedule)
        })
        .await?;
    Ok(ok(data))
}

/// Replace the feed secret: the old feed URL stops working at once.
#[utoipa::path(operation_id = "rotateCalendarFeedToken", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = Envelope<FeedToken>)))]
#[post("/calendar/feed-token/rotate")]
pub async fn rotate_feed_token(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, st, actor| {
            feed::rotate_feed_token(conn, actor, st.clock(), &st.config.schedule)
        })
        .await?;
    Ok(ok(data))
}

/// The subscription feed of all the student's courses, for Google
/// Calendar, Outlook and Apple Calendar. The secret in the path is the only
/// credential; `ETag` / `If-None-Match` make polling cheap.
#[utoipa::path(operation_id = "getCalendarFeed", tag = "calendar",
    params(("file" = String, Path, description = "`{token}.ics`")),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String),
        (status = 304, description = "Not modified (If-None-Match)")))]
#[get("/calendar/feed/{file}")]
pub async fn subscription_feed(
    req: HttpRequest,
    state: Data<AppState>,
    file: Path<String>,
) -> ApiResult {
    let file = file.into_inner();
    let body = state
        .db(move |conn, st| feed::user_feed(conn, st.clock(), &st.config.schedule, &file))
        .await?;
    Ok(calendar_response(&req, body, None))
}

/// The signed-in student's calendar events across courses, overlapping
/// `[from, to)` (default: the next 31 days; at most 366); a plain array, a
/// page at a time (`X-Total-Count`, `Link` with `rel="next"`).
#[utoipa::path(operation_id = "listCalendarEvents", tag = "calendar", security(("bearer" = [])), params(EventsQuery),
    responses((status = 200, body = Envelope<Vec<CalendarEvent>>, headers(
            ("X-Total-Count" = i64, description = "Events in the range"),
            ("Link" = String, description = "RFC 8288 links to the next and previous pages")))))]
#[get("/calendar/events")]
pub async fn list_events(
    req: HttpRequest,
    state: Data<AppState>,
    auth: Auth,
    query: Query<EventsQuery>,
) -> ApiResult {
    let query = query.into_inner();
    let page = state
        .db_as(auth, move |conn, st, actor| {
            events::list_events(conn, actor, st.clock(), &st.config.schedule, query)
        })
        .await?;
    Ok(array_page(&req, page))
}

/// A `text/calendar` answer with a strong ETag, or 304 when the client
/// already has these bytes.
fn calendar_response(req: &HttpRequest, body: String, filename: Option<&str>) -> HttpResponse {
    let etag = ical::etag(&body);
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == etag || tag == "*")
        });
    let mut response = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"));
    if cached {
        return response.finish();
    }
    if let Some(name) = filename {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ));
    }
    response
        .content_type("text/calendar; charset=utf-8")
        .body(body)
}
