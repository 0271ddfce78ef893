//! A channel's fetcher: the one task that reads the channel's new items,
//! once each, and publishes them to every stream of the channel. It runs
//! while streams follow the channel, and ends with the last.

use std::sync::Arc;
use std::time::Duration;

use super::channel::{Channel, Published};
use super::reads::{BATCH, Fetched, fetch};
use super::recent::Recent;
use super::router::Router;
use crate::state::AppState;

/// After a failed read (a busy pool, a lost connection), wait this long
/// and read again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Runs until no stream follows the channel. `cursor`: the last id of the
/// channel when it opened; its first read is what came after.
pub async fn run(state: AppState, router: Arc<Router>, channel: Arc<Channel>, mut cursor: i32) {
    // Ids read lately: a commit heard after the read that found its row
    // (on PostgreSQL, while a later commit's read ran) is not read again.
    let mut seen = Recent::default();
    loop {
        let pending = channel.take_pending();
        let behind: Vec<i32> = pending
            .ids
            .iter()
            .copied()
            .filter(|id| *id <= cursor && !seen.contains(*id))
            .collect();
        let ahead = pending.resync || pending.ids.iter().any(|id| *id > cursor);
        let done = async {
            if ahead {
                cursor = read_ahead(&state, &router, &channel, cursor, &mut seen).await?;
            }
            for id in behind {
                read_late(&state, &router, &channel, id).await?;
            }
            Ok::<(), crate::error::ApiError>(())
        }
        .await;
        if let Err(error) = done {
            log::warn!(
                "real-time: reading {:?} failed ({}); retrying",
                channel.key,
                error.body.message
            );
            tokio::time::sleep(RETRY_AFTER).await;
            channel.note_resync();
            continue;
        }
        if channel.streams() == 0 && router.retire_if_unused(&channel) {
            return;
        }
        channel.wake.notified().await;
    }
}

/// Everything after `cursor`, in batches; the new cursor.
async fn read_ahead(
    state: &AppState,
    router: &Router,
    channel: &Channel,
    mut cursor: i32,
    seen: &mut Recent,
) -> Result<i32, crate::error::ApiError> {
    loop {
        let fetched = read(state, router, channel, Some(cursor), BATCH, false).await?;
        let more = fetched.more;
        for item in &fetched.items {
            seen.push(item.id);
        }
        if let Some(last) = fetched.last_read {
            cursor = cursor.max(last);
        }
        publish(channel, fetched);
        if !more {
            return Ok(cursor);
        }
    }
}

/// An id that committed after a higher one was read (concurrent
/// transactions on PostgreSQL): read alone, published as late.
async fn read_late(
    state: &AppState,
    router: &Router,
    channel: &Channel,
    id: i32,
) -> Result<(), crate::error::ApiError> {
    let mut fetched = read(state, router, channel, Some(id - 1), 1, true).await?;
    fetched.items.retain(|item| item.id == id);
    publish(channel, fetched);
    Ok(())
}

async fn read(
    state: &AppState,
    router: &Router,
    channel: &Channel,
    after: Option<i32>,
    limit: i64,
    late: bool,
) -> Result<Fetched, crate::error::ApiError> {
    router.note_read();
    let key = channel.key;
    state
        .db(move |conn, _| fetch(conn, key, after, limit, late))
        .await
}

fn publish(channel: &Channel, fetched: Fetched) {
    for item in fetched.items {
        channel.publish(Published::Item(Arc::new(item)));
    }
}
