//! A topic's replies in id order, for its event stream: the ones after the
//! last delivered, with the access rules of the thread listing; and the
//! same replies read once for every reader of the topic, each with who may
//! see it, so a stream needs no read of its own per reply.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::forum_replies;
use mdsc_core::{DbConnection, Error};

use crate::access::topic_ctx;
use crate::model::{ForumReply, ReplyRow};
use crate::render::{is_masked, people, render_replies, shown_reply};

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
    let rows = rows_after(conn, topic_id, after, limit)?;
    let (rows_read, last_read) = (rows.len(), rows.iter().map(|r| r.id).max());
    let readable = rows.into_iter().filter(|r| !is_masked(&ctx, r)).collect();
    Ok(RepliesSince {
        replies: render_replies(conn, &ctx, readable)?,
        rows_read,
        last_read,
    })
}

/// The topic's rows after `after` in id order (without `after`, the latest
/// `limit`), whoever may read them.
fn rows_after(
    conn: &mut DbConnection,
    topic_id: i32,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<ReplyRow>, Error> {
    let of_topic = forum_replies::table
        .filter(forum_replies::topic_id.eq(topic_id))
        .select(ReplyRow::as_select());
    Ok(match after {
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
    })
}

/// Who may see a reply in the topic's stream besides its staff: what
/// [`replies_since`] leaves out for a reader, told apart so one read
/// serves every reader. (Deleted replies are for no one and left out.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyAudience {
    /// Every reader of the topic.
    Everyone,
    /// Hidden by a moderator: the course's staff and its author (this user).
    StaffAndAuthor(i32),
}

/// A reply as every reader of its topic's stream gets it: in full, without
/// any reader's own reactions (a reply just written has none yet; the
/// thread listing shows them), with who may see it.
#[derive(Debug)]
pub struct SharedReply {
    pub reply: ForumReply,
    pub audience: ReplyAudience,
}

/// What [`shared_replies_after`] read.
#[derive(Debug)]
pub struct SharedReplies {
    /// The live and hidden ones, not the deleted.
    pub replies: Vec<SharedReply>,
    /// Rows read, deleted or not: as many as the limit means maybe more.
    pub rows_read: usize,
    /// The last id read, to continue from.
    pub last_read: Option<i32>,
}

/// Replies of the topic after `after` (without it, the latest `limit`),
/// read once for every stream of the topic; access is not checked here but
/// by [`topic_reader`] when a stream opens and when access changes, and by
/// the stream per reply by its [`ReplyAudience`].
pub fn shared_replies_after(
    conn: &mut DbConnection,
    topic_id: i32,
    after: Option<i32>,
    limit: i64,
) -> Result<SharedReplies, Error> {
    let rows = rows_after(conn, topic_id, after, limit)?;
    let (rows_read, last_read) = (rows.len(), rows.iter().map(|r| r.id).max());
    let rows: Vec<ReplyRow> = rows
        .into_iter()
        .filter(|r| r.deleted_at.is_none())
        .collect();
    let people = people(conn, rows.iter().map(|r| r.user_id))?;
    let shared = rows
        .into_iter()
        .map(|r| {
            let audience = if r.is_hidden {
                ReplyAudience::StaffAndAuthor(r.user_id)
            } else {
                ReplyAudience::Everyone
            };
            let user = people.get(&r.user_id).cloned();
            SharedReply {
                reply: shown_reply(r, user, None, Vec::new()),
                audience,
            }
        })
        .collect();
    Ok(SharedReplies {
        replies: shared,
        rows_read,
        last_read,
    })
}

/// How a reader relates to a topic they may read: whether they see hidden
/// replies, and the course whose access changes concern them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicReader {
    pub course_id: i32,
    pub is_staff: bool,
}

/// The access rule of [`replies_since`] alone (404 for a hidden topic
/// or none, 403 for a non-member), for a stream that opens or whose
/// reader's access changed.
pub fn topic_reader(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
) -> Result<TopicReader, Error> {
    let (ctx, _) = topic_ctx(conn, actor, topic_id)?;
    Ok(TopicReader {
        course_id: ctx.forum.course_id,
        is_staff: ctx.is_staff(),
    })
}
