//! SQLite: poll the streamed tables for ids above the last seen, and the
//! access changes the triggers of `000500_realtime_access` wrote. Writers
//! take the database lock one at a time and ids grow with each insert, so
//! a row never commits below an id already seen: polling by id misses none.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::dsl::max;
use diesel::prelude::*;
use mdsc_core::schema::{forum_replies, live_session_chat, notifications, realtime_access_changes};
use mdsc_core::{DbConnection, DbPool, Error};

use super::hub::{pause, stopped};
use super::router::Router;
use super::signal::{AccessChange, Change, Signal, StreamKind};

/// The bound on the delay polling adds; four indexed reads each time.
const POLL_EVERY: Duration = Duration::from_millis(50);
/// Rows read per table per poll; more wait for the next poll.
const BATCH: i64 = 1000;
/// Access changes are kept this long, for every gateway polling the file
/// (one normally; tests run two) to read them, then deleted.
const KEEP_ACCESS_CHANGES: Duration = Duration::from_secs(600);
const PRUNE_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
struct Seen {
    notification: i32,
    chat: i32,
    reply: i32,
    access: i32,
}

pub(super) fn run(pool: &DbPool, router: &Router, stop: &AtomicBool) {
    let mut seen: Option<Seen> = None;
    let mut failing = false;
    let mut pruned = Instant::now();
    while !stopped(stop) {
        let mut outcome = poll(pool, &mut seen, router);
        if outcome.is_ok() && pruned.elapsed() >= PRUNE_EVERY {
            outcome = prune(pool);
            pruned = Instant::now();
        }
        match outcome {
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

fn poll(pool: &DbPool, seen: &mut Option<Seen>, router: &Router) -> Result<(), Error> {
    let mut conn = pool.get()?;
    let Some(marks) = seen else {
        *seen = Some(latest(&mut conn)?);
        router.dispatch(Signal::Resync);
        return Ok(());
    };
    let new: Vec<(i32, i32)> = notifications::table
        .filter(notifications::id.gt(marks.notification))
        .order(notifications::id.asc())
        .limit(BATCH)
        .select((notifications::id, notifications::user_id))
        .load(&mut conn)?;
    publish(
        router,
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
    publish(router, StreamKind::Chat, &new, &mut marks.chat);
    let new: Vec<(i32, i32)> = forum_replies::table
        .filter(forum_replies::id.gt(marks.reply))
        .order(forum_replies::id.asc())
        .limit(BATCH)
        .select((forum_replies::id, forum_replies::topic_id))
        .load(&mut conn)?;
    publish(router, StreamKind::Reply, &new, &mut marks.reply);
    let changes: Vec<(i32, String, i32)> = realtime_access_changes::table
        .filter(realtime_access_changes::id.gt(marks.access))
        .order(realtime_access_changes::id.asc())
        .limit(BATCH)
        .select((
            realtime_access_changes::id,
            realtime_access_changes::scope,
            realtime_access_changes::scope_key,
        ))
        .load(&mut conn)?;
    for (id, scope, key) in changes {
        if let Some(change) = AccessChange::parse(&scope, key) {
            router.dispatch(Signal::Access(change));
        }
        marks.access = id;
    }
    Ok(())
}

fn publish(router: &Router, kind: StreamKind, rows: &[(i32, i32)], mark: &mut i32) {
    for &(id, key) in rows {
        router.dispatch(Signal::Change(Change { kind, key, id }));
        *mark = id;
    }
}

/// Deletes the access changes every poller has read long ago.
fn prune(pool: &DbPool) -> Result<(), Error> {
    let keep = chrono::Duration::from_std(KEEP_ACCESS_CHANGES).unwrap_or_default();
    let before = Utc::now().naive_utc() - keep;
    diesel::delete(
        realtime_access_changes::table.filter(realtime_access_changes::created_at.lt(before)),
    )
    .execute(&mut pool.get()?)?;
    Ok(())
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
        access: realtime_access_changes::table
            .select(max(realtime_access_changes::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0),
    })
}
