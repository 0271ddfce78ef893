//! A course's ratings, a page at a time, at a cost that does not grow with
//! the number of ratings: the total comes from the counts kept on the
//! course row (see `stats`), each sort order has an index that starts with
//! the course and the moderation status, and deep pages follow a keyset
//! cursor (`after=`) instead of an offset.
//!
//! Readers see the approved ratings plus their own whatever its status.
//! "approved OR mine" cannot follow one index in order, so the approved
//! ones are read in index order and the reader's own rating (one row, by
//! the unique `(course_id, user_id)` index) is merged in at its place.

use std::cmp::Reverse;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamp};
use mdsc_auth::Principal;
use mdsc_core::schema::course_ratings;
use mdsc_core::{DbConnection, Error, Page, PageParams, cursor, row_compare};
use mdsc_course::{CourseRow, is_staff_of, visible_course};
use serde::{Deserialize, Serialize};

use crate::model::{CourseRating, RatingRow, RatingStatus};
use crate::render::render;
use crate::stats::StatusCounts;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RatingSort {
    /// Newest first (default).
    #[default]
    Recent,
    /// Most helpful first.
    Helpful,
    /// Highest rating first.
    Rating,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RatingStatusFilter {
    Pending,
    Approved,
    Rejected,
    All,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingListQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `pagination.next_cursor` of the previous page: the page after it
    /// (`page` is then ignored).
    pub after: Option<String>,
    #[param(inline)]
    pub sort: Option<RatingSort>,
    /// Staff only: which moderation status to list (`all` for every one).
    /// Others always see approved ratings plus their own.
    #[param(inline)]
    pub status: Option<RatingStatusFilter>,
}

/// Where a rating stands in a sort order; every order is descending on
/// `(lead, created_at, id)`, `lead` being the helpful count, the stars, or
/// nothing for `recent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct SortKey {
    lead: i32,
    created_at: NaiveDateTime,
    id: i32,
}

impl SortKey {
    fn of(sort: RatingSort, row: &RatingRow) -> Self {
        let lead = match sort {
            RatingSort::Recent => 0,
            RatingSort::Helpful => row.helpful_count,
            RatingSort::Rating => row.rating,
        };
        Self {
            lead,
            created_at: row.created_at,
            id: row.id,
        }
    }
}

/// The opaque cursor: the sort it belongs to and the last row's key.
fn encode_cursor(sort: RatingSort, key: SortKey) -> String {
    cursor::encode(&(sort, key))
}

fn decode_cursor(sort: RatingSort, value: &str) -> Result<SortKey, Error> {
    let (of_sort, key): (RatingSort, SortKey) = cursor::decode("after", value)?;
    if of_sort != sort {
        return Err(
            Error::invalid_field("after", "belongs to another sort order")
                .with_code("INVALID_CURSOR"),
        );
    }
    Ok(key)
}

/// Which ratings a request lists.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// Approved ones, and the reader's own (`None` for anonymous readers).
    Public { reader: Option<i32> },
    /// Staff: one moderation status.
    Status(RatingStatus),
    /// Staff: every status.
    All,
}

impl Scope {
    fn of(staff: bool, actor: Option<&Principal>, filter: Option<RatingStatusFilter>) -> Self {
        match (staff, filter) {
            (true, Some(RatingStatusFilter::All)) => Scope::All,
            (true, Some(RatingStatusFilter::Pending)) => Scope::Status(RatingStatus::Pending),
            (true, Some(RatingStatusFilter::Rejected)) => Scope::Status(RatingStatus::Rejected),
            (true, Some(RatingStatusFilter::Approved)) => Scope::Status(RatingStatus::Approved),
            _ => Scope::Public {
                reader: actor.map(|a| a.user_id),
            },
        }
    }

    /// The kept total of the status-filtered part (the reader's own rating
    /// is added by the caller).
    fn kept_total(self, course: &CourseRow) -> i64 {
        let by_status = StatusCounts::of_course(course);
        let approved = i64::from(course.rating_count);
        match self {
            Scope::Public { .. } | Scope::Status(RatingStatus::Approved) => approved,
            Scope::Status(RatingStatus::Pending) => by_status.pending.into(),
            Scope::Status(RatingStatus::Rejected) => by_status.rejected.into(),
            Scope::All => approved + i64::from(by_status.pending) + i64::from(by_status.rejected),
        }
    }
}

/// Where the page starts: at an offset, or after a cursor's row.
#[derive(Debug, Clone, Copy)]
enum Start {
    Offset(i64),
    After(SortKey),
}

/// A course's ratings: approved ones for everyone, plus the caller's own
/// whatever its status; staff may list by moderation status. `page` reads
/// at most `MAX_OFFSET` rows deep; `after` reads anywhere.
pub fn list_ratings(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course_id: i32,
    query: RatingListQuery,
) -> Result<Page<CourseRating>, Error> {
    let course = visible_course(conn, actor, course_id)?;
    let staff = actor.is_some_and(|a| is_staff_of(a, &course));
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let sort = query.sort.unwrap_or_default();
    let start = match query.after.as_deref() {
        Some(value) => Start::After(decode_cursor(sort, value)?),
        None => Start::Offset(request.bounded_offset()?),
    };
    let scope = Scope::of(staff, actor, query.status);
    // The reader's own rating when the status filter leaves it out.
    let own = match scope {
        Scope::Public { reader: Some(me) } => own_unapproved(conn, course_id, me)?,
        _ => None,
    };
    let total = scope.kept_total(&course) + i64::from(own.is_some());
    let (rows, more) = page_rows(conn, course_id, scope, sort, start, request.limit, own)?;
    let next = more
        .then(|| {
            rows.last()
                .map(|last| encode_cursor(sort, SortKey::of(sort, last)))
        })
        .flatten();
    Ok(Page::new(render(conn, rows, actor)?, request, total).with_next_cursor(next))
}

/// The reader's rating of the course unless it is approved (then the
/// approved rows already hold it).
fn own_unapproved(
    conn: &mut DbConnection,
    course_id: i32,
    reader: i32,
) -> Result<Option<RatingRow>, Error> {
    Ok(course_ratings::table
        .filter(course_ratings::course_id.eq(course_id))
        .filter(course_ratings::user_id.eq(reader))
        .filter(course_ratings::status.ne(RatingStatus::Approved.as_str()))
        .select(RatingRow::as_select())
        .first(conn)
        .optional()?)
}

/// At most `count` of the scope's status-filtered rows in `sort` order,
/// from `start`.
fn read_rows(
    conn: &mut DbConnection,
    course_id: i32,
    scope: Scope,
    sort: RatingSort,
    start: Start,
    count: i64,
) -> Result<Vec<RatingRow>, Error> {
    let mut q = course_ratings::table
        .filter(course_ratings::course_id.eq(course_id))
        .into_boxed();
    q = match scope {
        Scope::Public { .. } => {
            q.filter(course_ratings::status.eq(RatingStatus::Approved.as_str()))
        }
        Scope::Status(status) => q.filter(course_ratings::status.eq(status.as_str())),
        Scope::All => q,
    };
    // After a cursor: a row-value comparison, which both databases turn
    // into a seek in the order's index.
    q = match (start, sort) {
        (Start::Offset(offset), _) => q.offset(offset),
        (Start::After(key), RatingSort::Recent) => q.filter(row_compare!(
            "course_ratings.created_at, course_ratings.id" "<"
            (Timestamp = key.created_at, Integer = key.id)
        )),
        (Start::After(key), RatingSort::Helpful) => q.filter(row_compare!(
            "course_ratings.helpful_count, course_ratings.created_at, course_ratings.id" "<"
            (Integer = key.lead, Timestamp = key.created_at, Integer = key.id)
        )),
        (Start::After(key), RatingSort::Rating) => q.filter(row_compare!(
            "course_ratings.rating, course_ratings.created_at, course_ratings.id" "<"
            (Integer = key.lead, Timestamp = key.created_at, Integer = key.id)
        )),
    };
    q = match sort {
        RatingSort::Recent => {
            q.order((course_ratings::created_at.desc(), course_ratings::id.desc()))
        }
        RatingSort::Helpful => q.order((
            course_ratings::helpful_count.desc(),
            course_ratings::created_at.desc(),
            course_ratings::id.desc(),
        )),
        RatingSort::Rating => q.order((
            course_ratings::rating.desc(),
            course_ratings::created_at.desc(),
            course_ratings::id.desc(),
        )),
    };
    Ok(q.limit(count).select(RatingRow::as_select()).load(conn)?)
}

/// The page's rows (one more than `limit` tells whether another page
/// follows), with the reader's own rating merged in at its place.
///
/// After a cursor: the approved rows after it, and the own rating if it
/// also comes after the cursor. At offset `o`: the own rating sits after
/// the approved rows that sort before it, say `k` of them. Reading approved
/// rows from `o - 1` tells both cases apart: when the own rating sorts
/// before approved row `o - 1`, then `k < o` and the page is the approved
/// rows from `o - 1`; otherwise `k >= o` and the page is the approved rows
/// from `o` with the own rating merged in.
fn page_rows(
    conn: &mut DbConnection,
    course_id: i32,
    scope: Scope,
    sort: RatingSort,
    start: Start,
    limit: i64,
    own: Option<RatingRow>,
) -> Result<(Vec<RatingRow>, bool), Error> {
    let mut rows = match (own, start) {
        (None, _) => read_rows(conn, course_id, scope, sort, start, limit + 1)?,
        (Some(own), Start::After(key)) => {
            let mut rows = read_rows(conn, course_id, scope, sort, start, limit + 1)?;
            if SortKey::of(sort, &own) < key {
                rows.push(own);
            }
            rows
        }
        (Some(own), Start::Offset(0)) => {
            let mut rows = read_rows(conn, course_id, scope, sort, start, limit + 1)?;
            rows.push(own);
            rows
        }
        (Some(own), Start::Offset(offset)) => {
            let from_before = read_rows(
                conn,
                course_id,
                scope,
                sort,
                Start::Offset(offset - 1),
                limit + 2,
            )?;
            let Some(before) = from_before.first() else {
                return Ok((Vec::new(), false));
            };
            if SortKey::of(sort, &own) > SortKey::of(sort, before) {
                from_before
            } else {
                let mut rows: Vec<RatingRow> = from_before.into_iter().skip(1).collect();
                rows.push(own);
                rows
            }
        }
    };
    // Every order is descending on the key.
    rows.sort_by_key(|row| Reverse(SortKey::of(sort, row)));
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}
