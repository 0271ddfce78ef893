//! Counters that lists show, kept in the transaction of every change with
//! atomic increments: a topic's `reply_count`, `thread_count`,
//! `last_reply_at`, `last_reply_by`, `last_activity_at`, `has_solution` and
//! `view_count`; a reply's reaction counts; a forum's `topic_count`,
//! `hidden_topic_count` and `reply_count`. Lists read their totals from
//! them instead of counting rows. `count_*` recount them from the rows
//! without writing (tests compare), `recompute_*` repair them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{
    course_forums, forum_reactions, forum_replies, forum_topic_views, forum_topics,
};
use mdsc_core::{DbConnection, Error, write_transaction};

use crate::model::{ReactionType, ReplyRow, TopicRow};

fn to_i32(n: i64) -> Result<i32, Error> {
    i32::try_from(n).map_err(|_| Error::internal("counter overflow"))
}

/// The figures kept on a topic row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicCounters {
    pub reply_count: i32,
    /// Top-level replies, hidden ones and deleted placeholders included.
    pub thread_count: i32,
    pub last_reply_at: Option<NaiveDateTime>,
    pub last_reply_by: Option<i32>,
    pub has_solution: bool,
    /// The `recent` order: the later of creation and the last live reply.
    pub last_activity_at: NaiveDateTime,
    /// Distinct viewers.
    pub view_count: i32,
}

/// The reaction counts kept on a reply row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReactionCounts {
    pub upvotes: i32,
    pub downvotes: i32,
    pub like_count: i32,
    pub helpful_count: i32,
}

/// The figures kept on a forum row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForumCounters {
    /// Visible topics.
    pub topic_count: i32,
    pub hidden_topic_count: i32,
    /// Live replies of the visible topics.
    pub reply_count: i32,
}

/// Moves a reply's count of `kind` by `delta`.
pub(crate) fn bump_reaction(
    conn: &mut DbConnection,
    reply_id: i32,
    kind: ReactionType,
    delta: i32,
) -> Result<(), Error> {
    use forum_replies::dsl as r;
    let target = forum_replies::table.find(reply_id);
    match kind {
        ReactionType::Upvote => diesel::update(target)
            .set(r::upvotes.eq(r::upvotes + delta))
            .execute(conn)?,
        ReactionType::Downvote => diesel::update(target)
            .set(r::downvotes.eq(r::downvotes + delta))
            .execute(conn)?,
        ReactionType::Like => diesel::update(target)
            .set(r::like_count.eq(r::like_count + delta))
            .execute(conn)?,
        ReactionType::Helpful => diesel::update(target)
            .set(r::helpful_count.eq(r::helpful_count + delta))
            .execute(conn)?,
    };
    Ok(())
}

/// The latest live reply of a topic: (created_at, author).
fn latest_live_reply(
    conn: &mut DbConnection,
    topic_id: i32,
) -> Result<Option<(NaiveDateTime, i32)>, Error> {
    Ok(forum_replies::table
        .filter(forum_replies::topic_id.eq(topic_id))
        .filter(forum_replies::deleted_at.is_null())
        .filter(forum_replies::is_hidden.eq(false))
        .order((forum_replies::created_at.desc(), forum_replies::id.desc()))
        .select((forum_replies::created_at, forum_replies::user_id))
        .first(conn)
        .optional()?)
}

/// After `live` replies of the topic became live (+) or stopped being (−)
/// and `threads` top-level replies were added or removed: moves its
/// `reply_count` (and its forum's, when the topic is visible) and
/// `thread_count`, and points `last_reply_*` and `last_activity_at` at its
/// latest live reply. Call with the topic locked, inside the change's
/// write transaction.
pub(crate) fn replies_changed(
    conn: &mut DbConnection,
    topic: &TopicRow,
    live: i32,
    threads: i32,
) -> Result<(), Error> {
    let latest = latest_live_reply(conn, topic.id)?;
    set_topic_counts(conn, topic, live, threads, latest)
}

/// A new live reply, `reply`, of the locked `topic` (read after its lock):
/// as [`replies_changed`], without looking for the latest live reply,
/// which is this one (unless the clock went back), so that posting costs
/// the same however long the thread.
pub(crate) fn reply_added(
    conn: &mut DbConnection,
    topic: &TopicRow,
    reply: &ReplyRow,
) -> Result<(), Error> {
    // Ties go to the higher id, as `latest_live_reply` orders them.
    let latest = match (topic.last_reply_at, topic.last_reply_by) {
        (Some(at), Some(by)) if at > reply.created_at => Some((at, by)),
        _ => Some((reply.created_at, reply.user_id)),
    };
    let threads = i32::from(reply.depth == 0);
    set_topic_counts(conn, topic, 1, threads, latest)
}

fn set_topic_counts(
    conn: &mut DbConnection,
    topic: &TopicRow,
    live: i32,
    threads: i32,
    latest: Option<(NaiveDateTime, i32)>,
) -> Result<(), Error> {
    let activity = latest.map_or(topic.created_at, |(at, _)| at.max(topic.created_at));
    diesel::update(forum_topics::table.find(topic.id))
        .set((
            forum_topics::reply_count.eq(forum_topics::reply_count + live),
            forum_topics::thread_count.eq(forum_topics::thread_count + threads),
            forum_topics::last_reply_at.eq(latest.map(|(at, _)| at)),
            forum_topics::last_reply_by.eq(latest.map(|(_, by)| by)),
            forum_topics::last_activity_at.eq(activity),
        ))
        .execute(conn)?;
    if !topic.is_hidden && live != 0 {
        forum_moved(conn, topic.forum_id, ForumDelta::replies(live))?;
    }
    Ok(())
}

/// How a change moves a forum's counters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ForumDelta {
    pub topics: i32,
    pub hidden_topics: i32,
    pub replies: i32,
}

impl ForumDelta {
    fn replies(replies: i32) -> Self {
        Self {
            replies,
            ..Self::default()
        }
    }
}

/// Moves a forum's counters by these deltas.
pub(crate) fn forum_moved(
    conn: &mut DbConnection,
    forum_id: i32,
    delta: ForumDelta,
) -> Result<(), Error> {
    diesel::update(course_forums::table.find(forum_id))
        .set((
            course_forums::topic_count.eq(course_forums::topic_count + delta.topics),
            course_forums::hidden_topic_count
                .eq(course_forums::hidden_topic_count + delta.hidden_topics),
            course_forums::reply_count.eq(course_forums::reply_count + delta.replies),
        ))
        .execute(conn)?;
    Ok(())
}

/// A topic enters (`sign` 1: created) or leaves (−1: deleted) its forum's
/// counts: as a hidden topic, or as a visible one with its live replies.
pub(crate) fn topic_counted(
    conn: &mut DbConnection,
    topic: &TopicRow,
    sign: i32,
) -> Result<(), Error> {
    let delta = if topic.is_hidden {
        ForumDelta {
            hidden_topics: sign,
            ..ForumDelta::default()
        }
    } else {
        ForumDelta {
            topics: sign,
            hidden_topics: 0,
            replies: sign * topic.reply_count,
        }
    };
    forum_moved(conn, topic.forum_id, delta)
}

/// A visible topic becomes hidden (`hidden` true), or a hidden one visible:
/// it moves between its forum's counts, its live replies with it.
pub(crate) fn topic_visibility_changed(
    conn: &mut DbConnection,
    topic: &TopicRow,
    hidden: bool,
) -> Result<(), Error> {
    let sign = if hidden { -1 } else { 1 };
    let delta = ForumDelta {
        topics: sign,
        hidden_topics: -sign,
        replies: sign * topic.reply_count,
    };
    forum_moved(conn, topic.forum_id, delta)
}

// --- recounts ------------------------------------------------------------

pub fn kept_topic_counters(conn: &mut DbConnection, topic_id: i32) -> Result<TopicCounters, Error> {
    let (
        (reply_count, thread_count),
        last_reply_at,
        last_reply_by,
        has_solution,
        last_activity_at,
        view_count,
    ) = forum_topics::table
        .find(topic_id)
        .select((
            (forum_topics::reply_count, forum_topics::thread_count),
            forum_topics::last_reply_at,
            forum_topics::last_reply_by,
            forum_topics::has_solution,
            forum_topics::last_activity_at,
            forum_topics::view_count,
        ))
        .first(conn)?;
    Ok(TopicCounters {
        reply_count,
        thread_count,
        last_reply_at,
        last_reply_by,
        has_solution,
        last_activity_at,
        view_count,
    })
}

pub fn count_topic_counters(
    conn: &mut DbConnection,
    topic_id: i32,
) -> Result<TopicCounters, Error> {
    let live: i64 = forum_replies::table
        .filter(forum_replies::topic_id.eq(topic_id))
        .filter(forum_replies::deleted_at.is_null())
        .filter(forum_replies::is_hidden.eq(false))
        .count()
        .get_result(conn)?;
    let threads: i64 = forum_replies::table
        .filter(forum_replies::topic_id.eq(topic_id))
        .filter(forum_replies::depth.eq(0))
        .count()
        .get_result(conn)?;
    let solutions: i64 = forum_replies::table
        .filter(forum_replies::topic_id.eq(topic_id))
        .filter(forum_replies::is_solution.eq(true))
        .count()
        .get_result(conn)?;
    let viewers: i64 = forum_topic_views::table
        .filter(forum_topic_views::topic_id.eq(topic_id))
        .count()
        .get_result(conn)?;
    let created_at: NaiveDateTime = forum_topics::table
        .find(topic_id)
        .select(forum_topics::created_at)
        .first(conn)?;
    let latest = latest_live_reply(conn, topic_id)?;
    Ok(TopicCounters {
        reply_count: to_i32(live)?,
        thread_count: to_i32(threads)?,
        last_reply_at: latest.map(|(at, _)| at),
        last_reply_by: latest.map(|(_, by)| by),
        has_solution: solutions > 0,
        last_activity_at: latest.map_or(created_at, |(at, _)| at.max(created_at)),
        view_count: to_i32(viewers)?,
    })
}

pub fn kept_reaction_counts(
    conn: &mut DbConnection,
    reply_id: i32,
) -> Result<ReactionCounts, Error> {
    let (upvotes, downvotes, like_count, helpful_count) = forum_replies::table
        .find(reply_id)
        .select((
            forum_replies::upvotes,
            forum_replies::downvotes,
            forum_replies::like_count,
            forum_replies::helpful_count,
        ))
        .first(conn)?;
    Ok(ReactionCounts {
        upvotes,
        downvotes,
        like_count,
        helpful_count,
    })
}

pub fn count_reactions(conn: &mut DbConnection, reply_id: i32) -> Result<ReactionCounts, Error> {
    let rows: Vec<(String, i64)> = forum_reactions::table
        .filter(forum_reactions::reply_id.eq(reply_id))
        .group_by(forum_reactions::reaction_type)
        .select((forum_reactions::reaction_type, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts = ReactionCounts::default();
    for (kind, n) in rows {
        let n = to_i32(n)?;
        match ReactionType::from_db(&kind) {
            Some(ReactionType::Upvote) => counts.upvotes = n,
            Some(ReactionType::Downvote) => counts.downvotes = n,
            Some(ReactionType::Like) => counts.like_count = n,
            Some(ReactionType::Helpful) => counts.helpful_count = n,
            None => {}
        }
    }
    Ok(counts)
}

pub fn kept_forum_counters(conn: &mut DbConnection, forum_id: i32) -> Result<ForumCounters, Error> {
    let (topic_count, hidden_topic_count, reply_count) = course_forums::table
        .find(forum_id)
        .select((
            course_forums::topic_count,
            course_forums::hidden_topic_count,
            course_forums::reply_count,
        ))
        .first(conn)?;
    Ok(ForumCounters {
        topic_count,
        hidden_topic_count,
        reply_count,
    })
}

pub fn count_forum_counters(
    conn: &mut DbConnection,
    forum_id: i32,
) -> Result<ForumCounters, Error> {
    let topics: i64 = forum_topics::table
        .filter(forum_topics::forum_id.eq(forum_id))
        .filter(forum_topics::is_hidden.eq(false))
        .count()
        .get_result(conn)?;
    let hidden_topics: i64 = forum_topics::table
        .filter(forum_topics::forum_id.eq(forum_id))
        .filter(forum_topics::is_hidden.eq(true))
        .count()
        .get_result(conn)?;
    let replies: i64 = forum_replies::table
        .inner_join(forum_topics::table)
        .filter(forum_topics::forum_id.eq(forum_id))
        .filter(forum_topics::is_hidden.eq(false))
        .filter(forum_replies::deleted_at.is_null())
        .filter(forum_replies::is_hidden.eq(false))
        .count()
        .get_result(conn)?;
    Ok(ForumCounters {
        topic_count: to_i32(topics)?,
        hidden_topic_count: to_i32(hidden_topics)?,
        reply_count: to_i32(replies)?,
    })
}

/// Rebuilds one topic's kept counters from its replies and returns them;
/// its writers queue behind the caller's transaction.
pub fn recompute_topic(conn: &mut DbConnection, topic_id: i32) -> Result<TopicCounters, Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        mdsc_core::lock_row!(conn, forum_topics, topic_id)?;
        let t = count_topic_counters(conn, topic_id)?;
        diesel::update(forum_topics::table.find(topic_id))
            .set((
                forum_topics::reply_count.eq(t.reply_count),
                forum_topics::thread_count.eq(t.thread_count),
                forum_topics::last_reply_at.eq(t.last_reply_at),
                forum_topics::last_reply_by.eq(t.last_reply_by),
                forum_topics::has_solution.eq(t.has_solution),
                forum_topics::last_activity_at.eq(t.last_activity_at),
                forum_topics::view_count.eq(t.view_count),
            ))
            .execute(conn)?;
        Ok(t)
    })
}

/// Rebuilds every counter of a forum, its topics and their replies from the
/// rows (repair after a manual change in the database).
pub fn recompute_forum(conn: &mut DbConnection, forum_id: i32) -> Result<ForumCounters, Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        // Locks in the order writers take them (topic, then forum), so
        // nothing deadlocks; each topic's writers queue behind us.
        let topic_ids: Vec<i32> = forum_topics::table
            .filter(forum_topics::forum_id.eq(forum_id))
            .order(forum_topics::id)
            .select(forum_topics::id)
            .load(conn)?;
        for topic_id in topic_ids {
            recompute_topic(conn, topic_id)?;
            let reply_ids: Vec<i32> = forum_replies::table
                .filter(forum_replies::topic_id.eq(topic_id))
                .select(forum_replies::id)
                .load(conn)?;
            for reply_id in reply_ids {
                let c = count_reactions(conn, reply_id)?;
                diesel::update(forum_replies::table.find(reply_id))
                    .set((
                        forum_replies::upvotes.eq(c.upvotes),
                        forum_replies::downvotes.eq(c.downvotes),
                        forum_replies::like_count.eq(c.like_count),
                        forum_replies::helpful_count.eq(c.helpful_count),
                    ))
                    .execute(conn)?;
            }
        }
        // Counted once the forum row is ours: a topic created meanwhile
        // either committed before (and is counted) or moves the counters
        // after us.
        mdsc_core::lock_row!(conn, course_forums, forum_id)?;
        let f = count_forum_counters(conn, forum_id)?;
        diesel::update(course_forums::table.find(forum_id))
            .set((
                course_forums::topic_count.eq(f.topic_count),
                course_forums::hidden_topic_count.eq(f.hidden_topic_count),
                course_forums::reply_count.eq(f.reply_count),
            ))
            .execute(conn)?;
        Ok(f)
    })
}
