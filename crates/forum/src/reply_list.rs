//! A topic's replies: a page of top-level replies in the chosen order, each
//! with its whole thread under `replies`; paged by `page` (up to
//! `MAX_OFFSET` threads deep) or by keyset cursor (`after`).
//!
//! Its cost does not grow with the thread: the page is an index seek in
//! its order, and the total is the topic's kept `thread_count` less the
//! threads the reader cannot see at all, found among the few moderated
//! (hidden or deleted) top-level replies through a partial index.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Timestamp};
use mdsc_auth::Principal;
use mdsc_auth::UserSummary;
use mdsc_core::prepared_sql::sql;
use mdsc_core::schema::{forum_replies, users};
use mdsc_core::{DbConnection, Error, Page, PageParams, cursor};
use serde::{Deserialize, Serialize};

use crate::access::{Ctx, topic_ctx};
use crate::model::{ForumReply, ReactionType, ReplyRow};
use crate::render::{ReplyContext, render_threads};
use crate::sql::Db;
use mdsc_core::row_compare;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReplySort {
    /// Newest first.
    Recent,
    /// Oldest first (default: the conversation's order).
    #[default]
    Oldest,
    /// Best score (upvotes − downvotes) first.
    Votes,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReplyListQuery {
    /// Page number, from 1; pages start at most 10,000 threads deep
    /// (`422 PAGE_TOO_DEEP`): read further with `after`.
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `pagination.next_cursor` of the previous page: the page after it
    /// (`page` is then ignored).
    pub after: Option<String>,
    /// Order of the top-level replies; answers are always oldest first.
    #[param(inline)]
    pub sort: Option<ReplySort>,
}

/// A top-level reply's sort key in each order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ReplyKey {
    /// (created_at, id), ascending.
    #[serde(rename = "o")]
    Oldest(NaiveDateTime, i32),
    /// (created_at, id), descending.
    #[serde(rename = "r")]
    Recent(NaiveDateTime, i32),
    /// (vote_rank, created_at, id), ascending: `vote_rank` is
    /// `downvotes - upvotes`, so the best score comes first.
    #[serde(rename = "v")]
    Votes(i32, NaiveDateTime, i32),
}

impl ReplyKey {
    fn of(sort: ReplySort, r: &ReplyRow) -> Self {
        match sort {
            ReplySort::Oldest => Self::Oldest(r.created_at, r.id),
            ReplySort::Recent => Self::Recent(r.created_at, r.id),
            ReplySort::Votes => Self::Votes(r.downvotes - r.upvotes, r.created_at, r.id),
        }
    }

    fn sort(self) -> ReplySort {
        match self {
            Self::Oldest(..) => ReplySort::Oldest,
            Self::Recent(..) => ReplySort::Recent,
            Self::Votes(..) => ReplySort::Votes,
        }
    }
}

/// Replies with their authors: the page and its answers are read with
/// whom they are by, in the same statement.
type WithAuthors = diesel::helper_types::LeftJoinOn<
    forum_replies::table,
    users::table,
    diesel::dsl::Eq<users::id, forum_replies::user_id>,
>;
type ReplyQuery = diesel::helper_types::IntoBoxed<'static, WithAuthors, Db>;

fn with_authors() -> WithAuthors {
    forum_replies::table.left_join(users::table.on(users::id.eq(forum_replies::user_id)))
}

/// The reader's reactions to the row's reply, as one number: bit `i` set
/// for `ReactionType::ALL[i]` (the unique index allows each type once).
fn my_reactions<QS>(me: i32) -> Box<dyn BoxableExpression<QS, Db, SqlType = BigInt>> {
    let cases: String = ReactionType::ALL
        .iter()
        .enumerate()
        .map(|(bit, kind)| format!(" WHEN '{}' THEN {}", kind.as_str(), 1 << bit))
        .collect();
    Box::new(
        sql::<BigInt>(format!(
            "(SELECT CAST(COALESCE(SUM(CASE forum_reactions.reaction_type{cases} ELSE 0 END), 0) \
             AS BIGINT) FROM forum_reactions \
             WHERE forum_reactions.reply_id = forum_replies.id AND forum_reactions.user_id = "
        ))
        .bind::<Integer, _>(me)
        .sql(")"),
    )
}

/// A reply row as the list reads it: the reply, its author, the reader's
/// reactions ([`my_reactions`]).
type ListedRow = (ReplyRow, Option<UserSummary>, i64);

/// Splits listed rows into replies and what rendering them needs.
fn unpack(rows: Vec<ListedRow>, loaded: &mut ReplyContext) -> Vec<ReplyRow> {
    rows.into_iter()
        .map(|(reply, author, reactions)| {
            if let Some(author) = author {
                loaded.people.insert(author.id, author);
            }
            for (bit, kind) in ReactionType::ALL.iter().enumerate() {
                if reactions & (1 << bit) != 0 {
                    loaded.add_reaction(reply.id, kind.as_str());
                }
            }
            reply
        })
        .collect()
}

fn ordered(q: ReplyQuery, sort: ReplySort) -> ReplyQuery {
    use forum_replies::dsl as r;
    match sort {
        ReplySort::Oldest => q.order((r::created_at.asc(), r::id.asc())),
        ReplySort::Recent => q.order((r::created_at.desc(), r::id.desc())),
        ReplySort::Votes => q.order((r::vote_rank.asc(), r::created_at.asc(), r::id.asc())),
    }
}

fn after(q: ReplyQuery, key: ReplyKey) -> ReplyQuery {
    match key {
        ReplyKey::Oldest(at, id) => q.filter(row_compare!(
            "forum_replies.created_at, forum_replies.id" ">" (Timestamp = at, Integer = id)
        )),
        ReplyKey::Recent(at, id) => q.filter(row_compare!(
            "forum_replies.created_at, forum_replies.id" "<" (Timestamp = at, Integer = id)
        )),
        ReplyKey::Votes(rank, at, id) => q.filter(row_compare!(
            "forum_replies.vote_rank, forum_replies.created_at, forum_replies.id" ">"
            (Integer = rank, Timestamp = at, Integer = id)
        )),
    }
}

/// Top-level replies of the topic the reader cannot see at all: shown only
/// as a placeholder (deleted; or hidden, and neither the reader's nor
/// read by staff), with every answer under it a placeholder too.
/// `render_threads` leaves exactly these out. Staff read it as
/// [`UNLISTED_FOR_STAFF`]; others as the three `UNLISTED_FOR_READER_*`
/// pieces around two binds of their id.
fn unlisted<QS>(ctx: &Ctx) -> Box<dyn BoxableExpression<QS, Db, SqlType = Bool>> {
    if ctx.is_staff() {
        Box::new(sql::<Bool>(UNLISTED_FOR_STAFF))
    } else {
        let me = ctx.actor.user_id;
        Box::new(
            sql::<Bool>(UNLISTED_FOR_READER_HEAD)
                .bind::<Integer, _>(me)
                .sql(UNLISTED_FOR_READER_MIDDLE)
                .bind::<Integer, _>(me)
                .sql(UNLISTED_FOR_READER_TAIL),
        )
    }
}

const UNLISTED_FOR_STAFF: &str = "(forum_replies.deleted_at IS NOT NULL AND NOT EXISTS (\
     SELECT 1 FROM forum_replies answer \
     WHERE answer.root_reply_id = forum_replies.id AND answer.deleted_at IS NULL))";
const UNLISTED_FOR_READER_HEAD: &str = "((forum_replies.deleted_at IS NOT NULL \
     OR (forum_replies.is_hidden AND forum_replies.user_id <> ";
const UNLISTED_FOR_READER_MIDDLE: &str = ")) AND NOT EXISTS (\
     SELECT 1 FROM forum_replies answer \
     WHERE answer.root_reply_id = forum_replies.id AND answer.deleted_at IS NULL \
     AND (NOT answer.is_hidden OR answer.user_id = ";
const UNLISTED_FOR_READER_TAIL: &str = ")))";

/// How many threads of the topic the reader cannot see ([`unlisted`]), as
/// a column: only moderated top-level replies can be such, and the partial
/// index of moderated replies finds them without reading the thread (its
/// condition spelled out literally, as SQLite needs to use it).
/// Uncorrelated, so both backends compute it once per statement.
fn unlisted_count<QS>(
    ctx: &Ctx,
    topic_id: i32,
) -> Box<dyn BoxableExpression<QS, Db, SqlType = BigInt>> {
    let head = sql::<BigInt>("(SELECT COUNT(*) FROM forum_replies WHERE forum_replies.topic_id = ")
        .bind::<Integer, _>(topic_id)
        .sql(
            " AND forum_replies.depth = 0 \
             AND (forum_replies.is_hidden OR forum_replies.deleted_at IS NOT NULL) AND ",
        );
    if ctx.is_staff() {
        Box::new(head.sql(UNLISTED_FOR_STAFF).sql(")"))
    } else {
        let me = ctx.actor.user_id;
        Box::new(
            head.sql(UNLISTED_FOR_READER_HEAD)
                .bind::<Integer, _>(me)
                .sql(UNLISTED_FOR_READER_MIDDLE)
                .bind::<Integer, _>(me)
                .sql(UNLISTED_FOR_READER_TAIL)
                .sql(")"),
        )
    }
}

fn invalid_cursor() -> Error {
    Error::invalid_field("after", "is not a cursor of this list").with_code("INVALID_CURSOR")
}

/// A page of top-level replies, each with its thread under `replies`.
pub fn list_replies(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
    query: ReplyListQuery,
) -> Result<Page<ForumReply>, Error> {
    let (ctx, topic) = topic_ctx(conn, actor, topic_id)?;
    let sort = query.sort.unwrap_or_default();
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let mut roots: ReplyQuery = with_authors()
        .filter(forum_replies::topic_id.eq(topic_id))
        .filter(forum_replies::depth.eq(0))
        .filter(diesel::dsl::not(unlisted(&ctx)))
        .into_boxed();
    let mut offset = 0;
    match query.after.as_deref() {
        Some(cursor) => {
            let key: ReplyKey = cursor::decode("after", cursor)?;
            if key.sort() != sort {
                return Err(invalid_cursor());
            }
            roots = after(roots, key);
        }
        None => offset = request.bounded_offset()?,
    }
    let me = ctx.actor.user_id;
    // One statement: the page, its authors, the reader's reactions, and
    // how many threads the reader cannot see (the same on every row).
    let page: Vec<(ReplyRow, Option<UserSummary>, i64, i64)> = ordered(roots, sort)
        .offset(offset)
        .limit(request.limit + 1)
        .select((
            ReplyRow::as_select(),
            Option::<UserSummary>::as_select(),
            my_reactions(me),
            unlisted_count(&ctx, topic_id),
        ))
        .load(conn)?;
    let unlisted = match page.first() {
        Some((.., unlisted)) => *unlisted,
        // A page past the end: the count alone.
        None => diesel::select(unlisted_count(&ctx, topic_id)).get_result::<i64>(conn)?,
    };
    let total = i64::from(topic.thread_count) - unlisted;
    let mut loaded = ReplyContext::default();
    let listed: Vec<ListedRow> = page.into_iter().map(|(r, a, m, _)| (r, a, m)).collect();
    let mut roots = unpack(listed, &mut loaded);
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    let next = if roots.len() > limit {
        roots.truncate(limit);
        roots.last().map(|r| cursor::encode(&ReplyKey::of(sort, r)))
    } else {
        None
    };
    let descendants: Vec<ReplyRow> = if roots.is_empty() {
        Vec::new()
    } else {
        let rows: Vec<ListedRow> = with_authors()
            .filter(
                forum_replies::root_reply_id.eq_any(roots.iter().map(|r| r.id).collect::<Vec<_>>()),
            )
            .select((
                ReplyRow::as_select(),
                Option::<UserSummary>::as_select(),
                my_reactions(me),
            ))
            .load(conn)?;
        unpack(rows, &mut loaded)
    };
    let data = render_threads(&ctx, roots, descendants, loaded);
    Ok(Page::new(data, request, total).with_next_cursor(next))
}
