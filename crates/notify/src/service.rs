//! A user's own notifications: the list, the unread count, marking read.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::notifications;
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams};
use serde::{Deserialize, Serialize};

use crate::model::{Notification, NotificationRow};

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
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

/// The actor's notifications, newest first.
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
    let unread_only = query.unread.unwrap_or(false);
    let mine = || {
        let mut q = notifications::table
            .filter(notifications::user_id.eq(actor.user_id))
            .into_boxed();
        if unread_only {
            q = q.filter(notifications::read_at.is_null());
        }
        q
    };
    let total: i64 = mine().count().get_result(conn)?;
    let rows: Vec<NotificationRow> = mine()
        .order(notifications::id.desc())
        .limit(request.limit)
        .offset(request.offset())
        .select(NotificationRow::as_select())
        .load(conn)?;
    Ok(Page::new(
        rows.into_iter().map(Notification::from).collect(),
        request,
        total,
    ))
}

pub fn unread_count(conn: &mut DbConnection, actor: &Principal) -> Result<UnreadCount, Error> {
    let count = notifications::table
        .filter(notifications::user_id.eq(actor.user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?;
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
    diesel::update(mine.filter(notifications::read_at.is_null()))
        .set(notifications::read_at.eq(clock.now()))
        .execute(conn)?;
    let row: NotificationRow = mine
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Notification"))?;
    Ok(row.into())
}

pub fn mark_all_read(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
) -> Result<MarkedRead, Error> {
    let updated = diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(actor.user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(clock.now()))
    .execute(conn)?;
    Ok(MarkedRead { updated })
}
