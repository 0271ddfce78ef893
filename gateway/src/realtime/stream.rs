//! One open event stream: the frames it sends, produced as the connection
//! asks for them (no task or queue of its own). Items come from its
//! channel's shared ring, filtered by what the reader may see; access is
//! checked again only when a change that concerns the reader arrives; a
//! stream that fell behind its ring catches up from the database.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::{Bytes, Data};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::channel::{Item, Published, Subscription};
use super::recent::Recent;
use super::slots::StreamSlot;
use super::sources::Source;
use super::sse::{admit, since};
use super::viewer::Viewer;
use crate::error::ApiError;
use crate::extract::Claim;
use crate::metrics::streams::OpenStream;
use crate::state::AppState;

/// How long a browser waits before reconnecting (the SSE `retry:` field).
const RETRY_MS: u64 = 3000;
/// Frames an idle stream keeps room for.
const IDLE_CAPACITY: usize = 8;

/// What [`super::sse::open`] found.
pub struct Opened {
    pub state: Data<AppState>,
    pub source: Arc<dyn Source>,
    pub viewer: Viewer,
    pub subscription: Subscription,
    /// The last id read: items above it are new.
    pub cursor: i32,
    /// Items after Last-Event-ID, to send first.
    pub replay: Vec<(i32, serde_json::Value)>,
    /// The replay hit its limit: more to read after it.
    pub more: bool,
    pub slots: (StreamSlot, StreamSlot<String>),
    /// The token it was opened with, checked again at access changes.
    pub claim: Claim,
}

pub struct Stream {
    state: Data<AppState>,
    source: Arc<dyn Source>,
    viewer: Viewer,
    /// The token the stream was opened with: ending it ends the stream.
    claim: Claim,
    subscription: Subscription,
    cursor: i32,
    recent: Recent,
    /// Frames ready to send: the opening, a replay or a catch-up.
    ready: VecDeque<Bytes>,
    /// Items after the cursor are waiting in the database.
    behind: bool,
    ended: bool,
    heartbeat: Interval,
    /// Held while the stream runs.
    _slots: (StreamSlot, StreamSlot<String>),
    /// Counted in the metrics while the stream runs.
    open: OpenStream,
}

/// Why a stream ends.
enum End {
    /// The client went away, or the server is stopping.
    Gone,
    /// Access lost, or the database failed: told to the client.
    Failed(ApiError),
}

impl Stream {
    pub fn new(opened: Opened) -> Self {
        let every = Duration::from_secs(opened.state.config.sse_heartbeat_seconds);
        let mut heartbeat = tokio::time::interval_at(Instant::now() + every, every);
        // A stream the client reads slowly sends one heartbeat, not a burst.
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let open = OpenStream::new(opened.source.channel().kind.event());
        let mut stream = Self {
            state: opened.state,
            source: opened.source,
            viewer: opened.viewer,
            claim: opened.claim,
            subscription: opened.subscription,
            cursor: opened.cursor,
            recent: Recent::default(),
            ready: VecDeque::new(),
            behind: opened.more,
            ended: false,
            heartbeat,
            open,
            _slots: opened.slots,
        };
        stream
            .ready
            .push_back(Bytes::from(format!("retry: {RETRY_MS}\n\n")));
        stream.queue_batch(opened.replay);
        stream
    }

    /// The next frame to send; `None` ends the response.
    pub async fn next_frame(&mut self) -> Option<Bytes> {
        loop {
            if let Some(frame) = self.ready.pop_front() {
                if self.ready.is_empty() && self.ready.capacity() > IDLE_CAPACITY {
                    // A replay or catch-up is sent: an idle stream keeps
                    // no room for it.
                    self.ready = VecDeque::new();
                }
                return Some(frame);
            }
            if self.ended {
                return None;
            }
            let step = if self.behind {
                self.catch_up().await
            } else {
                self.wait().await
            };
            if let Err(end) = step {
                self.end(end);
            }
        }
    }

    /// Waits for the next thing to send: an item, a heartbeat, or an
    /// access change to check.
    async fn wait(&mut self) -> Result<(), End> {
        tokio::select! {
            _ = self.heartbeat.tick() => {
                self.ready.push_back(Bytes::from_static(b": keep-alive\n\n"));
            }
            published = self.subscription.events.recv() => match published {
                Ok(Published::Item(item)) => self.offer(&item),
                Ok(Published::Access(change)) => {
                    if self.viewer.concerned_by(change) {
                        self.check_access().await?;
                    }
                }
                Ok(Published::Resync) => self.check_access().await?,
                Err(RecvError::Lagged(_)) => {
                    // Access changes may be among what was skipped.
                    self.check_access().await?;
                    self.behind = true;
                }
                Ok(Published::Shutdown) | Err(RecvError::Closed) => return Err(End::Gone),
            },
        }
        Ok(())
    }

    /// Queues a shared item if this reader sees it and has not had it.
    fn offer(&mut self, item: &Item) {
        if !self.viewer.sees(item.audience) || self.recent.contains(item.id) {
            return;
        }
        if item.id > self.cursor {
            self.ready.push_back(item.frame());
            self.cursor = item.id;
        } else if item.late {
            self.ready.push_back(item.frame_without_id());
        } else {
            // Read by this stream's own first read already.
            return;
        }
        self.open.delivered(1);
        self.recent.push(item.id);
    }

    async fn check_access(&mut self) -> Result<(), End> {
        let (viewer, _) = admit(&self.state, &self.source, &self.claim, None)
            .await
            .map_err(End::Failed)?;
        self.viewer = viewer;
        Ok(())
    }

    /// One batch after the cursor, read as the reader (so with the REST
    /// route's access rules).
    async fn catch_up(&mut self) -> Result<(), End> {
        let batch = since(&self.state, &self.source, &self.claim, self.cursor)
            .await
            .map_err(End::Failed)?;
        self.behind = batch.more;
        self.queue_batch(batch.items);
        if let Some(last) = batch.last_read {
            self.cursor = self.cursor.max(last);
        }
        Ok(())
    }

    fn queue_batch(&mut self, items: Vec<(i32, serde_json::Value)>) {
        let event = self.source.channel().kind.event();
        for (id, item) in items {
            if self.recent.contains(id) {
                continue;
            }
            self.ready.push_back(Bytes::from(format!(
                "id: {id}\nevent: {event}\ndata: {item}\n\n"
            )));
            self.recent.push(id);
            self.cursor = self.cursor.max(id);
            self.open.delivered(1);
        }
    }

    fn end(&mut self, end: End) {
        self.ended = true;
        let End::Failed(error) = end else {
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
        self.ready.push_back(Bytes::from(format!(
            "event: stream_closed\ndata: {body}\n\n"
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a stream holds itself, besides its connection (whose buffers
    /// actix sizes): a pointer or two per field, a fixed ring of ids, the
    /// heartbeat's timer entry. Kept small, as 10,000 of them are.
    #[test]
    fn a_stream_s_own_state_stays_small() {
        let size = std::mem::size_of::<Stream>();
        println!("size_of::<Stream>() = {size} bytes");
        assert!(size <= 512, "{size} bytes");
    }
}
