//! Rows to the seed's shapes, in batches: the people, the course and the
//! caller's reactions are loaded with one query each (or read with the
//! rows, for a page of reply threads), and a page of reply threads is
//! assembled into its tree in memory.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use mdsc_auth::UserSummary;
use mdsc_core::schema::{courses, forum_reactions, users};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{DbConnection, Error};

use crate::access::Ctx;
use crate::model::{
    CourseForum, ForumCourse, ForumReply, ForumRow, ForumTopic, ReactionType, ReplyRow, TopicRow,
};

pub(crate) fn people(
    conn: &mut DbConnection,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, UserSummary>, Error> {
    let ids: Vec<i32> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select(UserSummary::as_select())
        .load(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

pub(crate) fn render_forum(conn: &mut DbConnection, row: ForumRow) -> Result<CourseForum, Error> {
    let course = courses::table
        .find(row.course_id)
        .select((courses::id, courses::title, courses::slug))
        .first::<(i32, String, String)>(conn)
        .optional()?
        .map(|(id, title, slug)| ForumCourse { id, title, slug });
    Ok(CourseForum {
        id: row.id,
        course_id: row.course_id,
        title: row.title,
        description: row.description,
        is_locked: row.is_locked,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        course,
        topic_count: row.topic_count,
        reply_count: row.reply_count,
    })
}

pub(crate) fn render_topics(
    conn: &mut DbConnection,
    rows: Vec<TopicRow>,
) -> Result<Vec<ForumTopic>, Error> {
    let people = people(
        conn,
        rows.iter()
            .flat_map(|t| [Some(t.user_id), t.last_reply_by])
            .flatten(),
    )?;
    Ok(rows
        .into_iter()
        .map(|t| ForumTopic {
            id: t.id,
            forum_id: t.forum_id,
            user_id: t.user_id,
            title: t.title,
            content: t.content,
            is_pinned: t.is_pinned,
            is_locked: t.is_locked,
            view_count: t.view_count,
            reply_count: t.reply_count,
            last_reply_at: utc_opt(t.last_reply_at),
            last_reply_by: t.last_reply_by,
            created_at: utc(t.created_at),
            updated_at: utc(t.updated_at),
            user: people.get(&t.user_id).cloned(),
            last_reply_user: t.last_reply_by.and_then(|id| people.get(&id).cloned()),
            has_solution: t.has_solution,
            is_hidden: t.is_hidden,
            lesson_id: t.lesson_id,
            last_activity_at: utc(t.last_activity_at),
        })
        .collect())
}

pub(crate) fn render_topic(conn: &mut DbConnection, row: TopicRow) -> Result<ForumTopic, Error> {
    render_topics(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("rendering lost the topic"))
}

/// A deleted reply for everyone; a hidden one for all but staff and its
/// author: shown, if at all, as an empty placeholder.
pub(crate) fn is_masked(ctx: &Ctx, reply: &ReplyRow) -> bool {
    reply.deleted_at.is_some()
        || (reply.is_hidden && !ctx.is_staff() && reply.user_id != ctx.actor.user_id)
}

/// What rendering replies needs besides their rows: their authors and the
/// reader's own reactions to them.
#[derive(Debug, Default)]
pub(crate) struct ReplyContext {
    pub people: HashMap<i32, UserSummary>,
    pub mine: HashMap<i32, Vec<ReactionType>>,
}

impl ReplyContext {
    /// Loads the authors and the reader's reactions of `rows`: two queries.
    fn load(conn: &mut DbConnection, ctx: &Ctx, rows: &[ReplyRow]) -> Result<Self, Error> {
        let people = people(conn, rows.iter().map(|r| r.user_id))?;
        let mut loaded = Self {
            people,
            mine: HashMap::new(),
        };
        if !rows.is_empty() {
            let reacted: Vec<(i32, String)> = forum_reactions::table
                .filter(forum_reactions::user_id.eq(ctx.actor.user_id))
                .filter(
                    forum_reactions::reply_id.eq_any(rows.iter().map(|r| r.id).collect::<Vec<_>>()),
                )
                .select((forum_reactions::reply_id, forum_reactions::reaction_type))
                .load(conn)?;
            for (reply_id, kind) in reacted {
                loaded.add_reaction(reply_id, &kind);
            }
        }
        Ok(loaded)
    }

    /// Records one of the reader's reactions (as stored) to `reply_id`.
    pub(crate) fn add_reaction(&mut self, reply_id: i32, stored: &str) {
        if let Some(kind) = ReactionType::from_db(stored) {
            let kinds = self.mine.entry(reply_id).or_default();
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
}

/// Replies rendered one by one (no nesting); masked ones as placeholders.
pub(crate) fn render_replies(
    conn: &mut DbConnection,
    ctx: &Ctx,
    rows: Vec<ReplyRow>,
) -> Result<Vec<ForumReply>, Error> {
    let loaded = ReplyContext::load(conn, ctx, &rows)?;
    Ok(render_loaded(ctx, rows, loaded))
}

/// [`render_replies`] with the authors and reactions already loaded.
fn render_loaded(ctx: &Ctx, rows: Vec<ReplyRow>, loaded: ReplyContext) -> Vec<ForumReply> {
    let ReplyContext { people, mut mine } = loaded;
    rows.into_iter()
        .map(|r| {
            let mut reactions = mine.remove(&r.id).unwrap_or_default();
            reactions.sort_unstable();
            let vote = reactions
                .iter()
                .copied()
                .find(|k| matches!(k, ReactionType::Upvote | ReactionType::Downvote));
            let is_deleted = r.deleted_at.is_some();
            if is_masked(ctx, &r) {
                // A placeholder that holds its answers' place: nothing of
                // the post, and its author only for staff.
                let author = ctx.is_staff().then_some(r.user_id);
                return ForumReply {
                    id: r.id,
                    topic_id: r.topic_id,
                    user_id: author.unwrap_or(0),
                    parent_reply_id: r.parent_reply_id,
                    content: String::new(),
                    is_solution: false,
                    upvotes: 0,
                    downvotes: 0,
                    like_count: 0,
                    helpful_count: 0,
                    created_at: utc(r.created_at),
                    updated_at: utc(r.updated_at),
                    user: author.and_then(|id| people.get(&id).cloned()),
                    parent_reply: None,
                    replies: None,
                    user_reaction: None,
                    user_reactions: Vec::new(),
                    is_deleted,
                    is_hidden: r.is_hidden,
                    depth: r.depth,
                };
            }
            let user = people.get(&r.user_id).cloned();
            shown_reply(r, user, vote, reactions)
        })
        .collect()
}

/// A reply shown in full, with the reader's own reactions.
pub(crate) fn shown_reply(
    r: ReplyRow,
    user: Option<UserSummary>,
    user_reaction: Option<ReactionType>,
    user_reactions: Vec<ReactionType>,
) -> ForumReply {
    ForumReply {
        id: r.id,
        topic_id: r.topic_id,
        user_id: r.user_id,
        parent_reply_id: r.parent_reply_id,
        content: r.content,
        is_solution: r.is_solution,
        upvotes: r.upvotes,
        downvotes: r.downvotes,
        like_count: r.like_count,
        helpful_count: r.helpful_count,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
        user,
        parent_reply: None,
        replies: None,
        user_reaction,
        user_reactions,
        is_deleted: r.deleted_at.is_some(),
        is_hidden: r.is_hidden,
        depth: r.depth,
    }
}

pub(crate) fn render_reply(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: ReplyRow,
) -> Result<ForumReply, Error> {
    render_replies(conn, ctx, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("rendering lost the reply"))
}

/// Top-level replies, in the given order, each with its whole thread under
/// `replies` (answers oldest first). `descendants` are every reply whose
/// root is one of `roots`; `loaded` holds the authors and the reader's
/// reactions of both.
pub(crate) fn render_threads(
    ctx: &Ctx,
    roots: Vec<ReplyRow>,
    descendants: Vec<ReplyRow>,
    loaded: ReplyContext,
) -> Vec<ForumReply> {
    let order: Vec<i32> = roots.iter().map(|r| r.id).collect();
    let mut children: HashMap<i32, Vec<(chrono::NaiveDateTime, i32)>> = HashMap::new();
    for d in &descendants {
        if let Some(parent) = d.parent_reply_id {
            children
                .entry(parent)
                .or_default()
                .push((d.created_at, d.id));
        }
    }
    for list in children.values_mut() {
        list.sort_unstable();
    }
    let all: Vec<ReplyRow> = roots.into_iter().chain(descendants).collect();
    let masked: HashSet<i32> = all
        .iter()
        .filter(|r| is_masked(ctx, r))
        .map(|r| r.id)
        .collect();
    let mut rendered: HashMap<i32, ForumReply> = render_loaded(ctx, all, loaded)
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    order
        .into_iter()
        .filter_map(|id| assemble(id, &mut rendered, &children, &masked))
        .collect()
}

/// The reply with its answers; `None` for a masked reply left without any
/// answer to hold the place of.
fn assemble(
    id: i32,
    rendered: &mut HashMap<i32, ForumReply>,
    children: &HashMap<i32, Vec<(chrono::NaiveDateTime, i32)>>,
    masked: &HashSet<i32>,
) -> Option<ForumReply> {
    let mut node = rendered.remove(&id)?;
    let answers: Vec<ForumReply> = children
        .get(&id)
        .map(|list| {
            list.iter()
                .filter_map(|(_, child)| assemble(*child, rendered, children, masked))
                .collect()
        })
        .unwrap_or_default();
    if answers.is_empty() && masked.contains(&id) {
        return None;
    }
    node.replies = Some(answers);
    Some(node)
}
