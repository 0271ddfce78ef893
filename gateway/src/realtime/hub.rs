//! The process's real-time hub: one listener thread, started by the first
//! stream, whose signals the router hands to the open channels; each
//! channel's fetcher reads a new item once for all its streams.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mdsc_core::{DatabaseUrl, DbPool, Error};

use super::channel::{ChannelKey, Subscription};
use super::reads::fetch;
use super::router::Router;
use super::signal::Signal;
use super::slots::StreamSlots;
use super::{fetcher, listen_pg, poll_sqlite};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    router: Arc<Router>,
    database_url: DatabaseUrl,
    pool: DbPool,
    listener: Mutex<Option<Listener>>,
    slots: StreamSlots,
    address_slots: StreamSlots<String>,
}

struct Listener {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Hub {
    /// A hub for this database; nothing runs until the first subscriber.
    pub fn new(database_url: DatabaseUrl, pool: DbPool) -> Self {
        Self {
            inner: Arc::new(Inner {
                router: Arc::default(),
                database_url,
                pool,
                listener: Mutex::new(None),
                slots: StreamSlots::default(),
                address_slots: StreamSlots::new("address"),
            }),
        }
    }

    /// A place on the channel, from now on: what commits after this is
    /// published to it. Opens the channel (reading its last id, and
    /// starting its fetcher) if no stream follows it yet, and the listener
    /// if it is the process's first stream.
    pub(crate) async fn subscribe(
        &self,
        state: &AppState,
        key: ChannelKey,
    ) -> Result<Subscription, ApiError> {
        self.ensure_listening()?;
        let router = &self.inner.router;
        if let Some(subscription) = router.join_open(key) {
            return Ok(subscription);
        }
        // Read before joining: a channel's cursor must not pass what its
        // first stream reads next (an item between the two is read again
        // by the fetcher's first read, and skipped by the stream).
        let last = state
            .db(move |conn, _| fetch(conn, key, None, 1, false))
            .await?
            .last_read
            .unwrap_or(0);
        let (subscription, opened) = router.join(key);
        if let Some(channel) = opened {
            actix_web::rt::spawn(fetcher::run(state.clone(), router.clone(), channel, last));
        }
        Ok(subscription)
    }

    fn ensure_listening(&self) -> Result<(), Error> {
        let mut listener = self
            .inner
            .listener
            .lock()
            .map_err(|_| Error::internal("real-time listener lock poisoned"))?;
        if listener.is_none() {
            *listener = Some(self.start()?);
        }
        Ok(())
    }

    /// Reads of new items the channels' fetchers made: one per event and
    /// channel, whatever the number of streams.
    pub fn reads(&self) -> u64 {
        self.inner.router.reads()
    }

    /// Access checks the streams made: when they open, and at access
    /// changes that concern them; never per event.
    pub fn access_checks(&self) -> u64 {
        self.inner.router.access_checks()
    }

    pub(crate) fn note_access_check(&self) {
        self.inner.router.note_access_check();
    }

    /// The streams each user has open in this process.
    pub fn slots(&self) -> &StreamSlots {
        &self.inner.slots
    }

    /// The streams each client address has open in this process.
    pub fn address_slots(&self) -> &StreamSlots<String> {
        &self.inner.address_slots
    }

    /// Ends every open stream of this process.
    pub fn shutdown(&self) {
        self.inner.router.dispatch(Signal::Shutdown);
    }

    fn start(&self) -> Result<Listener, Error> {
        let stop = Arc::new(AtomicBool::new(false));
        let (url, pool, router, flag) = (
            self.inner.database_url.clone(),
            self.inner.pool.clone(),
            self.inner.router.clone(),
            stop.clone(),
        );
        let thread = std::thread::Builder::new()
            .name("realtime-listener".to_owned())
            .spawn(move || match url {
                DatabaseUrl::Postgres(url) => listen_pg::run(&url, &router, &flag),
                DatabaseUrl::Sqlite(_) => poll_sqlite::run(&pool, &router, &flag),
            })
            .map_err(|e| Error::internal(format!("cannot start the real-time listener: {e}")))?;
        Ok(Listener { stop, thread })
    }
}

impl Drop for Inner {
    /// The listener holds a database connection: stop it with the last
    /// handle (tests drop their database right after).
    fn drop(&mut self) {
        if let Some(listener) = self.listener.get_mut().ok().and_then(Option::take) {
            listener.stop.store(true, Ordering::Relaxed);
            let _ = listener.thread.join();
        }
    }
}

/// Sleeps `total`, waking early once `stop` is set.
pub(super) fn pause(total: Duration, stop: &AtomicBool) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

pub(super) fn stopped(stop: &AtomicBool) -> bool {
    stop.load(Ordering::Relaxed)
}
