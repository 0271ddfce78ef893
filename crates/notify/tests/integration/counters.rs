//! Each user's kept notification counts (issue 21): exact under deliveries,
//! read marks and withdrawals racing on real connections; the list's total
//! and the unread badge read them; the list pages by cursor without
//! repeats or gaps while notifications arrive, and refuses past its bounds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::people;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::testing::{TestDb, expect_err, race};
use mdsc_core::{Clock, DbConnection, Error, ErrorKind, ManualClock};
use mdsc_notify::counters::{self, NotificationCounts};
use mdsc_notify::service::{self, NotificationQuery};
use mdsc_notify::{Delivery, NotificationKind, Subject, Texts, forum_post_withdrawn, notify};
use serde_json::json;

fn student(user_id: i32) -> Principal {
    Principal {
        user_id,
        role: Role::Student,
    }
}

/// A notification about `subject` for `to`, from nobody in particular.
fn tell(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    to: &[i32],
    subject: Subject,
) -> Result<usize, Error> {
    notify(
        conn,
        Delivery {
            kind: NotificationKind::ForumReply,
            actor_id: None,
            recipients: to.to_vec(),
            title: Texts::same("Nouvelle réponse"),
            body: Texts::same("…"),
            data: json!({"link": "/courses/rust/forum"}),
            subject: Some(subject),
        },
        now,
    )
}

#[track_caller]
fn assert_exact(conn: &mut DbConnection, user_id: i32) -> NotificationCounts {
    let kept = counters::counts(conn, user_id).unwrap();
    assert_eq!(
        kept,
        counters::count(conn, user_id).unwrap(),
        "user {user_id}"
    );
    kept
}

#[test]
fn counts_stay_exact_under_racing_deliveries_reads_and_withdrawals() {
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let now = clock.now();
    let mut conn = db.conn();
    let readers = people(&mut conn, now, 6);
    // Something to read and to withdraw from the start.
    for reply in 0..4 {
        tell(&mut conn, now, &readers, Subject::ForumReply(reply)).unwrap();
    }
    drop(conn);
    for round in 0..3_i32 {
        let audience = readers.clone();
        let results = race(&db.pool(), 8, move |i, conn| -> Result<(), Error> {
            let readers = &audience;
            let me = readers[i % readers.len()];
            let clock = ManualClock::starting_at("2026-01-15T11:00:00Z");
            let subject = Subject::ForumReply(100 * (round + 1) + i32::try_from(i).unwrap());
            mdsc_core::write_transaction(conn, |conn| match i % 4 {
                // Overlapping audiences, in both directions of the list.
                0 => tell(conn, clock.now(), readers, subject).map(|_| ()),
                1 => {
                    let mut reversed = readers.clone();
                    reversed.reverse();
                    tell(conn, clock.now(), &reversed[..4], subject).map(|_| ())
                }
                2 => service::mark_all_read(conn, &student(me), &clock).map(|_| ()),
                _ => {
                    forum_post_withdrawn(conn, Subject::ForumReply(round), clock.now()).map(|_| ())
                }
            })
        });
        for result in results {
            result.unwrap();
        }
        let mut conn = db.conn();
        for &reader in &readers {
            assert_exact(&mut conn, reader);
        }
    }
    // Reading one by one moves the unread count; twice changes nothing.
    let mut conn = db.conn();
    let me = student(readers[5]);
    let before = assert_exact(&mut conn, me.user_id);
    let latest = service::list_notifications(&mut conn, &me, NotificationQuery::default())
        .unwrap()
        .data[0]
        .id;
    for _ in 0..2 {
        service::mark_read(&mut conn, &me, &clock, latest).unwrap();
    }
    let after = assert_exact(&mut conn, me.user_id);
    assert_eq!(after.total, before.total);
    assert_eq!(after.unread, before.unread - i64::from(before.unread > 0));
    assert_eq!(
        service::unread_count(&mut conn, &me).unwrap().count,
        after.unread
    );
}

#[test]
fn the_list_reports_the_kept_counts() {
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let mut conn = db.conn();
    let me = people(&mut conn, clock.now(), 1)[0];
    for reply in 0..3 {
        tell(&mut conn, clock.now(), &[me], Subject::ForumReply(reply)).unwrap();
    }
    // A row written by hand (not through `notify`) is not counted until a
    // repair: the list shows the kept figure, not a count of the rows.
    diesel::sql_query(
        "INSERT INTO notifications (user_id, type, title, body, data, created_at) \
         SELECT user_id, type, title, body, data, created_at FROM notifications LIMIT 1",
    )
    .execute(&mut *conn)
    .unwrap();
    let list = |conn: &mut DbConnection, unread| {
        let query = NotificationQuery {
            unread: Some(unread),
            ..NotificationQuery::default()
        };
        service::list_notifications(conn, &student(me), query).unwrap()
    };
    let page = list(&mut conn, false);
    assert_eq!((page.data.len(), page.pagination.total), (4, 3));
    assert_eq!(list(&mut conn, true).pagination.total, 3);
    assert_eq!(
        counters::recompute(&mut conn, me).unwrap(),
        NotificationCounts {
            total: 4,
            unread: 4
        }
    );
    assert_eq!(list(&mut conn, false).pagination.total, 4);
    service::mark_all_read(&mut conn, &student(me), &clock).unwrap();
    assert_eq!(list(&mut conn, true).pagination.total, 0);
    assert_eq!(
        service::unread_count(&mut conn, &student(me))
            .unwrap()
            .count,
        0
    );
}

#[test]
fn a_cursor_walk_neither_repeats_nor_skips_while_notifications_arrive() {
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let mut conn = db.conn();
    let me = people(&mut conn, clock.now(), 1)[0];
    for reply in 0..25 {
        tell(&mut conn, clock.now(), &[me], Subject::ForumReply(reply)).unwrap();
    }
    for unread in [false, true] {
        let everything = NotificationQuery {
            limit: Some(100),
            unread: Some(unread),
            ..NotificationQuery::default()
        };
        let before: Vec<i32> = service::list_notifications(&mut conn, &student(me), everything)
            .unwrap()
            .data
            .iter()
            .map(|n| n.id)
            .collect();
        let (mut walked, mut after) = (Vec::new(), None);
        loop {
            let query = NotificationQuery {
                limit: Some(10),
                unread: Some(unread),
                after: after.clone(),
                ..NotificationQuery::default()
            };
            let page = service::list_notifications(&mut conn, &student(me), query).unwrap();
            assert!(page.data.len() <= 10);
            walked.extend(page.data.iter().map(|n| n.id));
            after = page.pagination.next_cursor;
            if after.is_none() {
                break;
            }
            // Newer ones arrive between pages: they sort before the cursor.
            tell(&mut conn, clock.now(), &[me], Subject::ForumReply(1_000)).unwrap();
        }
        assert_eq!(walked, before, "unread={unread}");
    }
}

#[test]
fn pages_are_capped_and_bounded() {
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let mut conn = db.conn();
    let me = student(people(&mut conn, clock.now(), 1)[0]);
    let query = |page, limit, after: Option<&str>| NotificationQuery {
        page: Some(page),
        limit: Some(limit),
        after: after.map(str::to_owned),
        unread: None,
    };
    let capped = service::list_notifications(&mut conn, &me, query(1, 1_000, None)).unwrap();
    assert_eq!(capped.pagination.limit, 100);
    expect_err(
        service::list_notifications(&mut conn, &me, query(102, 100, None)),
        ErrorKind::Validation,
        "PAGE_TOO_DEEP",
    );
    expect_err(
        service::list_notifications(&mut conn, &me, query(1, 20, Some("%%"))),
        ErrorKind::Validation,
        "INVALID_CURSOR",
    );
}
