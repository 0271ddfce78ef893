//! The channels open in this process, and where each signal goes: a new
//! row to its channel's fetcher, an access change to the streams it may
//! concern. Also counts the database reads both cost, so tests can hold
//! fan-out to "one read per event and channel".

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::channel::{Channel, ChannelKey, Published, Subscription};
use super::signal::{AccessChange, Signal, StreamKind};

#[derive(Default)]
pub struct Router {
    channels: Mutex<HashMap<ChannelKey, Arc<Channel>>>,
    /// Reads of new items by the channels' fetchers.
    reads: AtomicU64,
    /// Access checks by streams (when they open, and on access changes).
    access_checks: AtomicU64,
}

impl Router {
    pub fn dispatch(&self, signal: Signal) {
        match signal {
            Signal::Change(change) => {
                let key = ChannelKey {
                    kind: change.kind,
                    key: change.key,
                };
                // Nobody streams a channel that is not open: nothing to do.
                if let Some(channel) = self.find(key) {
                    channel.note_change(change.id);
                }
            }
            Signal::Access(access) => match channel_of(access) {
                Some(key) => {
                    if let Some(channel) = self.find(key) {
                        channel.publish(Published::Access(access));
                    }
                }
                // A user's or a course's: any channel may have their streams.
                None => self.each(|channel| channel.publish(Published::Access(access))),
            },
            // Published first, so a stream has checked its access again
            // before it gets any item the resync read brings.
            Signal::Resync => self.each(|channel| {
                channel.publish(Published::Resync);
                channel.note_resync();
            }),
            Signal::Shutdown => self.each(|channel| channel.publish(Published::Shutdown)),
        }
    }

    /// A place on the channel if it is open.
    pub fn join_open(&self, key: ChannelKey) -> Option<Subscription> {
        self.lock().get(&key).map(|channel| channel.subscribe())
    }

    /// A place on the channel, and the channel when it was just opened
    /// (its fetcher is the caller's to start).
    pub fn join(&self, key: ChannelKey) -> (Subscription, Option<Arc<Channel>>) {
        let mut channels = self.lock();
        if let Some(channel) = channels.get(&key) {
            return (channel.subscribe(), None);
        }
        let channel = Channel::new(key);
        channels.insert(key, channel.clone());
        (channel.subscribe(), Some(channel))
    }

    /// Closes the channel if no stream follows it any more; under the lock
    /// `join` takes, so no stream joins a channel that is closing.
    pub fn retire_if_unused(&self, channel: &Channel) -> bool {
        let mut channels = self.lock();
        if channel.streams() > 0 {
            return false;
        }
        channels.remove(&channel.key);
        true
    }

    pub fn note_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    pub fn note_access_check(&self) {
        self.access_checks.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    pub fn access_checks(&self) -> u64 {
        self.access_checks.load(Ordering::Relaxed)
    }

    fn find(&self, key: ChannelKey) -> Option<Arc<Channel>> {
        self.lock().get(&key).cloned()
    }

    /// Runs `f` on every open channel, outside the lock.
    fn each(&self, f: impl Fn(&Channel)) {
        let channels: Vec<Arc<Channel>> = self.lock().values().cloned().collect();
        for channel in &channels {
            f(channel);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ChannelKey, Arc<Channel>>> {
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The one channel an access change can concern, if it is about one.
fn channel_of(access: AccessChange) -> Option<ChannelKey> {
    match access {
        AccessChange::Topic(key) => Some(ChannelKey {
            kind: StreamKind::Reply,
            key,
        }),
        AccessChange::Session(key) => Some(ChannelKey {
            kind: StreamKind::Chat,
            key,
        }),
        AccessChange::User(_) | AccessChange::Course(_) => None,
    }
}
