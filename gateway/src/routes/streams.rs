//! Event streams (Server-Sent Events): the user's notifications, a live
//! session's chat, a forum topic's new replies; and the short-lived token
//! browsers open them with.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, get, post};
use chrono::Duration;
use mdsc_auth::StreamToken;
use mdsc_core::Error;
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::envelope::Envelope;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, ClientAddress, StreamAuth};
use crate::realtime::sources::{Chat, Notifications, TopicReplies};
use crate::realtime::sse;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(stream_token)
        .service(notification_stream)
        .service(chat_stream)
        .service(topic_stream);
}

/// One event of a stream, as an `EventSource` hands it over (before
/// OpenAPI 3.2, a `text/event-stream` schema describes each event).
#[derive(Debug, utoipa::ToSchema)]
pub struct ServerSentEvent {
    /// The item's id, to send back as `Last-Event-ID`; absent on
    /// `stream_closed` and on an item older than one already sent.
    pub id: Option<String>,
    /// `notification`, `chat_message` or `forum_reply` for an item;
    /// `stream_closed` when the stream ends for good (access lost, the
    /// session or topic gone).
    pub event: String,
    /// JSON: the item, or for `stream_closed` `{"status", "code", "message"}`.
    pub data: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// A stream token from `POST /api/notifications/stream-token`, for
    /// clients that cannot send `Authorization` (`EventSource`).
    pub token: Option<String>,
    /// Replay what came after this event id, like the `Last-Event-ID`
    /// header (which wins when both are given).
    #[param(value_type = Option<i32>, minimum = 0, nullable = false)]
    pub last_event_id: Option<String>,
}

/// A stream token for `EventSource`: valid `STREAM_TOKEN_TTL_SECONDS`
/// (default 300) to open streams, and nothing else.
#[utoipa::path(operation_id = "createStreamToken", tag = "notifications", security(("bearer" = [])),
    responses((status = 201, body = Envelope<StreamToken>),
        (status = 429, description = "RATE_LIMITED", body = ErrorBody)))]
#[post("/notifications/stream-token")]
pub async fn stream_token(state: Data<AppState>, auth: Auth) -> ApiResult {
    let ttl = Duration::seconds(state.config.stream_token_ttl_seconds);
    let data = state
        .db_as_token(auth, move |conn, st, actor, claim| {
            mdsc_auth::stream_token::issue_stream_token(
                conn,
                actor,
                claim,
                &st.keys,
                st.clock(),
                ttl,
                st.config.limits.auth.stream_tokens_per_user,
            )
        })
        .await?;
    Ok(crate::envelope::created(data))
}

/// The signed-in user's new notifications as Server-Sent Events
/// (`event: notification`, `id:` the notification id, `data:` a
/// `Notification`). With `Last-Event-ID` (or `?last_event_id=`), those
/// after it first.
#[utoipa::path(operation_id = "streamNotifications", tag = "notifications", security((), ("bearer" = [])), params(StreamQuery, ("Last-Event-ID" = Option<i32>, Header, minimum = 0, nullable = false, description = "The last event id received: what came after it is sent first (EventSource sends it when it reconnects)")),
    responses((status = 200, description = "Server-Sent Events", content_type = "text/event-stream", body = ServerSentEvent), (status = 429, body = ErrorBody)))]
#[get("/notifications/stream")]
pub async fn notification_stream(
    state: Data<AppState>,
    auth: StreamAuth,
    client: ClientAddress,
    req: HttpRequest,
    query: Query<StreamQuery>,
) -> ApiResult {
    let after = last_event_id(&req, &query)?;
    let user_id = auth.principal.user_id;
    sse::open(
        &state,
        auth.claim,
        client.0,
        Notifications { user_id },
        after,
    )
    .await
}

/// A live session's new chat messages as Server-Sent Events
/// (`event: chat_message`, `data:` a `LiveSessionChatMessage`), for those
/// who may read the chat: the course's staff and enrolled students.
#[utoipa::path(operation_id = "streamLiveChat", tag = "live-sessions", security((), ("bearer" = [])),
    params(("sessionId" = i32, Path, description = "Session id"), StreamQuery, ("Last-Event-ID" = Option<i32>, Header, minimum = 0, nullable = false, description = "The last event id received: what came after it is sent first (EventSource sends it when it reconnects)")),
    responses((status = 200, description = "Server-Sent Events", content_type = "text/event-stream", body = ServerSentEvent), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/live-sessions/{sessionId}/chat/stream")]
pub async fn chat_stream(
    state: Data<AppState>,
    auth: StreamAuth,
    client: ClientAddress,
    session_id: Path<i32>,
    req: HttpRequest,
    query: Query<StreamQuery>,
) -> ApiResult {
    let after = last_event_id(&req, &query)?;
    let source = Chat {
        session_id: session_id.into_inner(),
    };
    sse::open(&state, auth.claim, client.0, source, after).await
}

/// A topic's new replies as Server-Sent Events (`event: forum_reply`,
/// `data:` a `ForumReply` without its `replies`; `parent_reply_id` places
/// it), for those who may read the topic.
#[utoipa::path(operation_id = "streamForumTopic", tag = "forum", security((), ("bearer" = [])),
    params(("topicId" = i32, Path, description = "Topic id"), StreamQuery, ("Last-Event-ID" = Option<i32>, Header, minimum = 0, nullable = false, description = "The last event id received: what came after it is sent first (EventSource sends it when it reconnects)")),
    responses((status = 200, description = "Server-Sent Events", content_type = "text/event-stream", body = ServerSentEvent), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/topics/{topicId}/stream")]
pub async fn topic_stream(
    state: Data<AppState>,
    auth: StreamAuth,
    client: ClientAddress,
    topic_id: Path<i32>,
    req: HttpRequest,
    query: Query<StreamQuery>,
) -> ApiResult {
    let after = last_event_id(&req, &query)?;
    let source = TopicReplies {
        topic_id: topic_id.into_inner(),
    };
    sse::open(&state, auth.claim, client.0, source, after).await
}

/// `Last-Event-ID` (what `EventSource` sends when it reconnects), else
/// `?last_event_id=`: an id this stream sent, so a positive integer.
fn last_event_id(req: &HttpRequest, query: &StreamQuery) -> Result<Option<i32>, Error> {
    // Both are read, so a malformed one is refused even when the other
    // would win.
    let header = match req.headers().get("Last-Event-ID") {
        Some(value) => Some(event_id(value.to_str().unwrap_or("?"))?),
        None => None,
    };
    let query = match &query.last_event_id {
        Some(raw) => Some(event_id(raw)?),
        None => None,
    };
    Ok(header.or(query))
}

/// An event id this API sends: a non-negative integer. (`EventSource`
/// sends no header at all rather than an empty one.)
fn event_id(raw: &str) -> Result<i32, Error> {
    match raw.trim().parse::<i32>() {
        Ok(id) if id >= 0 => Ok(id),
        _ => Err(Error::invalid_field(
            "last_event_id",
            "Last-Event-ID must be an event id this stream sent (a non-negative integer)",
        )),
    }
}
