//! Opening a Server-Sent Events connection: the stream limits, a place on
//! the channel, the reader's access and the replay after `Last-Event-ID`,
//! all before answering, so a refused stream is a JSON error with its
//! status, not an empty 200.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;
use mdsc_core::throttle::address_subject;

use super::sources::{Batch, Source};
use super::stream::{Opened, Stream};
use super::viewer::Viewer;
use crate::error::ApiError;
use crate::extract::Claim;
use crate::state::AppState;

/// Items read per query while replaying or catching up.
pub const BATCH: i64 = 100;

/// Opens the stream. A user at `SSE_MAX_STREAMS_PER_USER`, or a client
/// address at `SSE_MAX_STREAMS_PER_ADDRESS`, is refused first, before any
/// read.
pub async fn open(
    state: &Data<AppState>,
    claim: Claim,
    client: Option<IpAddr>,
    source: impl Source,
    last_event_id: Option<i32>,
) -> Result<HttpResponse, ApiError> {
    let slot = state
        .hub
        .slots()
        .claim(claim.user_id, state.config.sse_max_streams_per_user)?;
    let address_slot = state.hub.address_slots().claim(
        address_subject(client),
        state.config.limits.sse_max_streams_per_address,
    )?;
    let source: Arc<dyn Source> = Arc::new(source);
    // Subscribed before the first read: whatever commits after the read
    // is published to this stream; what the read saw is skipped.
    let subscription = state.hub.subscribe(state, source.channel()).await?;
    let limit = if last_event_id.is_some() { BATCH } else { 1 };
    let (viewer, first) = admit(state, &source, &claim, Some((last_event_id, limit))).await?;
    let first = first.unwrap_or_default();
    let cursor = first.last_read.or(last_event_id).unwrap_or(0);
    // Without Last-Event-ID the client starts from now: it read the
    // history over REST.
    let (replay, more) = match last_event_id {
        Some(_) => (first.items, first.more),
        None => (Vec::new(), false),
    };
    let stream = Stream::new(Opened {
        // The handler's shared state, not a copy of it: one pointer per stream.
        state: state.clone(),
        source,
        viewer,
        claim,
        subscription,
        cursor,
        replay,
        more,
        slots: (slot, address_slot),
    });
    let body = futures_util::stream::unfold(stream, |mut stream| async move {
        let frame = stream.next_frame().await?;
        Some((Ok::<_, Infallible>(frame), stream))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // nginx would otherwise buffer the stream.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// The reader's access as they are now (a role change, a deleted or
/// disabled account, an ended token count), and, with `read`, the items
/// after a point as they may see them.
pub(super) async fn admit(
    state: &AppState,
    source: &Arc<dyn Source>,
    claim: &Claim,
    read: Option<(Option<i32>, i64)>,
) -> Result<(Viewer, Option<Batch>), ApiError> {
    state.hub.note_access_check();
    let source = source.clone();
    let claim = claim.clone();
    state
        .db(move |conn, _| {
            let actor = mdsc_auth::service::current_principal(conn, &claim)?;
            let viewer = source.admit(conn, &actor)?;
            let batch = match read {
                Some((after, limit)) => Some(source.since(conn, &actor, after, limit)?),
                None => None,
            };
            Ok((viewer, batch))
        })
        .await
}

/// Items after `after` as the reader may see them, with the access rules
/// of the REST route: a catch-up after the stream fell behind its channel.
pub(super) async fn since(
    state: &AppState,
    source: &Arc<dyn Source>,
    claim: &Claim,
    after: i32,
) -> Result<Batch, ApiError> {
    let source = source.clone();
    let claim = claim.clone();
    state
        .db(move |conn, _| {
            let actor = mdsc_auth::service::current_principal(conn, &claim)?;
            source.since(conn, &actor, Some(after), BATCH)
        })
        .await
}
