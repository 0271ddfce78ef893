//! Anti-spam: a user creates at most N topics and M replies per minute.
//! The window is counted in the database, so it holds across replicas.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_replies, forum_topics, users};
use mdsc_core::{Clock, DbConnection, Error};

pub const WINDOW_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Posting {
    Topic,
    Reply,
}

/// Refuses with 429 when the actor already created `per_minute` posts of
/// this kind in the last minute; `Retry-After` is the time until enough of
/// them leave the window. Call inside the write transaction that inserts.
pub(crate) fn check(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    actor: &Principal,
    kind: Posting,
    per_minute: u32,
) -> Result<(), Error> {
    // The user's row serializes their own concurrent posts: each one counts
    // the others, so a burst cannot slip past the bound together.
    mdsc_core::lock_row!(conn, users, actor.user_id)?;
    let now = clock.now();
    let since = now - Duration::seconds(WINDOW_SECONDS);
    let recent: Vec<NaiveDateTime> = match kind {
        Posting::Topic => forum_topics::table
            .filter(forum_topics::user_id.eq(actor.user_id))
            .filter(forum_topics::created_at.gt(since))
            .order(forum_topics::created_at.asc())
            .select(forum_topics::created_at)
            .load(conn)?,
        Posting::Reply => forum_replies::table
            .filter(forum_replies::user_id.eq(actor.user_id))
            .filter(forum_replies::created_at.gt(since))
            .order(forum_replies::created_at.asc())
            .select(forum_replies::created_at)
            .load(conn)?,
    };
    let limit = usize::try_from(per_minute.max(1)).unwrap_or(usize::MAX);
    if recent.len() < limit {
        return Ok(());
    }
    // Below the bound again once this one (and those before it) left.
    let leaving = recent[recent.len() - limit];
    let wait = leaving + Duration::seconds(WINDOW_SECONDS) - now;
    let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
    Err(Error::rate_limited(millis.div_ceil(1000)))
}
