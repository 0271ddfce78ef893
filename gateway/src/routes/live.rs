//! Live sessions on Jitsi Meet (seed §1.2.2 and §1.4.4), the recording
//! hook, JaaS webhooks and the instructor dashboard.

use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, delete, get, post, put};
use mdsc_core::{Page, PageParams};
use mdsc_live::chat::{self, ChatInput, ChatQuery, PinInput};
use mdsc_live::dashboard::{self, DashboardQuery};
use mdsc_live::recording::{self, HookOutcome, RecordingHookInput};
use mdsc_live::session::{self, CreateSessionInput, SessionListQuery, UpdateSessionInput};
use mdsc_live::webhook::{self, JaasEvent};
use mdsc_live::{
    JoinSessionData, LiveSession, LiveSessionChatMessage, LiveSessionParticipant, attendance,
    lifecycle,
};
use mdsc_schedule::hooks;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::envelope::{Envelope, created, deleted, ok};
use crate::error::{ApiResult, ErrorBody, optional_json};
use crate::extract::Auth;
use crate::json_input::Json;
use crate::page_headers::{array_page, array_polled};
use crate::routes::Deleted;
use crate::state::AppState;

/// Registers the live-session routes. The literal `/live-sessions/recordings`
/// and `/live-sessions/webhooks/jaas` come before `/live-sessions/{sessionId}`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(recording_hook)
        .service(jaas_webhook)
        .service(create)
        .service(list_for_course)
        .service(instructor_dashboard)
        .service(get)
        .service(update)
        .service(remove)
        .service(join)
        .service(join_get)
        .service(leave)
        .service(participants)
        .service(post_chat)
        .service(list_chat)
        .service(pin_chat)
        .service(start)
        .service(end);
}

/// The `Authorization` (or `X-Webhook-Secret`) header of a hook call.
fn hook_secret(req: &HttpRequest) -> Option<String> {
    ["Authorization", "X-Webhook-Secret"]
        .iter()
        .find_map(|name| req.headers().get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Schedule a live session (course staff); the Jitsi room name is generated.
#[utoipa::path(operation_id = "createLiveSession", tag = "live-sessions", security(("bearer" = [])), request_body = CreateSessionInput,
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 201, body = Envelope<LiveSession>), (status = 403, body = ErrorBody)))]
#[post("/courses/{courseId}/live-sessions")]
pub async fn create(
    state: Data<AppState>,
    auth: Auth,
    course_id: Path<i32>,
    body: Json<CreateSessionInput>,
) -> ApiResult {
    let (course_id, input) = (course_id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::create_live_session(conn, actor, st.clock(), &st.config.live, course_id, input)
        })
        .await?;
    Ok(created(data))
}

/// A course's sessions by start time (staff and enrolled students); a plain
/// array, a page at a time (`X-Total-Count`, `Link` with `rel="next"`).
#[utoipa::path(operation_id = "listCourseLiveSessions", tag = "live-sessions", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), SessionListQuery),
    responses((status = 200, body = Envelope<Vec<LiveSession>>, headers(
            ("X-Total-Count" = i64, description = "Sessions in the list"),
            ("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 403, description = "NOT_ENROLLED", body = ErrorBody)))]
#[get("/courses/{courseId}/live-sessions")]
pub async fn list_for_course(
    req: HttpRequest,
    state: Data<AppState>,
    auth: Auth,
    course_id: Path<i32>,
    query: Query<SessionListQuery>,
) -> ApiResult {
    let (course_id, query) = (course_id.into_inner(), query.into_inner());
    let page = state
        .db_as(auth, move |conn, _, actor| {
            session::list_course_sessions(conn, actor, course_id, query)
        })
        .await?;
    Ok(array_page(&req, page))
}

/// The caller's sessions across their courses (admins: all), paginated.
#[utoipa::path(operation_id = "listInstructorLiveSessions", tag = "live-sessions", security(("bearer" = [])), params(DashboardQuery),
    responses((status = 200, body = Envelope<Page<LiveSession>>), (status = 403, body = ErrorBody)))]
#[get("/instructor/live-sessions")]
pub async fn instructor_dashboard(
    state: Data<AppState>,
    auth: Auth,
    query: Query<DashboardQuery>,
) -> ApiResult {
    let query = query.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            dashboard::instructor_sessions(conn, actor, query)
        })
        .await?;
    Ok(ok(data))
}

/// One session, with its course, instructor, participant count and whether the caller joined.
#[utoipa::path(operation_id = "getLiveSession", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<LiveSession>), (status = 403, body = ErrorBody)))]
#[get("/live-sessions/{sessionId}")]
pub async fn get(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    let session_id = session_id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            session::get_session(conn, actor, session_id)
        })
        .await?;
    Ok(ok(data))
}

/// Change a session (course staff): details, times and capacity while
/// scheduled, `status: cancelled`, `recording_url` once ended.
#[utoipa::path(operation_id = "updateLiveSession", tag = "live-sessions", security(("bearer" = [])), request_body = UpdateSessionInput,
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<LiveSession>), (status = 403, body = ErrorBody),
        (status = 409, description = "INVALID_STATUS_TRANSITION, SESSION_NOT_SCHEDULED, SESSION_CLOSED, RECORDING_DISABLED, SESSION_NOT_ENDED", body = ErrorBody)))]
#[put("/live-sessions/{sessionId}")]
pub async fn update(
    state: Data<AppState>,
    auth: Auth,
    session_id: Path<i32>,
    body: Json<UpdateSessionInput>,
) -> ApiResult {
    let (session_id, input) = (session_id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            hooks::update_live_session(conn, actor, st.clock(), &st.config.live, session_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Delete a session nobody attended (course staff); otherwise cancel it.
#[utoipa::path(operation_id = "deleteLiveSession", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody),
        (status = 409, description = "SESSION_ATTENDED, SESSION_LIVE", body = ErrorBody)))]
#[delete("/live-sessions/{sessionId}")]
pub async fn remove(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    let session_id = session_id.into_inner();
    state
        .db_as(auth, move |conn, st, actor| {
            hooks::delete_live_session(conn, actor, st.clock(), session_id)
        })
        .await?;
    Ok(deleted())
}

async fn join_handler(state: Data<AppState>, auth: Auth, session_id: i32) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, st, actor| {
            attendance::join_session(conn, actor, st.clock(), &st.config.live, session_id)
        })
        .await?;
    Ok(ok(data))
}

/// Join a session: the Jitsi room, the caller's name, moderator rights and
/// (with token-checking servers) the room token.
#[utoipa::path(operation_id = "joinLiveSession", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<JoinSessionData>), (status = 403, body = ErrorBody),
        (status = 409, description = "SESSION_NOT_LIVE, SESSION_NOT_OPEN, SESSION_FULL, SESSION_ENDED, SESSION_CANCELLED", body = ErrorBody)))]
#[post("/live-sessions/{sessionId}/join")]
pub async fn join(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    join_handler(state, auth, session_id.into_inner()).await
}

/// The same as `POST …/join`, as seed §1.4.4 spells it.
#[utoipa::path(operation_id = "getLiveSessionJoinInfo", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<JoinSessionData>), (status = 403, body = ErrorBody),
        (status = 409, description = "SESSION_NOT_LIVE, SESSION_NOT_OPEN, SESSION_FULL, SESSION_ENDED, SESSION_CANCELLED", body = ErrorBody)))]
#[get("/live-sessions/{sessionId}/join")]
pub async fn join_get(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    join_handler(state, auth, session_id.into_inner()).await
}

/// Leave a session; the time spent is added to the caller's attendance.
#[utoipa::path(operation_id = "leaveLiveSession", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<LiveSessionParticipant>), (status = 403, description = "NOT_ENROLLED", body = ErrorBody), (status = 409, description = "NOT_A_PARTICIPANT", body = ErrorBody)))]
#[post("/live-sessions/{sessionId}/leave")]
pub async fn leave(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    let session_id = session_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            attendance::leave_session(conn, actor, st.clock(), session_id)
        })
        .await?;
    Ok(ok(data))
}

/// Everyone admitted, with attendance (course staff); a plain array, a page
/// at a time (`X-Total-Count`, `Link` with `rel="next"`).
#[utoipa::path(operation_id = "listLiveSessionParticipants", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id"), PageParams),
    responses((status = 200, body = Envelope<Vec<LiveSessionParticipant>>, headers(
            ("X-Total-Count" = i64, description = "Participants of the session"),
            ("Link" = String, description = "RFC 8288 links to the next and previous pages"))), (status = 403, body = ErrorBody)))]
#[get("/live-sessions/{sessionId}/participants")]
pub async fn participants(
    req: HttpRequest,
    state: Data<AppState>,
    auth: Auth,
    session_id: Path<i32>,
    page: Query<PageParams>,
) -> ApiResult {
    let (session_id, page) = (session_id.into_inner(), page.into_inner());
    let page = state
        .db_as(auth, move |conn, _, actor| {
            attendance::list_participants(conn, actor, session_id, page)
        })
        .await?;
    Ok(array_page(&req, page))
}

/// Post in the session chat (staff, and students who joined).
#[utoipa::path(operation_id = "postLiveChatMessage", tag = "live-sessions", security(("bearer" = [])), request_body = ChatInput,
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 201, body = Envelope<LiveSessionChatMessage>), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/live-sessions/{sessionId}/chat")]
pub async fn post_chat(
    state: Data<AppState>,
    auth: Auth,
    session_id: Path<i32>,
    body: Json<ChatInput>,
) -> ApiResult {
    let (session_id, input) = (session_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            chat::post_message(conn, actor, st.clock(), &st.config.live, session_id, input)
        })
        .await?;
    Ok(created(data))
}

/// Chat messages in order: `after_id` for polling, else the latest; a plain
/// array, with a `Link` `rel="next"` to the messages after a full page.
#[utoipa::path(operation_id = "listLiveChatMessages", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id"), ChatQuery),
    responses((status = 200, body = Envelope<Vec<LiveSessionChatMessage>>, headers(
            ("Link" = String, description = "RFC 8288 link to the messages after this page, when it is full"))), (status = 403, body = ErrorBody)))]
#[get("/live-sessions/{sessionId}/chat")]
pub async fn list_chat(
    req: HttpRequest,
    state: Data<AppState>,
    auth: Auth,
    session_id: Path<i32>,
    query: Query<ChatQuery>,
) -> ApiResult {
    let (session_id, query) = (session_id.into_inner(), query.into_inner());
    let data = state
        .db_as(auth, move |conn, _, actor| {
            chat::list_messages(conn, actor, session_id, query)
        })
        .await?;
    let next = chat::next_after(query, &data).map(|id| ("after_id", id.to_string()));
    Ok(array_polled(&req, data, next))
}

/// Pin or unpin a chat message (course staff): `{"value": bool}`, or no body to toggle.
#[utoipa::path(operation_id = "pinLiveChatMessage", tag = "live-sessions", security(("bearer" = [])), request_body(content = Option<PinInput>),
    params(("sessionId" = i32, Path, description = "Live session id"), ("messageId" = i32, Path, description = "Chat message id")),
    responses((status = 200, body = Envelope<LiveSessionChatMessage>), (status = 400, description = "MALFORMED_JSON", body = ErrorBody),
        (status = 403, body = ErrorBody)))]
#[post("/live-sessions/{sessionId}/chat/{messageId}/pin")]
pub async fn pin_chat(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Bytes,
) -> ApiResult {
    let (session_id, message_id) = path.into_inner();
    // No body toggles; a body must be valid (a typo must not toggle).
    let input: PinInput = optional_json(&body)?.unwrap_or_default();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            chat::pin_message(conn, actor, session_id, message_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Start the session (course staff, from 15 minutes before its start).
#[utoipa::path(operation_id = "startLiveSession", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<LiveSession>), (status = 403, body = ErrorBody),
        (status = 409, description = "INVALID_STATUS_TRANSITION, SESSION_NOT_OPEN", body = ErrorBody)))]
#[post("/live-sessions/{sessionId}/start")]
pub async fn start(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    let session_id = session_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            lifecycle::start_session(conn, actor, st.clock(), session_id)
        })
        .await?;
    Ok(ok(data))
}

/// End the session (course staff); everyone still in it leaves now.
#[utoipa::path(operation_id = "endLiveSession", tag = "live-sessions", security(("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Live session id")),
    responses((status = 200, body = Envelope<LiveSession>), (status = 403, body = ErrorBody),
        (status = 409, description = "INVALID_STATUS_TRANSITION", body = ErrorBody)))]
#[post("/live-sessions/{sessionId}/end")]
pub async fn end(state: Data<AppState>, auth: Auth, session_id: Path<i32>) -> ApiResult {
    let session_id = session_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            lifecycle::end_session(conn, actor, st.clock(), session_id)
        })
        .await?;
    Ok(ok(data))
}

/// Jibri finalize hook: a recording's address for a room. Authorized by
/// `Authorization: Bearer <JITSI_WEBHOOK_SECRET>`.
#[utoipa::path(operation_id = "receiveRecordingHook", tag = "live-sessions", request_body = RecordingHookInput,
    responses((status = 200, body = Envelope<HookOutcome>), (status = 401, description = "INVALID_WEBHOOK_SECRET", body = ErrorBody),
        (status = 403, description = "WEBHOOKS_DISABLED", body = ErrorBody),
        (status = 404, description = "NOT_FOUND: no session has this room", body = ErrorBody),
        (status = 409, description = "RECORDING_DISABLED, SESSION_NOT_STARTED", body = ErrorBody)))]
#[post("/live-sessions/recordings")]
pub async fn recording_hook(
    state: Data<AppState>,
    req: HttpRequest,
    body: Json<RecordingHookInput>,
) -> ApiResult {
    let (secret, input) = (hook_secret(&req), body.into_inner());
    let data = state
        .db(move |conn, st| {
            recording::report_recording(conn, st.clock(), &st.config.live, secret.as_deref(), input)
        })
        .await?;
    Ok(ok(data))
}

/// JaaS webhooks: PARTICIPANT_JOINED / PARTICIPANT_LEFT feed attendance,
/// RECORDING_UPLOADED sets `recording_url`; each `idempotencyKey` once.
/// Authorized by the `Authorization` header configured in the JaaS console.
#[utoipa::path(operation_id = "receiveJaasWebhook", tag = "live-sessions", request_body = JaasEvent,
    responses((status = 200, body = Envelope<HookOutcome>), (status = 401, description = "INVALID_WEBHOOK_SECRET", body = ErrorBody),
        (status = 403, description = "WEBHOOKS_DISABLED", body = ErrorBody)))]
#[post("/live-sessions/webhooks/jaas")]
pub async fn jaas_webhook(
    state: Data<AppState>,
    req: HttpRequest,
    body: Json<JaasEvent>,
) -> ApiResult {
    let (secret, event) = (hook_secret(&req), body.into_inner());
    let data = state
        .db(move |conn, st| {
            webhook::handle_jaas_event(conn, st.clock(), &st.config.live, secret.as_deref(), event)
        })
        .await?;
    Ok(ok(data))
}
