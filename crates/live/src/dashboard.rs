//! The instructor dashboard: the caller's sessions across their courses.

use chrono::{DateTime, FixedOffset};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::live_sessions;
use mdsc_core::time::to_storage;
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{DbConnection, Error, Page, PageParams};
use serde::Deserialize;

use crate::model::{LiveSession, LiveSessionRow, SessionStatus};
use crate::render::render;

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `scheduled`, `live`, `ended` or `cancelled`.
    #[param(inline)]
    pub status: Option<SessionStatus>,
    /// Sessions ending at or after this time.
    pub from: Option<DateTime<FixedOffset>>,
    /// Sessions starting before this time.
    pub to: Option<DateTime<FixedOffset>>,
}

/// An instructor's sessions (admins: every session) by start time, paginated.
pub fn instructor_sessions(
    conn: &mut DbConnection,
    actor: &Principal,
    query: DashboardQuery,
) -> Result<Page<LiveSession>, Error> {
    if !actor.is_instructor_or_admin() {
        return Err(Error::forbidden(
            "The live-session dashboard is for instructors",
        ));
    }
    let page = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let filtered = || {
        let mut q = live_sessions::table.into_boxed();
        if !actor.is_admin() {
            q = q.filter(live_sessions::instructor_id.eq(actor.user_id));
        }
        if let Some(status) = query.status {
            q = q.filter(live_sessions::status.eq(status.as_str()));
        }
        if let Some(from) = query.from {
            q = q.filter(live_sessions::scheduled_end_time.ge(to_storage(from)));
        }
        if let Some(to) = query.to {
            q = q.filter(live_sessions::scheduled_start_time.lt(to_storage(to)));
        }
        q
    };
    let offset = page.bounded_offset()?;
    // Counted up to a bound (see `mdsc_core::total`): an admin's dashboard
    // spans every session of the platform.
    let counted = filtered()
        .select(live_sessions::id)
        .limit(count_limit(page))
        .load::<i32>(conn)?
        .len();
    let rows: Vec<LiveSessionRow> = filtered()
        .order((
            live_sessions::scheduled_start_time.asc(),
            live_sessions::id.asc(),
        ))
        .limit(page.limit)
        .offset(offset)
        .select(LiveSessionRow::as_select())
        .load(conn)?;
    Ok(Page::new(
        render(conn, rows, actor)?,
        page,
        bounded_total(counted, page),
    ))
}
