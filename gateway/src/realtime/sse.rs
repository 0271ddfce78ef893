//! One Server-Sent Events connection: replay after `Last-Event-ID`, then
//! what each signal of its channel brings, with heartbeats in between.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use mdsc_core::throttle::address_subject;
use mdsc_core::{Backend, Error};
use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use super::signal::Signal;
use super::slots::StreamSlot;
use super::sources::{Batch, Source};
use crate::error::ApiError;
use crate::state::AppState;

/// Items read per query while catching up.
pub const BATCH: i64 = 100;
/// How long a browser waits before reconnecting (the SSE `retry:` field).
const RETRY_MS: u64 = 3000;
/// Item ids remembered to skip repeats when a signal arrives late.
const REMEMBERED: usize = 512;
/// Frames queued for a slow client before the stream stops reading.
const QUEUE: usize = 64;

/// Opens the stream: checks access and reads the replay before answering,
/// so a refused stream is a JSON error with its status, not an empty 200.
/// A user at `SSE_MAX_STREAMS_PER_USER`, or a client address at
/// `SSE_MAX_STREAMS_PER_ADDRESS`, is refused first, before any read.
pub async fn open(
    state: &AppState,
    user_id: i32,
    client: Option<IpAddr>,
    source: impl Source,
    last_event_id: Option<i32>,
) -> Result<HttpResponse, ApiError> {
    let slot = state
        .hub
        .slots()
        .claim(user_id, state.config.sse_max_streams_per_user)?;
    let address_slot = state.hub.address_slots().claim(
        address_subject(client),
        state.config.limits.sse_max_streams_per_address,
    )?;
    let source: Arc<dyn Source> = Arc::new(source);
    let limit = if last_event_id.is_some() { BATCH } else { 1 };
    let first = read(state, &source, user_id, last_event_id, limit).await?;
    // Subscribed after the first read, and the stream starts with a
    // catch-up read: whatever commits in between is read then, and
    // whatever commits later is signalled.
    let signals = state.hub.subscribe()?;
    let cursor = first.last_read.or(last_event_id).unwrap_or(0);
    // Without Last-Event-ID the client starts from now: it read the
    // history over REST.
    let replay = match last_event_id {
        Some(_) => first.items,
        None => Vec::new(),
    };
    let (frames, body) = mpsc::channel::<Bytes>(QUEUE);
    let connection = Connection {
        state: state.clone(),
        source,
        user_id,
        frames,
        cursor,
        sent: VecDeque::new(),
        // Only PostgreSQL commits concurrent inserts out of id order.
        late_ids_possible: state.config.database_url.backend() == Backend::Postgres,
        _slots: (slot, address_slot),
    };
    actix_web::rt::spawn(connection.run(signals, replay));
    let body = futures_util::stream::unfold(body, |mut body| async move {
        body.recv()
            .await
            .map(|frame| (Ok::<_, Infallible>(frame), body))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // nginx would otherwise buffer the stream.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// A read as the user is now: a role change or a deleted account applies
/// to open streams at their next event, as to the next REST request.
async fn read(
    state: &AppState,
    source: &Arc<dyn Source>,
    user_id: i32,
    after: Option<i32>,
    limit: i64,
) -> Result<Batch, ApiError> {
    let source = source.clone();
    state
        .db(move |conn, _| {
            let actor = mdsc_auth::service::current_principal(conn, user_id)?;
            source.since(conn, &actor, after, limit)
        })
        .await
}

struct Connection {
    state: AppState,
    source: Arc<dyn Source>,
    user_id: i32,
    frames: mpsc::Sender<Bytes>,
    /// The last id read: items above it are new.
    cursor: i32,
    sent: VecDeque<i32>,
    late_ids_possible: bool,
    /// Held while the stream runs.
    _slots: (StreamSlot, StreamSlot<String>),
}

/// Why a stream ends.
enum End {
    /// The client went away.
    Gone,
    /// Reading failed (access lost, or the database): told to the client.
    Failed(ApiError),
}

impl Connection {
    async fn run(
        mut self,
        signals: broadcast::Receiver<Signal>,
        replay: Vec<(i32, serde_json::Value)>,
    ) {
        let Err(End::Failed(error)) = self.stream(signals, replay).await else {
            return;
        };
        if error.status.is_server_error() {
            // Not the client's doing and maybe passing (a busy pool): end
            // without `stream_closed`, so EventSource reconnects and
            // replays with Last-Event-ID.
            log::error!("event stream ended: {}", error.body.message);
            return;
        }
        let body = json!({
            "status": error.status.as_u16(),
            "code": error.body.code,
            "message": error.body.message,
        });
        let frame = format!("event: stream_closed\ndata: {body}\n\n");
        let _ = self.frames.send(Bytes::from(frame)).await;
    }

    /// Runs until the client leaves or a read fails.
    async fn stream(
        &mut self,
        mut signals: broadcast::Receiver<Signal>,
        replay: Vec<(i32, serde_json::Value)>,
    ) -> Result<Infallible, End> {
        let heartbeat = Duration::from_secs(self.state.config.sse_heartbeat_seconds);
        self.send(Bytes::from(format!("retry: {RETRY_MS}\n\n")))
            .await?;
        for (id, item) in replay {
            self.deliver(id, &item, true).await?;
        }
        self.catch_up().await?;
        let mut ticks =
            tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
        loop {
            tokio::select! {
                () = self.frames.closed() => return Err(End::Gone),
                _ = ticks.tick() => self.send(Bytes::from_static(b": keep-alive\n\n")).await?,
                signal = signals.recv() => match signal {
                    Ok(Signal::Change(change)) if self.source.matches(&change) => {
                        if change.id > self.cursor {
                            self.catch_up().await?;
                        } else if self.late_ids_possible && !self.sent.contains(&change.id) {
                            self.late(change.id).await?;
                        }
                    }
                    Ok(Signal::Change(_)) => {}
                    Ok(Signal::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.catch_up().await?;
                    }
                    Ok(Signal::Shutdown) | Err(broadcast::error::RecvError::Closed) => {
                        return Err(End::Gone);
                    }
                },
            }
        }
    }

    /// Everything above the cursor, in batches.
    async fn catch_up(&mut self) -> Result<(), End> {
        loop {
            let batch = read(
                &self.state,
                &self.source,
                self.user_id,
                Some(self.cursor),
                BATCH,
            )
            .await
            .map_err(End::Failed)?;
            for (id, item) in &batch.items {
                self.deliver(*id, item, true).await?;
            }
            if let Some(last) = batch.last_read {
                self.cursor = self.cursor.max(last);
            }
            if !batch.more {
                return Ok(());
            }
        }
    }

    /// An item that committed after a higher id was delivered (concurrent
    /// transactions on PostgreSQL). Sent without an `id:` line, so the
    /// browser's Last-Event-ID stays the highest id it has.
    async fn late(&mut self, id: i32) -> Result<(), End> {
        let batch = read(&self.state, &self.source, self.user_id, Some(id - 1), 1)
            .await
            .map_err(End::Failed)?;
        if let Some((found, item)) = batch.items.into_iter().next()
            && found == id
        {
            self.deliver(id, &item, false).await?;
        }
        Ok(())
    }

    async fn deliver(
        &mut self,
        id: i32,
        item: &serde_json::Value,
        with_id: bool,
    ) -> Result<(), End> {
        if self.sent.contains(&id) {
            return Ok(());
        }
        let event = self.source.event();
        let frame = if with_id {
            format!("id: {id}\nevent: {event}\ndata: {item}\n\n")
        } else {
            format!("event: {event}\ndata: {item}\n\n")
        };
        self.send(Bytes::from(frame)).await?;
        if self.sent.len() == REMEMBERED {
            self.sent.pop_front();
        }
        self.sent.push_back(id);
        self.cursor = self.cursor.max(id);
        Ok(())
    }

    async fn send(&self, frame: Bytes) -> Result<(), End> {
        self.frames.send(frame).await.map_err(|_| End::Gone)
    }
}

impl From<Error> for End {
    fn from(error: Error) -> Self {
        Self::Failed(error.into())
    }
}
