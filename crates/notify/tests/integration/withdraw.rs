//! Withdrawing what was said of a forum post (issue 15): its in-app
//! notifications go for every recipient, its e-mails not sent yet are
//! cancelled, also one a worker has already claimed; the rest stays.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use crate::common::people;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{jobs, notifications};
use mdsc_core::testing::TestDb;
use mdsc_core::{Clock, DbConnection, DbPool, Error, ManualClock};
use mdsc_notify::email::{EmailLinks, EmailMessage, Mailer, send_due};
use mdsc_notify::{
    Delivery, NotificationKind, Subject, Texts, Withdrawn, forum_post_withdrawn, notify,
};
use serde_json::json;

/// A notification titled `title` about `subject`, from `actor` to `to`.
fn say(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    actor: i32,
    to: &[i32],
    title: &str,
    subject: Option<Subject>,
) {
    notify(
        conn,
        Delivery {
            kind: NotificationKind::ForumReply,
            actor_id: Some(actor),
            recipients: to.to_vec(),
            title: Texts::same(title),
            body: Texts::same("…"),
            data: json!({"link": "/courses/rust/forum"}),
            subject,
        },
        now,
    )
    .unwrap();
}

fn titles(conn: &mut DbConnection) -> Vec<String> {
    notifications::table
        .order(notifications::id)
        .select(notifications::title)
        .load(conn)
        .unwrap()
}

/// (title in the payload, outcome) of every e-mail job, oldest first.
fn mails(conn: &mut DbConnection) -> Vec<(String, Option<String>)> {
    let rows: Vec<(String, Option<String>)> = jobs::table
        .filter(jobs::kind.eq("email"))
        .order(jobs::id)
        .select((jobs::payload, jobs::outcome))
        .load(conn)
        .unwrap();
    rows.into_iter()
        .map(|(payload, outcome)| {
            let mail: mdsc_notify::email::EmailJob = serde_json::from_str(&payload).unwrap();
            (mail.title, outcome)
        })
        .collect()
}

/// Records what it sends.
#[derive(Default)]
struct Outbox {
    sent: Mutex<Vec<String>>,
}

impl Mailer for Outbox {
    fn send(&self, message: &EmailMessage) -> Result<(), Error> {
        self.sent.lock().unwrap().push(message.subject.clone());
        Ok(())
    }
}

#[test]
fn a_withdrawn_post_leaves_no_notification_and_no_unsent_email() {
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let mut conn = db.conn();
    let now = clock.now();
    let p = people(&mut conn, now, 3);
    say(
        &mut conn,
        now,
        p[0],
        &p,
        "reply 8",
        Some(Subject::ForumReply(8)),
    );
    say(
        &mut conn,
        now,
        p[0],
        &p,
        "topic 8",
        Some(Subject::ForumTopic(8)),
    );
    say(&mut conn, now, p[0], &p, "live", None);
    // One e-mail of reply 8 is already out: it stays as it was.
    let report = send_due(
        &mut conn,
        "w1",
        &Outbox::default(),
        &EmailLinks::app_only("https://a"),
        now,
        1,
    )
    .unwrap();
    assert_eq!(report.done, 1);

    let withdrawn = forum_post_withdrawn(&mut conn, Subject::ForumReply(8), now).unwrap();

    assert_eq!(
        withdrawn,
        Withdrawn {
            notifications: 2,
            emails: 1
        }
    );
    assert_eq!(titles(&mut conn), ["topic 8", "topic 8", "live", "live"]);
    let outcomes: Vec<(String, Option<String>)> = mails(&mut conn);
    assert_eq!(
        outcomes[..2],
        [
            ("reply 8".to_owned(), Some("done".to_owned())),
            ("reply 8".to_owned(), Some("cancelled".to_owned())),
        ]
    );
    assert!(
        outcomes[2..]
            .iter()
            .all(|(t, o)| t != "reply 8" && o.is_none())
    );
    // Withdrawing again finds nothing more.
    assert_eq!(
        forum_post_withdrawn(&mut conn, Subject::ForumReply(8), now).unwrap(),
        Withdrawn::default()
    );
}

/// Sends, and on its first message withdraws reply 8 from another
/// connection: the hide that lands while the worker is mid-batch.
struct HiddenMidBatch {
    pool: DbPool,
    now: NaiveDateTime,
    sent: Mutex<Vec<String>>,
}

impl Mailer for HiddenMidBatch {
    fn send(&self, message: &EmailMessage) -> Result<(), Error> {
        let mut sent = self.sent.lock().unwrap();
        if sent.is_empty() {
            let mut conn = self.pool.get().unwrap();
            forum_post_withdrawn(&mut conn, Subject::ForumReply(8), self.now).unwrap();
        }
        sent.push(message.subject.clone());
        Ok(())
    }
}

#[test]
fn an_email_claimed_before_the_withdrawal_is_not_sent() {
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let mut conn = db.conn();
    let now = clock.now();
    let p = people(&mut conn, now, 2);
    say(
        &mut conn,
        now,
        p[0],
        &p,
        "topic 7",
        Some(Subject::ForumTopic(7)),
    );
    say(
        &mut conn,
        now,
        p[0],
        &p,
        "reply 8",
        Some(Subject::ForumReply(8)),
    );
    let mailer = HiddenMidBatch {
        pool: db.pool(),
        now,
        sent: Mutex::default(),
    };
    // Both are claimed in one batch; the second is withdrawn meanwhile.
    let report = send_due(
        &mut conn,
        "w1",
        &mailer,
        &EmailLinks::app_only("https://a"),
        now,
        10,
    )
    .unwrap();
    assert_eq!((report.done, report.skipped), (1, 1), "{report:?}");
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
    assert_eq!(
        mails(&mut conn),
        [
            ("topic 7".to_owned(), Some("done".to_owned())),
            ("reply 8".to_owned(), Some("cancelled".to_owned())),
        ]
    );
}
