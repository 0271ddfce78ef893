//! The process's signal hub: one listener thread, started by the first
//! stream, broadcasting to every open stream.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mdsc_core::{DatabaseUrl, DbPool, Error};
use tokio::sync::broadcast;

use super::signal::Signal;
use super::slots::StreamSlots;
use super::{listen_pg, poll_sqlite};

/// Signals a slow stream may fall behind by before it is told to resync.
const CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Signal>,
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
        let (sender, _) = broadcast::channel(CAPACITY);
        Self {
            inner: Arc::new(Inner {
                sender,
                database_url,
                pool,
                listener: Mutex::new(None),
                slots: StreamSlots::default(),
                address_slots: StreamSlots::new("address"),
            }),
        }
    }

    /// The signals from now on. Starts the listener on first use; it
    /// sends [`Signal::Resync`] once listening, so what is committed while
    /// it starts is not missed either.
    pub fn subscribe(&self) -> Result<broadcast::Receiver<Signal>, Error> {
        let receiver = self.inner.sender.subscribe();
        let mut listener = self
            .inner
            .listener
            .lock()
            .map_err(|_| Error::internal("real-time listener lock poisoned"))?;
        if listener.is_none() {
            *listener = Some(self.start()?);
        }
        Ok(receiver)
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
        let _ = self.inner.sender.send(Signal::Shutdown);
    }

    fn start(&self) -> Result<Listener, Error> {
        let stop = Arc::new(AtomicBool::new(false));
        let (url, pool, sender, flag) = (
            self.inner.database_url.clone(),
            self.inner.pool.clone(),
            self.inner.sender.clone(),
            stop.clone(),
        );
        let thread = std::thread::Builder::new()
            .name("realtime-listener".to_owned())
            .spawn(move || match url {
                DatabaseUrl::Postgres(url) => listen_pg::run(&url, &sender, &flag),
                DatabaseUrl::Sqlite(_) => poll_sqlite::run(&pool, &sender, &flag),
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
