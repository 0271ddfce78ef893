//! Real-time delivery over Server-Sent Events.
//!
//! Every new notification, live-chat message and forum reply becomes a
//! [`Signal`] for the process's [`Hub`]: on PostgreSQL from `LISTEN
//! mdsc_realtime` (insert triggers `NOTIFY` at commit, so every replica
//! hears every commit), on SQLite from polling the new ids (one process
//! serves a SQLite file). The signal reaches its channel (a user's
//! notifications, a session's chat, a topic's replies), whose one fetcher
//! reads the new item once, through the domain's own read, and publishes
//! it to every stream of the channel: the database work per event does not
//! grow with the audience. A stream's access is checked when it opens, and
//! again only when a change that grants it (an enrollment, a role, an
//! account, a course's instructor, a topic's moderation) signals, from
//! triggers on those tables; a stream whose access is gone closes.

mod channel;
mod fetcher;
mod hub;
mod listen_pg;
mod poll_sqlite;
mod reads;
mod recent;
mod router;
mod signal;
mod slots;
pub mod sources;
pub mod sse;
mod stream;
mod viewer;

pub use hub::Hub;
pub use signal::{AccessChange, Change, Signal, StreamKind};
pub use slots::{StreamSlot, StreamSlots};
