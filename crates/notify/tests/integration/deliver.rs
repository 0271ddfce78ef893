//! `notify` against a real database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`): written in the caller's transaction, never to the
//! actor, never to someone who turned the type off, once per person.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::people;
use diesel::prelude::*;
use mdsc_core::schema::{notification_preferences, notifications};
use mdsc_core::testing::TestDb;
use mdsc_core::{Clock, DbConnection, Error, ManualClock, write_transaction};
use mdsc_notify::deliver::INLINE_RECIPIENTS;
use mdsc_notify::{Delivery, NotificationKind, Subject, Texts, forum_post_withdrawn, jobs, notify};
use serde_json::json;

fn delivery(actor: i32, recipients: Vec<i32>) -> Delivery {
    Delivery {
        kind: NotificationKind::ForumTopic,
        actor_id: Some(actor),
        recipients,
        title: Texts::new("Nouveau sujet", "New topic"),
        body: Texts::same("Une question\n\nsur   deux lignes"),
        data: json!({"topic_id": 7, "link": "/courses/x/forum/topics/7"}),
        subject: None,
    }
}

fn count_for(conn: &mut DbConnection, user_id: i32) -> i64 {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .count()
        .get_result(conn)
        .unwrap()
}

#[test]
fn once_per_recipient_never_the_actor_nor_the_muted() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let people = people(&mut conn, clock.now(), 4);
    let (actor, muted) = (people[0], people[3]);
    diesel::insert_into(notification_preferences::table)
        .values((
            notification_preferences::user_id.eq(muted),
            notification_preferences::kind.eq("forum_topic"),
            notification_preferences::in_app.eq(false),
            notification_preferences::email.eq(true),
            notification_preferences::updated_at.eq(clock.now()),
        ))
        .execute(&mut conn)
        .unwrap();
    // people[1] is listed twice.
    let recipients = vec![actor, people[1], people[1], people[2], muted];
    let written = notify(&mut conn, delivery(actor, recipients), clock.now()).unwrap();
    assert_eq!(written, 2);
    assert_eq!(count_for(&mut conn, actor), 0);
    assert_eq!(count_for(&mut conn, people[1]), 1);
    assert_eq!(count_for(&mut conn, people[2]), 1);
    assert_eq!(count_for(&mut conn, muted), 0);
    let (body, data): (String, String) = notifications::table
        .filter(notifications::user_id.eq(people[1]))
        .select((notifications::body, notifications::data))
        .first(&mut conn)
        .unwrap();
    assert_eq!(body, "Une question sur deux lignes");
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["topic_id"], 7);
}

#[test]
fn a_rolled_back_change_leaves_no_notification() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let people = people(&mut conn, clock.now(), 3);
    let outcome = write_transaction(&mut conn, |conn| -> Result<(), Error> {
        notify(conn, delivery(people[0], people.clone()), clock.now())?;
        Err(Error::conflict(
            "LATER_FAILURE",
            "the change fails after notifying",
        ))
    });
    assert_eq!(outcome.unwrap_err().code, "LATER_FAILURE");
    let total: i64 = notifications::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total, 0);
}

/// A large audience does not hold the change's transaction: the first
/// `INLINE_RECIPIENTS` are written in it, the others by the job worker, a
/// chunk per step, each counted in its recipient's unread total.
#[test]
fn a_large_audience_is_written_by_the_worker_in_chunks() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let people = people(&mut conn, clock.now(), 1_201);
    let written = write_transaction(&mut conn, |conn| {
        notify(conn, delivery(people[0], people.clone()), clock.now())
    })
    .unwrap();
    assert_eq!(written, INLINE_RECIPIENTS);
    assert_eq!(total(&mut conn), INLINE_RECIPIENTS as i64);
    let last = *people.last().unwrap();
    assert_eq!(count_for(&mut conn, last), 0, "written later");

    let mut passes = 0;
    while jobs::run_due(&mut conn, "worker", clock.now(), 10)
        .unwrap()
        .done
        == 0
    {
        passes += 1;
        assert!(passes < 10, "the batch ends");
    }
    assert_eq!(total(&mut conn), 1_200);
    assert_eq!(count_for(&mut conn, last), 1);
    assert_eq!(count_for(&mut conn, people[0]), 0, "never to the actor");
    let kept = mdsc_notify::counters::counts(&mut conn, last).unwrap();
    assert_eq!((kept.total, kept.unread), (1, 1), "the kept counts follow");
}

/// A post withdrawn before the worker reached every recipient notifies
/// nobody else.
#[test]
fn a_withdrawn_post_stops_its_batch() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let people = people(&mut conn, clock.now(), INLINE_RECIPIENTS + 50);
    let mut about_a_topic = delivery(people[0], people.clone());
    about_a_topic.subject = Some(Subject::ForumTopic(7));
    write_transaction(&mut conn, |conn| {
        notify(conn, about_a_topic, clock.now())?;
        forum_post_withdrawn(conn, Subject::ForumTopic(7), clock.now())
    })
    .unwrap();
    jobs::run_due(&mut conn, "worker", clock.now(), 10).unwrap();
    assert_eq!(total(&mut conn), 0);
}

fn total(conn: &mut DbConnection) -> i64 {
    notifications::table.count().get_result(conn).unwrap()
}
