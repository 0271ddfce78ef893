//! SQLite: poll the streamed tables for ids above the last seen. Writers
//! take the database lock one at a time and ids grow with each insert, so a
//! row never commits below an id already seen: polling by id misses none.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use diesel::dsl::max;
use diesel::prelude::*;
use mdsc_core::schema::{forum_replies, live_session_chat, notifications};
use mdsc_core::{DbConnection, DbPool, Error};
use tokio::sync::broadcast;

use super::hub::{pause, stopped};
use super::signal::{Change, Signal, StreamKind};

/// The bound on the delay polling adds; three indexed reads each time.
const POLL_EVERY: Duration = Duration::from_millis(50);
/// Rows read per table per poll; more wait for the next poll.
const BATCH: i64 = 1000;

#[derive(Debug, Clone, Copy)]
struct Seen {
    notification: i32,
    chat: i32,
    reply: i32,
}

pub(super) fn run(pool: &DbPool, sender: &broadcast::Sender<Signal>, stop: &AtomicBool) {
    let mut seen: Option<Seen> = None;
    let mut failing = false;
    while !stopped(stop) {
        match poll(pool, &mut seen, sender) {
            Ok(()) => failing = false,
            // Logged once per outage, not ten times a second.
            Err(e) if !failing => {
                failing = true;
                log::warn!("real-time: polling SQLite failed ({e}); retrying");
            }
            Err(_) => {}
        }
        pause(POLL_EVERY, stop);
    }
}

fn poll(
    pool: &DbPool,
    seen: &mut Option<Seen>,
    sender: &broadcast::Sender<Signal>,
) -> Result<(), Error> {
    let mut conn = pool.get()?;
    let Some(marks) = seen else {
        *seen = Some(latest(&mut conn)?);
        let _ = sender.send(Signal::Resync);
        return Ok(());
    };
    let new: Vec<(i32, i32)> = notifications::table
        .filter(notifications::id.gt(marks.notification))
        .order(notifications::id.asc())
        .limit(BATCH)
        .select((notifications::id, notifications::user_id))
        .load(&mut conn)?;
    publish(
        sender,
        StreamKind::Notification,
        &new,
        &mut marks.notification,
    );
    let new: Vec<(i32, i32)> = live_session_chat::table
        .filter(live_session_chat::id.gt(marks.chat))
        .order(live_session_chat::id.asc())
        .limit(BATCH)
        .select((live_session_chat::id, live_session_chat::session_id))
        .load(&mut conn)?;
    publish(sender, StreamKind::Chat, &new, &mut marks.chat);
    let new: Vec<(i32, i32)> = forum_replies::table
        .filter(forum_replies::id.gt(marks.reply))
        .order(forum_replies::id.asc())
        .limit(BATCH)
        .select((forum_replies::id, forum_replies::topic_id))
        .load(&mut conn)?;
    publish(sender, StreamKind::Reply, &new, &mut marks.reply);
    Ok(())
}

fn publish(
    sender: &broadcast::Sender<Signal>,
    kind: StreamKind,
    rows: &[(i32, i32)],
    mark: &mut i32,
) {
    for &(id, key) in rows {
        let _ = sender.send(Signal::Change(Change { kind, key, id }));
        *mark = id;
    }
}

fn latest(conn: &mut DbConnection) -> Result<Seen, Error> {
    Ok(Seen {
        notification: notifications::table
            .select(max(notifications::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0),
        chat: live_session_chat::table
            .select(max(live_session_chat::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0),
        reply: forum_replies::table
            .select(max(forum_replies::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0),
    })
}
