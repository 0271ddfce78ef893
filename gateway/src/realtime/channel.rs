//! One channel (a user's notifications, a session's chat, a topic's
//! replies) and what it shares with every stream that follows it: each new
//! item, read once by the channel's fetcher and rendered once as an SSE
//! frame, on one `broadcast` ring that every stream of the channel reads.

use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web::Bytes;
use tokio::sync::{Notify, broadcast};

use super::signal::{AccessChange, StreamKind};

/// Items a stream may fall behind by before it catches up from the
/// database (a `Lagged` receiver), instead of holding more in memory.
pub const CAPACITY: usize = 256;
/// Committed ids a channel remembers between two reads of its fetcher;
/// beyond, it reads everything new again (a resync).
const PENDING_IDS: usize = 1024;

/// What a channel follows: a streamed table and the user, session or
/// topic its rows belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelKey {
    pub kind: StreamKind,
    pub key: i32,
}

/// Who may see an item, told apart so one read serves every reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// A reply hidden by a moderator: the course's staff and its author.
    StaffAndAuthor(i32),
}

/// One item as every stream of its channel sends it.
#[derive(Debug)]
pub struct Item {
    pub id: i32,
    /// `id: …\nevent: …\ndata: …\n\n`, rendered once.
    frame: Bytes,
    /// The length of the `id: …\n` line the frame starts with.
    id_line: usize,
    /// Committed after a higher id was read (PostgreSQL's concurrent
    /// transactions), so behind the cursor of streams that are live.
    pub late: bool,
    pub audience: Audience,
}

impl Item {
    pub fn new(id: i32, kind: StreamKind, data: &str, audience: Audience, late: bool) -> Self {
        let id_line = format!("id: {id}\n");
        let frame = format!("{id_line}event: {}\ndata: {data}\n\n", kind.event());
        Self {
            id,
            frame: Bytes::from(frame),
            id_line: id_line.len(),
            late,
            audience,
        }
    }

    pub fn frame(&self) -> Bytes {
        self.frame.clone()
    }

    /// The frame without its `id:` line, for an item sent after a higher
    /// id: the browser's Last-Event-ID stays the highest it has.
    pub fn frame_without_id(&self) -> Bytes {
        self.frame.slice(self.id_line..)
    }
}

/// What a channel's ring carries.
#[derive(Debug, Clone)]
pub enum Published {
    Item(Arc<Item>),
    Access(AccessChange),
    /// Access changes may have been missed (the listener (re)connected):
    /// every stream checks again.
    Resync,
    Shutdown,
}

/// What happened since the fetcher last read.
#[derive(Debug, Default)]
pub struct Pending {
    /// Read everything after the cursor, whatever `ids` say.
    pub resync: bool,
    /// Ids committed since, in the order heard.
    pub ids: Vec<i32>,
}

pub struct Channel {
    pub key: ChannelKey,
    events: broadcast::Sender<Published>,
    /// Wakes the fetcher: new work, or a stream left.
    pub wake: Notify,
    pending: Mutex<Pending>,
}

impl Channel {
    /// A channel whose fetcher starts with a read of what is new.
    pub fn new(key: ChannelKey) -> Arc<Self> {
        let (events, _) = broadcast::channel(CAPACITY);
        Arc::new(Self {
            key,
            events,
            wake: Notify::new(),
            pending: Mutex::new(Pending {
                resync: true,
                ids: Vec::new(),
            }),
        })
    }

    pub fn subscribe(self: &Arc<Self>) -> Subscription {
        Subscription {
            events: self.events.subscribe(),
            _leave: Leave(self.clone()),
        }
    }

    pub fn streams(&self) -> usize {
        self.events.receiver_count()
    }

    pub fn publish(&self, published: Published) {
        // No receiver is not an error: the last stream just left.
        let _ = self.events.send(published);
    }

    pub fn note_change(&self, id: i32) {
        self.update(|pending| {
            if pending.ids.len() < PENDING_IDS {
                pending.ids.push(id);
            } else {
                pending.resync = true;
            }
        });
    }

    pub fn note_resync(&self) {
        self.update(|pending| pending.resync = true);
    }

    pub fn take_pending(&self) -> Pending {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn update(&self, f: impl FnOnce(&mut Pending)) {
        f(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        self.wake.notify_one();
    }
}

/// A stream's place on a channel. Its receiver is dropped first, then the
/// fetcher is woken to see whether anyone still listens.
pub struct Subscription {
    pub events: broadcast::Receiver<Published>,
    _leave: Leave,
}

struct Leave(Arc<Channel>);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_item_is_its_frame_without_the_id_line() {
        let item = Item::new(42, StreamKind::Chat, "{\"a\":1}", Audience::Everyone, true);
        assert_eq!(
            item.frame(),
            Bytes::from_static(b"id: 42\nevent: chat_message\ndata: {\"a\":1}\n\n")
        );
        assert_eq!(
            item.frame_without_id(),
            Bytes::from_static(b"event: chat_message\ndata: {\"a\":1}\n\n")
        );
    }

    #[test]
    fn too_many_pending_ids_turn_into_a_resync() {
        let channel = Channel::new(ChannelKey {
            kind: StreamKind::Reply,
            key: 1,
        });
        assert!(channel.take_pending().resync);
        for id in 0..=PENDING_IDS as i32 {
            channel.note_change(id);
        }
        let pending = channel.take_pending();
        assert!(pending.resync);
        assert_eq!(pending.ids.len(), PENDING_IDS);
        assert!(!channel.take_pending().resync);
    }
}
