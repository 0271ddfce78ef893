//! Real-time delivery over Server-Sent Events.
//!
//! Every new notification, live-chat message and forum reply becomes a
//! [`Signal`] on the process's [`Hub`]: on PostgreSQL from `LISTEN
//! mdsc_realtime` (insert triggers `NOTIFY` at commit, so every replica
//! hears every commit), on SQLite from polling the new ids (one process
//! serves a SQLite file). Each open stream reacts to the signals of its
//! own channel by reading what is new through the same service functions
//! as the REST routes, with the same access rules, so a signal carries no
//! data and a missed one costs only a later read.

mod hub;
mod listen_pg;
mod poll_sqlite;
mod signal;
mod slots;
pub mod sources;
pub mod sse;

pub use hub::Hub;
pub use signal::{Change, Signal, StreamKind};
pub use slots::{StreamSlot, StreamSlots};
