//! A user's own notifications: the list, the unread count, marking read.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::notifications;
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, cursor, write_transaction};
use serde::{Deserialize, Serialize};

use crate::counters;
use crate::model::{Notification, NotificationRow};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// `pagination.next_cursor` of the previous page: the page after it
    /// (`page` is then ignored).
    pub after: Option<String>,
    /// Only the unread ones.
    pub unread: Option<bool>,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub count: i64,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// How many notifications this call marked read.
    pub updated: usize,
}

/// The actor's notifications, newest first: by `page`, or after the
/// cursor of the previous page. The total is the kept count (see `counters`).
pub fn list_notifications(
    conn: &mut DbConnection,
    actor: &Principal,
    query: NotificationQuery,
) -> Result<Page<Notification>, Error> {
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    // The cursor is the id of the last notification served.
    let after: Option<i32> = query
        .after
        .as_deref()
        .map(|c| cursor::decode("after", c))
        .transpose()?;
    let unread_only = query.unread.unwrap_or(false);
    let mut mine = notifications::table
        .filter(notifications::user_id.eq(actor.user_id))
        .into_boxed();
    if unread_only {
        mine = mine.filter(notifications::read_at.is_null());
    }
    mine = match after {
        Some(last) => mine.filter(notifications::id.lt(last)),
        None => mine.offset(request.bounded_offset()?),
    };
    // One row more than the page tells whether another page follows.
    let mut rows: Vec<NotificationRow> = mine
        .order(notifications::id.desc())
        .limit(request.limit + 1)
        .select(NotificationRow::as_select())
        .load(conn)?;
    let more = rows.len() > usize::try_from(request.limit).unwrap_or(usize::MAX);
    rows.truncate(rows.len().min(usize::try_from(request.limit).unwrap_or(0)));
    let next = more
        .then(|| rows.last().map(|last| cursor::encode(&last.id)))
        .flatten();
    let kept = counters::counts(conn, actor.user_id)?;
    let total = if unread_only { kept.unread } else { kept.total };
    Ok(Page::new(
        rows.into_iter().map(Notification::from).collect(),
        request,
        total,
    )
    .with_next_cursor(next))
}

/// The kept unread count: one row, whatever the number of notifications.
pub fn unread_count(conn: &mut DbConnection, actor: &Principal) -> Result<UnreadCount, Error> {
    let count = counters::counts(conn, actor.user_id)?.unread;
    Ok(UnreadCount { count })
}

/// Marks one of the actor's notifications read (someone else's is 404);
/// reading it twice keeps the first time.
pub fn mark_read(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    notification_id: i32,
) -> Result<Notification, Error> {
    let mine = notifications::table
        .filter(notifications::id.eq(notification_id))
        .filter(notifications::user_id.eq(actor.user_id));
    write_transaction(conn, |conn| {
        let marked = diesel::update(mine.filter(notifications::read_at.is_null()))
            .set(notifications::read_at.eq(clock.now()))
            .execute(conn)?;
        counters::marked_read(conn, actor.user_id, marked)?;
        let row: NotificationRow = mine
            .select(NotificationRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| Error::not_found("Notification"))?;
        Ok(row.into())
    })
}

pub fn mark_all_read(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
) -> Result<MarkedRead, Error> {
    write_transaction(conn, |conn| {
        let updated = diesel::update(
            notifications::table
                .filter(notifications::user_id.eq(actor.user_id))
                .filter(notifications::read_at.is_null()),
        )
        .set(notifications::read_at.eq(clock.now()))
        .execute(conn)?;
        // By the number marked, not to zero: a notification delivered
        // meanwhile (not seen by the update) stays unread and counted.
        counters::marked_read(conn, actor.user_id, updated)?;
        Ok(MarkedRead { updated })
    })
}
