//! A forum's topic list: pinned topics first, then the chosen order;
//! filtered and searched; paged by `page` (up to `MAX_OFFSET` rows deep) or
//! by keyset cursor (`after`), each page handing out the next one's cursor.
//!
//! Its cost does not grow with the forum. A page is an index seek in its
//! order (each order has an index holding its whole key); the unfiltered
//! total comes from the counters kept on the forum row; a filtered or
//! searched total counts at most `COUNTED_TOTAL_MAX` rows.

use diesel::dsl::not;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::forum_topics;
use mdsc_core::{DbConnection, Error, Page, PageParams, cursor};
use serde::Deserialize;

use crate::access::forum_ctx_and_own_hidden;
use crate::model::{ForumTopic, TopicRow};
use crate::render::render_topics;
use crate::search::{Search, Within};
use crate::sql::{COUNTED_TOTAL_MAX, Db};
use crate::topic_cursor::{Part, TopicCursor, TopicKey, invalid_cursor};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TopicSort {
    /// Last activity (creation or latest reply) first (default).
    #[default]
    Recent,
    /// Most replies first, then most views.
    Popular,
    /// Newest topics first.
    Pinned,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TopicFilter {
    #[default]
    All,
    /// Without a solution.
    Unsolved,
    /// With a solution.
    Solved,
    /// Without any live reply.
    Unanswered,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicListQuery {
    /// Page number, from 1; pages start at most 10,000 topics deep
    /// (`422 PAGE_TOO_DEEP`): read further with `after`.
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `pagination.next_cursor` of the previous page: the page after it
    /// (`page` is then ignored).
    pub after: Option<String>,
    /// Pinned topics always come first; then this order.
    #[param(inline)]
    pub sort: Option<TopicSort>,
    /// Words that must all appear in the title or content, in any order,
    /// ignoring case and accents (at most 200 characters, 10 words).
    /// Topics with every word in their title come first.
    pub search: Option<String>,
    #[param(inline)]
    pub filter: Option<TopicFilter>,
    /// Only the questions asked from this lesson.
    pub lesson_id: Option<i32>,
}

pub(crate) type TopicQuery<'a> = forum_topics::BoxedQuery<'a, Db>;

/// The list's rows before paging: forum, visibility and filters; the
/// search, if any, applies per part.
pub(crate) struct Listing {
    pub forum_id: i32,
    /// Staff see hidden topics; others only their own.
    pub hidden_for: Option<i32>,
    pub filter: TopicFilter,
    pub lesson_id: Option<i32>,
    pub sort: TopicSort,
    pub search: Option<Search>,
    /// For a rare search, the few topics the index lists
    /// ([`Search::rare_matches`]): what is left to read is read among them.
    pub rare_matches: Option<Vec<i32>>,
    /// Whether the index was asked for `rare_matches` (once per request).
    pub rare_probed: bool,
}

impl Listing {
    /// The parts the results come in, in order.
    fn parts(&self) -> &'static [Option<Part>] {
        if self.search.is_some() {
            &[Some(Part::Title), Some(Part::Other)]
        } else {
            &[None]
        }
    }

    pub(crate) fn rows(&self) -> TopicQuery<'static> {
        let mut q = forum_topics::table
            .filter(forum_topics::forum_id.eq(self.forum_id))
            .into_boxed();
        if let Some(me) = self.hidden_for {
            q = q.filter(
                forum_topics::is_hidden
                    .eq(false)
                    .or(forum_topics::user_id.eq(me)),
            );
        }
        if let Some(lesson_id) = self.lesson_id {
            q = q.filter(forum_topics::lesson_id.eq(lesson_id));
        }
        match self.filter {
            TopicFilter::All => q,
            TopicFilter::Unsolved => q.filter(forum_topics::has_solution.eq(false)),
            TopicFilter::Solved => q.filter(forum_topics::has_solution.eq(true)),
            TopicFilter::Unanswered => q.filter(forum_topics::reply_count.eq(0)),
        }
    }

    /// The rows of `part` of a search's results (all of them for `None`),
    /// found `via` a scan or the index; without a search, every row.
    pub(crate) fn rows_in(
        &self,
        conn: &mut DbConnection,
        part: Option<Part>,
        via: Via,
    ) -> Result<TopicQuery<'static>, Error> {
        let q = self.rows();
        let Some(search) = &self.search else {
            return Ok(q);
        };
        let mut matching = |within| match (&self.rare_matches, via) {
            (Some(ids), _) => Ok(search.among(ids, within)),
            (None, Via::Scan) => Ok(search.scanned(within)),
            (None, Via::Index) => search.indexed(conn, self.forum_id, within),
        };
        Ok(match part {
            Some(Part::Title) => q.filter(matching(Within::Title)?),
            // Whether the title of a row at hand holds every word is a
            // `LIKE` on it, not an index lookup.
            Some(Part::Other) => q
                .filter(matching(Within::TitleOrContent)?)
                .filter(not(search.scanned(Within::Title))),
            None => q.filter(matching(Within::TitleOrContent)?),
        })
    }

    pub(crate) fn ordered(&self, q: TopicQuery<'static>) -> TopicQuery<'static> {
        use forum_topics::dsl as t;
        match self.sort {
            TopicSort::Recent => q.order((
                t::is_pinned.desc(),
                t::last_activity_at.desc(),
                t::id.desc(),
            )),
            TopicSort::Popular => q.order((
                t::is_pinned.desc(),
                t::reply_count.desc(),
                t::view_count.desc(),
                t::last_activity_at.desc(),
                t::id.desc(),
            )),
            TopicSort::Pinned => q.order((t::is_pinned.desc(), t::created_at.desc(), t::id.desc())),
        }
    }

    /// Asks the search index whether the search is rare, once: called when
    /// the search window did not fill a page, so that a common word (whose
    /// matches the list's first rows hold) never pays for the question.
    pub(crate) fn probe_rare(&mut self, conn: &mut DbConnection) -> Result<(), Error> {
        if let Some(search) = &self.search
            && !self.rare_probed
        {
            self.rare_probed = true;
            self.rare_matches = search.rare_matches(conn, self.forum_id)?;
        }
        Ok(())
    }

    /// Whether the total is a count of rows rather than kept counters.
    fn is_filtered(&self) -> bool {
        self.search.is_some() || self.lesson_id.is_some() || self.filter != TopicFilter::All
    }
}

/// How a search finds the rows that match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// `LIKE` on each row read in the list's order.
    Scan,
    /// Through the search index.
    Index,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy)]
enum Start {
    /// After this many rows of the list.
    Offset(i64),
    After(TopicCursor),
}

/// Reads `limit` rows from `start` (and one more, to know whether a page
/// follows), part after part.
fn read_page(
    conn: &mut DbConnection,
    listing: &mut Listing,
    start: Start,
    limit: i64,
) -> Result<Vec<(Option<Part>, TopicRow)>, Error> {
    let wanted = limit + 1;
    let parts = listing.parts();
    let (first, mut skip, mut seek) = match start {
        Start::Offset(offset) => (0, offset, None),
        Start::After(cursor) => {
            let first = parts
                .iter()
                .position(|p| *p == cursor.part)
                .ok_or_else(invalid_cursor)?;
            (first, 0, Some(cursor.key))
        }
    };
    let mut rows = Vec::new();
    for part in &parts[first..] {
        let take = wanted - i64::try_from(rows.len()).unwrap_or(wanted);
        if take <= 0 {
            break;
        }
        let read = if listing.search.is_some() && skip == 0 && listing.rare_matches.is_none() {
            listing.search_part(conn, *part, seek.take(), take)?
        } else {
            // No search, a rare one, or a page by number: the planner's
            // way, through the search index when there is a search.
            let mut q = listing.rows_in(conn, *part, Via::Index)?;
            if let Some(key) = seek.take() {
                q = q.filter(if listing.rare_matches.is_some() {
                    key.rows_after_among_matches()
                } else {
                    key.rows_after()
                });
            }
            listing
                .ordered(q)
                .offset(skip)
                .limit(take)
                .select(TopicRow::as_select())
                .load(conn)?
        };
        if skip > 0 {
            // The offset reached past this part: what is left of it skips
            // into the next one.
            skip = if read.is_empty() {
                let part_rows = listing.rows_in(conn, *part, Via::Index)?;
                skip - counted(conn, part_rows, skip)?
            } else {
                0
            };
        }
        rows.extend(read.into_iter().map(|row| (*part, row)));
    }
    Ok(rows)
}

/// Rows of `q`, counted up to `at_most`.
pub(crate) fn counted(
    conn: &mut DbConnection,
    q: TopicQuery<'static>,
    at_most: i64,
) -> Result<i64, Error> {
    let ids: Vec<i32> = q.select(forum_topics::id).limit(at_most).load(conn)?;
    Ok(i64::try_from(ids.len()).unwrap_or(at_most))
}

/// A forum's topics: pinned first, then by `sort`; hidden topics only for
/// staff (and their author).
///
/// `total`: without search or filter, the visible topics kept on the forum
/// row, plus the hidden ones for staff, or the caller's own hidden ones for
/// a student; with them, the matching topics counted up to
/// `COUNTED_TOTAL_MAX`.
pub fn list_topics(
    conn: &mut DbConnection,
    actor: &Principal,
    forum_id: i32,
    query: TopicListQuery,
) -> Result<Page<ForumTopic>, Error> {
    let (ctx, own_hidden) = forum_ctx_and_own_hidden(conn, actor, forum_id)?;
    let search = Search::parse(query.search.as_deref())?;
    let sort = query.sort.unwrap_or_default();
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let start = match query.after.as_deref() {
        Some(after) => {
            let cursor: TopicCursor = cursor::decode("after", after)?;
            if cursor.key.sort() != sort {
                return Err(invalid_cursor());
            }
            Start::After(cursor)
        }
        None => Start::Offset(request.bounded_offset()?),
    };
    let mut listing = Listing {
        forum_id,
        hidden_for: (!ctx.is_staff()).then_some(actor.user_id),
        filter: query.filter.unwrap_or_default(),
        lesson_id: query.lesson_id,
        sort,
        search,
        rare_matches: None,
        rare_probed: false,
    };
    let mut rows = read_page(conn, &mut listing, start, request.limit)?;
    let next = if rows.len() > usize::try_from(request.limit).unwrap_or(usize::MAX) {
        rows.truncate(usize::try_from(request.limit).unwrap_or(0));
        rows.last().map(|(part, row)| {
            cursor::encode(&TopicCursor {
                part: *part,
                key: TopicKey::of(sort, row),
            })
        })
    } else {
        None
    };
    let total = if listing.rare_matches.is_some() {
        let matching = listing.rows_in(conn, None, Via::Index)?;
        counted(conn, matching, COUNTED_TOTAL_MAX)?
    } else if listing.search.is_some() {
        listing.search_total(conn)?
    } else if listing.is_filtered() {
        counted(conn, listing.rows(), COUNTED_TOTAL_MAX)?
    } else if ctx.is_staff() {
        i64::from(ctx.forum.topic_count) + i64::from(ctx.forum.hidden_topic_count)
    } else {
        i64::from(ctx.forum.topic_count) + own_hidden
    };
    let topics = render_topics(conn, rows.into_iter().map(|(_, row)| row).collect())?;
    Ok(Page::new(topics, request, total).with_next_cursor(next))
}
