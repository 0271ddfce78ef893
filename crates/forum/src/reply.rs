//! Replies: answer a topic or another reply of it, edit, delete (keeping
//! the place of a reply that has answers), mark a solution. Their list is
//! `reply_list`.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_reactions, forum_replies, forum_topics};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_notify::events::ReplyFacts;
use mdsc_notify::{Subject, forum_post_withdrawn};
use serde::Deserialize;
use validator::Validate;

use crate::access::{Ctx, ensure_live, find_reply, lock_reply, topic_ctx};
use crate::counters::{replies_changed, reply_added};
use crate::model::{ForumReply, ReplyRow, TopicRow};
use crate::participants;
use crate::rate_limit::{self, Posting};
use crate::render::render_reply;
pub use crate::reply_list::{ReplyListQuery, ReplySort, list_replies};
use crate::settings::ForumSettings;
use crate::text::validate_markdown;

/// How deep answers nest: a top-level reply has depth 0. Bounded so that a
/// thread stays readable and its JSON stays shallow.
pub const MAX_DEPTH: i32 = 10;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateReplyInput {
    /// Markdown, 1 to 20,000 characters.
    #[validate(length(min = 1, max = 20000), custom(function = validate_markdown))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub content: String,
    /// The reply answered, of the same topic; none for a top-level reply.
    pub parent_reply_id: Option<i32>,
}

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateReplyInput {
    #[validate(length(min = 1, max = 20000), custom(function = validate_markdown))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub content: String,
}

/// `{"value": false}` takes the mark back; an empty body marks.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
pub struct SolutionInput {
    pub value: Option<bool>,
}

fn locked_topic() -> Error {
    Error::forbidden("This topic is locked").with_code("TOPIC_LOCKED")
}

/// The topic, locked, with the actor's context.
fn topic_for_change(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
) -> Result<(Ctx, TopicRow), Error> {
    mdsc_core::lock_row!(conn, forum_topics, topic_id)?;
    topic_ctx(conn, actor, topic_id)
}

/// Students answer neither in a locked forum nor in a locked topic.
fn ensure_open(ctx: &Ctx, topic: &TopicRow) -> Result<(), Error> {
    ctx.ensure_writable()?;
    if topic.is_locked && !ctx.is_staff() {
        return Err(locked_topic());
    }
    Ok(())
}

/// A reply's topic locked first, then the reply: the order every writer of
/// a thread follows.
fn reply_for_change(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
) -> Result<(Ctx, TopicRow, ReplyRow), Error> {
    let topic_id = find_reply(conn, reply_id)?.topic_id;
    let (ctx, topic) = topic_for_change(conn, actor, topic_id)?;
    let reply = lock_reply(conn, reply_id)?;
    Ok((ctx, topic, reply))
}

/// The parent of a new reply: a reply of the same topic one may answer.
fn parent_of(conn: &mut DbConnection, topic_id: i32, parent_id: i32) -> Result<ReplyRow, Error> {
    let parent = forum_replies::table
        .find(parent_id)
        .select(ReplyRow::as_select())
        .first(conn)
        .optional()?
        .filter(|p| p.topic_id == topic_id)
        .ok_or_else(|| {
            Error::invalid_field("parent_reply_id", "must be a reply of the same topic")
        })?;
    if !parent.is_live() {
        return Err(Error::invalid_field(
            "parent_reply_id",
            "was deleted or hidden and takes no answers",
        ));
    }
    if parent.depth >= MAX_DEPTH {
        return Err(Error::invalid_field(
            "parent_reply_id",
            format!("answers nest at most {MAX_DEPTH} levels deep; answer higher in the thread"),
        ));
    }
    Ok(parent)
}

/// An enrolled student or staff answers the topic, or one of its replies.
///
/// The checks, the validation and the parent's reading come first, outside
/// the write transaction, which on SQLite holds the database-wide write
/// lock: it only takes the topic's lock, reads again under it what a
/// concurrent change could have moved (one statement, and the parent),
/// and writes.
pub fn create_reply(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ForumSettings,
    topic_id: i32,
    input: CreateReplyInput,
) -> Result<ForumReply, Error> {
    let (ctx, topic) = topic_ctx(conn, actor, topic_id)?;
    ensure_open(&ctx, &topic)?;
    input.validate()?;
    if let Some(parent_id) = input.parent_reply_id {
        parent_of(conn, topic_id, parent_id)?;
    }
    let (ctx, row, parent) = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, topic) = topic_for_change(conn, actor, topic_id)?;
        ensure_open(&ctx, &topic)?;
        let parent = input
            .parent_reply_id
            .map(|id| parent_of(conn, topic_id, id))
            .transpose()?;
        rate_limit::admit(
            conn,
            clock,
            actor,
            Posting::Reply,
            settings.replies_per_minute,
        )?;
        let now = clock.now();
        let id: i32 = diesel::insert_into(forum_replies::table)
            .values((
                forum_replies::topic_id.eq(topic_id),
                forum_replies::user_id.eq(actor.user_id),
                forum_replies::parent_reply_id.eq(parent.as_ref().map(|p| p.id)),
                forum_replies::root_reply_id
                    .eq(parent.as_ref().map(|p| p.root_reply_id.unwrap_or(p.id))),
                forum_replies::depth.eq(parent.as_ref().map_or(0, |p| p.depth + 1)),
                forum_replies::content.eq(&input.content),
                forum_replies::created_at.eq(now),
                forum_replies::updated_at.eq(now),
            ))
            .returning(forum_replies::id)
            .get_result(conn)?;
        // (`RETURNING` the whole row is not available through the
        // multi-backend connection.)
        let row = find_reply(conn, id)?;
        reply_added(conn, &topic, &row)?;
        participants::join(conn, topic_id, actor.user_id, now)?;
        let facts = ReplyFacts {
            course_id: ctx.forum.course_id,
            topic_id,
            topic_title: &topic.title,
            topic_author: topic.user_id,
            topic_hidden: topic.is_hidden,
            reply_id: row.id,
            content: &row.content,
        };
        mdsc_notify::events::forum_reply(conn, actor.user_id, &facts, now)?;
        Ok((ctx, row, parent))
    })?;
    let mut reply = render_reply(conn, &ctx, row)?;
    if let Some(parent) = parent {
        reply.parent_reply = Some(Box::new(render_reply(conn, &ctx, parent)?));
    }
    Ok(reply)
}

/// Its author or staff edit a reply.
pub fn update_reply(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    reply_id: i32,
    input: UpdateReplyInput,
) -> Result<ForumReply, Error> {
    let (ctx, row) = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, _, reply) = reply_for_change(conn, actor, reply_id)?;
        if reply.deleted_at.is_some() {
            return Err(Error::not_found("Reply"));
        }
        ctx.ensure_author_or_staff(reply.user_id, "reply")?;
        ctx.ensure_writable()?;
        input.validate()?;
        diesel::update(forum_replies::table.find(reply_id))
            .set((
                forum_replies::content.eq(&input.content),
                forum_replies::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        Ok((ctx, find_reply(conn, reply_id)?))
    })?;
    render_reply(conn, &ctx, row)
}

fn has_answers(conn: &mut DbConnection, reply_id: i32) -> Result<bool, Error> {
    let n: i64 = forum_replies::table
        .filter(forum_replies::parent_reply_id.eq(reply_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Its author or staff delete a reply. One with answers keeps its place in
/// the tree, its content, reactions and solution mark removed; one without
/// is deleted, and so are the deleted ancestors it was the last answer of.
pub fn delete_reply(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    reply_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, topic, reply) = reply_for_change(conn, actor, reply_id)?;
        if reply.deleted_at.is_some() {
            return Err(Error::not_found("Reply"));
        }
        ctx.ensure_author_or_staff(reply.user_id, "reply")?;
        ctx.ensure_writable()?;
        forum_post_withdrawn(conn, Subject::ForumReply(reply_id), clock.now())?;
        if reply.is_solution {
            diesel::update(forum_topics::table.find(topic.id))
                .set(forum_topics::has_solution.eq(false))
                .execute(conn)?;
        }
        // Top-level replies that leave the tree: the thread's count.
        let threads_removed = if has_answers(conn, reply_id)? {
            diesel::delete(forum_reactions::table.filter(forum_reactions::reply_id.eq(reply_id)))
                .execute(conn)?;
            diesel::update(forum_replies::table.find(reply_id))
                .set((
                    forum_replies::content.eq(""),
                    forum_replies::deleted_at.eq(Some(clock.now())),
                    forum_replies::is_solution.eq(false),
                    forum_replies::upvotes.eq(0),
                    forum_replies::downvotes.eq(0),
                    forum_replies::like_count.eq(0),
                    forum_replies::helpful_count.eq(0),
                ))
                .execute(conn)?;
            0
        } else {
            diesel::delete(forum_replies::table.find(reply_id)).execute(conn)?;
            let root_pruned = prune_deleted_ancestors(conn, reply.parent_reply_id)?;
            i32::from(reply.depth == 0 || root_pruned)
        };
        let was_counted = reply.is_live();
        replies_changed(
            conn,
            &topic,
            if was_counted { -1 } else { 0 },
            -threads_removed,
        )
    })
}

/// Deleted replies kept only for their answers go once the last answer
/// has. Whether the thread's top-level reply went with them.
fn prune_deleted_ancestors(
    conn: &mut DbConnection,
    mut parent: Option<i32>,
) -> Result<bool, Error> {
    while let Some(id) = parent {
        let row = find_reply(conn, id)?;
        if row.deleted_at.is_none() || has_answers(conn, id)? {
            return Ok(false);
        }
        diesel::delete(forum_replies::table.find(id)).execute(conn)?;
        if row.depth == 0 {
            return Ok(true);
        }
        parent = row.parent_reply_id;
    }
    Ok(false)
}

/// The topic's author or staff mark a reply as the solution (moving the
/// mark from any other reply of the topic), or take the mark back.
pub fn mark_solution(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
    input: SolutionInput,
) -> Result<ForumReply, Error> {
    let (ctx, row) = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, topic, reply) = reply_for_change(conn, actor, reply_id)?;
        if !ctx.is_staff() && topic.user_id != actor.user_id {
            return Err(Error::forbidden(
                "Only the topic's author or the course's staff may mark its solution",
            ));
        }
        ctx.ensure_writable()?;
        let mark = input.value.unwrap_or(true);
        if mark {
            ensure_live(&reply)?;
            // The previous solution first: the unique index allows one.
            diesel::update(
                forum_replies::table
                    .filter(forum_replies::topic_id.eq(topic.id))
                    .filter(forum_replies::is_solution.eq(true))
                    .filter(forum_replies::id.ne(reply_id)),
            )
            .set(forum_replies::is_solution.eq(false))
            .execute(conn)?;
            diesel::update(forum_replies::table.find(reply_id))
                .set(forum_replies::is_solution.eq(true))
                .execute(conn)?;
            diesel::update(forum_topics::table.find(topic.id))
                .set(forum_topics::has_solution.eq(true))
                .execute(conn)?;
        } else if reply.is_solution {
            diesel::update(forum_replies::table.find(reply_id))
                .set(forum_replies::is_solution.eq(false))
                .execute(conn)?;
            diesel::update(forum_topics::table.find(topic.id))
                .set(forum_topics::has_solution.eq(false))
                .execute(conn)?;
        }
        Ok((ctx, find_reply(conn, reply_id)?))
    })?;
    render_reply(conn, &ctx, row)
}
