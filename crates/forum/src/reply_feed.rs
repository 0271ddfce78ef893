//! A topic's replies in id order, for its event stream: the ones after the
//! last delivered, with the access rules of the thread listing.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::forum_replies;
use mdsc_core::{DbConnection, Error};

use crate::access::topic_ctx;
use crate::model::{ForumReply, ReplyRow};
use crate::render::{is_masked, render_replies};

/// What [`replies_since`] read.
#[derive(Debug)]
pub struct RepliesSince {
    /// The readable ones.
    pub replies: Vec<ForumReply>,
    /// Rows read, readable or not: as many as the limit means maybe more.
    pub rows_read: usize,
    /// The last id read, readable or not, to continue from.
    pub last_read: Option<i32>,
}

/// Replies of the topic after `after` in id order, at most `limit`;
/// without `after`, the latest `limit`. Each flat (no `replies` under
/// it; `parent_reply_id` places it). Replies the actor may not read
/// (deleted, or hidden and someone else's) are left out, as they are
/// masked in the listing; the topic itself is checked as
/// `GET /api/topics/{id}/replies` checks it (404 hidden, 403 non-member).
pub fn replies_since(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
    after: Option<i32>,
    limit: i64,
) -> Result<RepliesSince, Error> {
    let (ctx, _) = topic_ctx(conn, actor, topic_id)?;
    let of_topic = forum_replies::table
        .filter(forum_replies::topic_id.eq(topic_id))
        .select(ReplyRow::as_select());
    let rows: Vec<ReplyRow> = match after {
        Some(after) => of_topic
            .filter(forum_replies::id.gt(after))
            .order(forum_replies::id.asc())
            .limit(limit)
            .load(conn)?,
        None => {
            let mut latest: Vec<ReplyRow> = of_topic
                .order(forum_replies::id.desc())
                .limit(limit)
                .load(conn)?;
            latest.reverse();
            latest
        }
    };
    let (rows_read, last_read) = (rows.len(), rows.iter().map(|r| r.id).max());
    let readable = rows.into_iter().filter(|r| !is_masked(&ctx, r)).collect();
    Ok(RepliesSince {
        replies: render_replies(conn, &ctx, readable)?,
        rows_read,
        last_read,
    })
}
