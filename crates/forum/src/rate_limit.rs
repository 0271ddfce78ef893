//! Anti-spam: a user creates at most N topics and M replies per minute.
//! Postings are logged in their own table, in the database: the bound holds
//! across replicas, and deleting a post does not free its place.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_postings, users};
use mdsc_core::{Clock, DbConnection, Error};

pub const WINDOW_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Posting {
    Topic,
    Reply,
}

impl Posting {
    fn as_str(self) -> &'static str {
        match self {
            Self::Topic => "topic",
            Self::Reply => "reply",
        }
    }
}

/// Records a posting of this kind, or refuses with 429 when the actor
/// already made `per_minute` of them in the last minute; `Retry-After` is
/// the time until enough of them leave the window. Call inside the write
/// transaction that inserts the post, so a refused or failed post is not
/// counted.
pub(crate) fn admit(
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
    let mine = || {
        forum_postings::table
            .filter(forum_postings::user_id.eq(actor.user_id))
            .filter(forum_postings::kind.eq(kind.as_str()))
    };
    diesel::delete(mine().filter(forum_postings::created_at.le(since))).execute(conn)?;
    let recent: Vec<NaiveDateTime> = mine()
        .order(forum_postings::created_at.asc())
        .select(forum_postings::created_at)
        .load(conn)?;
    let limit = usize::try_from(per_minute.max(1)).unwrap_or(usize::MAX);
    if recent.len() >= limit {
        // Below the bound again once this one (and those before it) left.
        let leaving = recent[recent.len() - limit];
        let wait = leaving + Duration::seconds(WINDOW_SECONDS) - now;
        let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
        return Err(Error::rate_limited(millis.div_ceil(1000)));
    }
    diesel::insert_into(forum_postings::table)
        .values((
            forum_postings::user_id.eq(actor.user_id),
            forum_postings::kind.eq(kind.as_str()),
            forum_postings::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
