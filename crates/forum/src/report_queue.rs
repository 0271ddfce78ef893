//! The staff's queue of a forum's reports: open ones oldest first (the
//! order they are worked through), resolved or all latest first; paged by
//! `page` (up to `MAX_OFFSET` reports deep) or by keyset cursor (`after`).
//! A page is an index seek in its order; the total counts at most
//! `COUNTED_TOTAL_MAX` reports.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamp};
use mdsc_auth::Principal;
use mdsc_core::schema::forum_reports;
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, cursor};
use mdsc_course::require_course_staff;
use serde::{Deserialize, Serialize};

use crate::forum::ensure_forum;
use crate::model::{ForumReport, ReportRow};
use crate::report::render_for_staff;
use crate::sql::{COUNTED_TOTAL_MAX, Db};
use mdsc_core::row_compare;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatusFilter {
    /// Waiting for staff (default), oldest first.
    #[default]
    Open,
    /// Already resolved, latest first.
    Resolved,
    /// Every report, latest first.
    All,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// Page number, from 1; pages start at most 10,000 reports deep
    /// (`422 PAGE_TOO_DEEP`): read further with `after`.
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `pagination.next_cursor` of the previous page: the page after it
    /// (`page` is then ignored).
    pub after: Option<String>,
    #[param(inline)]
    pub status: Option<ReportStatusFilter>,
}

/// A report's key in the queue's orders: (created_at, id), ascending for
/// the open queue, descending otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct ReportKey(NaiveDateTime, i32);

type ReportQuery = forum_reports::BoxedQuery<'static, Db>;

fn matching(forum_id: i32, status: ReportStatusFilter) -> ReportQuery {
    let q = forum_reports::table
        .filter(forum_reports::forum_id.eq(forum_id))
        .into_boxed();
    match status {
        ReportStatusFilter::Open => q.filter(forum_reports::status.eq("open")),
        ReportStatusFilter::Resolved => q.filter(forum_reports::status.eq("resolved")),
        ReportStatusFilter::All => q,
    }
}

/// `GET /api/courses/:courseId/forum/reports`: the staff's queue.
pub fn list_reports(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    query: ReportListQuery,
) -> Result<Page<ForumReport>, Error> {
    require_course_staff(conn, actor, course_id)?;
    let forum = ensure_forum(conn, clock, course_id)?;
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let status = query.status.unwrap_or_default();
    let oldest_first = status == ReportStatusFilter::Open;
    let mut page = matching(forum.id, status);
    let mut offset = 0;
    match query.after.as_deref() {
        Some(after) => {
            let ReportKey(at, id) = cursor::decode("after", after)?;
            page = if oldest_first {
                page.filter(row_compare!(
                    "forum_reports.created_at, forum_reports.id" ">" (Timestamp = at, Integer = id)
                ))
            } else {
                page.filter(row_compare!(
                    "forum_reports.created_at, forum_reports.id" "<" (Timestamp = at, Integer = id)
                ))
            };
        }
        None => offset = request.bounded_offset()?,
    }
    let page = if oldest_first {
        page.order((forum_reports::created_at.asc(), forum_reports::id.asc()))
    } else {
        page.order((forum_reports::created_at.desc(), forum_reports::id.desc()))
    };
    let mut rows: Vec<ReportRow> = page
        .offset(offset)
        .limit(request.limit + 1)
        .select(ReportRow::as_select())
        .load(conn)?;
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last()
            .map(|r| cursor::encode(&ReportKey(r.created_at, r.id)))
    } else {
        None
    };
    let counted: Vec<i32> = matching(forum.id, status)
        .select(forum_reports::id)
        .limit(COUNTED_TOTAL_MAX)
        .load(conn)?;
    let total = i64::try_from(counted.len()).unwrap_or(COUNTED_TOTAL_MAX);
    Ok(Page::new(render_for_staff(conn, rows)?, request, total).with_next_cursor(next))
}
