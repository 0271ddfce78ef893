//! Each user's notification counts (all of them, unread ones), kept in the
//! transaction of every insert, delete and read mark with atomic
//! increments, so the list's `total` and the unread badge read one row
//! whatever the number of notifications. `count` recounts from the rows
//! without writing (tests compare); `recompute` repairs a user's row.
//!
//! Rows are changed in ascending user order within a statement batch
//! (recipients come sorted), so two deliveries to overlapping audiences
//! lock counters in the same order and cannot deadlock. Withdrawals take
//! no counter lock at all: they write delta rows (see `removed`), which
//! `counts` adds and a read mark folds in.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::upsert::excluded;
use mdsc_core::schema::{notification_counter_deltas, notification_counters, notifications};
use mdsc_core::{DbConnection, Error, write_transaction};
use serde::Serialize;

/// A user's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationCounts {
    pub total: i64,
    pub unread: i64,
}

/// One new unread notification for each of `users` (sorted, distinct).
pub(crate) fn added(conn: &mut DbConnection, users: &[i32]) -> Result<(), Error> {
    let rows: Vec<(i32, i32, i32)> = users.iter().map(|&user_id| (user_id, 1, 1)).collect();
    bump(conn, &rows)
}

/// Adds `(user_id, total, unread)` to each user's counts, creating the rows
/// that do not exist yet, in one statement.
fn bump(conn: &mut DbConnection, deltas: &[(i32, i32, i32)]) -> Result<(), Error> {
    if deltas.is_empty() {
        return Ok(());
    }
    use notification_counters::dsl as c;
    let rows: Vec<_> = deltas
        .iter()
        .map(|&(user_id, total, unread)| {
            (
                c::user_id.eq(user_id),
                c::total.eq(total),
                c::unread.eq(unread),
            )
        })
        .collect();
    let upsert = diesel::insert_into(c::notification_counters)
        .values(&rows)
        .on_conflict(c::user_id)
        .do_update()
        .set((
            c::total.eq(c::total + excluded(c::total)),
            c::unread.eq(c::unread + excluded(c::unread)),
        ));
    // Upserts are per backend (not through MultiConnection).
    match conn {
        DbConnection::Pg(pg) => upsert.execute(pg)?,
        DbConnection::Sqlite(sqlite) => upsert.execute(sqlite)?,
    };
    Ok(())
}

/// Notifications deleted: one `(user_id, was_unread)` per row. Recorded
/// as delta rows, insert-only, so a withdrawal takes no lock on counter
/// rows: the forum withdraws before it locks its topic row, while a reply
/// locks the topic before delivering, and that order would deadlock.
pub(crate) fn removed(conn: &mut DbConnection, rows: &[(i32, bool)]) -> Result<(), Error> {
    let mut per_user: BTreeMap<i32, (i32, i32)> = BTreeMap::new();
    for &(user_id, unread) in rows {
        let entry = per_user.entry(user_id).or_default();
        entry.0 -= 1;
        entry.1 -= i32::from(unread);
    }
    use notification_counter_deltas::dsl as d;
    let deltas: Vec<_> = per_user
        .into_iter()
        .map(|(user_id, (total, unread))| {
            (
                d::user_id.eq(user_id),
                d::total.eq(total),
                d::unread.eq(unread),
            )
        })
        .collect();
    for chunk in deltas.chunks(500) {
        let insert = diesel::insert_into(d::notification_counter_deltas).values(chunk);
        // Multi-row inserts are per backend (not through MultiConnection).
        match conn {
            DbConnection::Pg(pg) => insert.execute(pg)?,
            DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
        };
    }
    Ok(())
}

/// `count` of the user's notifications were just marked read; folds the
/// user's delta rows into the counter row, which this locks anyway.
pub(crate) fn marked_read(
    conn: &mut DbConnection,
    user_id: i32,
    count: usize,
) -> Result<(), Error> {
    if count == 0 {
        return Ok(());
    }
    let count = i32::try_from(count).map_err(|_| Error::internal("counter overflow"))?;
    use notification_counters::dsl as c;
    diesel::update(c::notification_counters.filter(c::user_id.eq(user_id)))
        .set(c::unread.eq(c::unread - count))
        .execute(conn)?;
    fold(conn, user_id)
}

/// Moves the user's delta rows into their counter row. The counter row is
/// locked first (by the caller's update), so two folds of one user queue;
/// deltas a withdrawal has not committed yet stay for a later fold.
fn fold(conn: &mut DbConnection, user_id: i32) -> Result<(), Error> {
    use notification_counter_deltas::dsl as d;
    let folded: Vec<(i32, i32)> =
        diesel::delete(d::notification_counter_deltas.filter(d::user_id.eq(user_id)))
            .returning((d::total, d::unread))
            .get_results(conn)?;
    if folded.is_empty() {
        return Ok(());
    }
    let (total, unread) = folded
        .iter()
        .fold((0, 0), |(t, u), (dt, du)| (t + dt, u + du));
    use notification_counters::dsl as c;
    diesel::update(c::notification_counters.filter(c::user_id.eq(user_id)))
        .set((
            c::total.eq(c::total + total),
            c::unread.eq(c::unread + unread),
        ))
        .execute(conn)?;
    Ok(())
}

/// The kept counts of a user (zero without a row).
pub fn counts(conn: &mut DbConnection, user_id: i32) -> Result<NotificationCounts, Error> {
    use notification_counters::dsl as c;
    let kept: Option<(i32, i32)> = c::notification_counters
        .filter(c::user_id.eq(user_id))
        .select((c::total, c::unread))
        .first(conn)
        .optional()?;
    let (total, unread) = kept.unwrap_or_default();
    // Withdrawals since the last fold: few rows (see `removed`).
    use notification_counter_deltas::dsl as d;
    let pending: Vec<(i32, i32)> = d::notification_counter_deltas
        .filter(d::user_id.eq(user_id))
        .select((d::total, d::unread))
        .load(conn)?;
    let (total, unread) = pending
        .iter()
        .fold((i64::from(total), i64::from(unread)), |(t, u), (dt, du)| {
            (t + i64::from(*dt), u + i64::from(*du))
        });
    Ok(NotificationCounts { total, unread })
}

/// The counts recounted from the notifications, without writing.
pub fn count(conn: &mut DbConnection, user_id: i32) -> Result<NotificationCounts, Error> {
    let mine = || notifications::table.filter(notifications::user_id.eq(user_id));
    Ok(NotificationCounts {
        total: mine().count().get_result(conn)?,
        unread: mine()
            .filter(notifications::read_at.is_null())
            .count()
            .get_result(conn)?,
    })
}

/// Rebuilds a user's kept counts from the notifications (repair after a
/// manual change in the database, or rows written by hand) and returns them.
pub fn recompute(conn: &mut DbConnection, user_id: i32) -> Result<NotificationCounts, Error> {
    write_transaction(conn, |conn| {
        use notification_counters::dsl as c;
        // Create the row or lock it: deliveries running now wait, so none
        // is lost between the count and the write; the deltas go with it.
        bump(conn, &[(user_id, 0, 0)])?;
        diesel::delete(
            notification_counter_deltas::table
                .filter(notification_counter_deltas::user_id.eq(user_id)),
        )
        .execute(conn)?;
        let fresh = count(conn, user_id)?;
        let to_i32 = |n: i64| i32::try_from(n).map_err(|_| Error::internal("counter overflow"));
        diesel::update(c::notification_counters.filter(c::user_id.eq(user_id)))
            .set((
                c::total.eq(to_i32(fresh.total)?),
                c::unread.eq(to_i32(fresh.unread)?),
            ))
            .execute(conn)?;
        Ok(fresh)
    })
}
