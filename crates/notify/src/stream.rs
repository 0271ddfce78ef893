//! A user's notifications in id order, for the event stream: the ones
//! after the last it delivered, or the latest to start from.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::notifications;
use mdsc_core::{DbConnection, Error};

use crate::model::{Notification, NotificationRow};

/// The actor's notifications after `after` in id order, at most `limit`;
/// without `after`, the latest `limit`, still in id order.
pub fn notifications_since(
    conn: &mut DbConnection,
    actor: &Principal,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<Notification>, Error> {
    notifications_of(conn, actor.user_id, after, limit)
}

/// [`notifications_since`] for `user_id`: the read every stream of that
/// user shares (they are all theirs, so there is no access to check).
pub fn notifications_of(
    conn: &mut DbConnection,
    user_id: i32,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<Notification>, Error> {
    let mine = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .select(NotificationRow::as_select());
    let rows: Vec<NotificationRow> = match after {
        Some(after) => mine
            .filter(notifications::id.gt(after))
            .order(notifications::id.asc())
            .limit(limit)
            .load(conn)?,
        None => {
            let mut latest: Vec<NotificationRow> = mine
                .order(notifications::id.desc())
                .limit(limit)
                .load(conn)?;
            latest.reverse();
            latest
        }
    };
    Ok(rows.into_iter().map(Notification::from).collect())
}
