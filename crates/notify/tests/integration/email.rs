//! Notification e-mails against a real database (SQLite, or PostgreSQL
//! with `TEST_DATABASE_URL`): queued with the notification in the caller's
//! transaction, per recipient's e-mail setting and language, checked again
//! and sent by `send_due`, retried when the SMTP server fails. The SMTP
//! side is lettre's real transport against `mdsc_notify::testing::SmtpSink`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::schema::{
    jobs, notification_preferences, notification_settings, notifications, users,
};
use mdsc_core::testing::TestDb;
use mdsc_core::{Clock, DbConnection, Error, ManualClock, write_transaction};
use mdsc_notify::email::{
    EmailJob, EmailLinks, EmailMessage, EmailSettings, LogMailer, Mailer, send_due,
};
use mdsc_notify::jobs::{RunReport, run_due};
use mdsc_notify::testing::{SmtpSink, closed_port_url};
use mdsc_notify::{Delivery, NotificationKind, Texts, notify};
use serde_json::json;

const APP_URL: &str = "https://app.example.org";

/// Links into the app only, as most tests need (no unsubscribe headers).
fn links() -> EmailLinks {
    EmailLinks::app_only(APP_URL)
}

struct World {
    db: TestDb,
    clock: ManualClock,
    people: Vec<i32>,
}

impl World {
    fn new(count: usize) -> Self {
        let db = TestDb::new();
        let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
        let people = {
            let mut conn = db.conn();
            (0..count)
                .map(|n| {
                    diesel::insert_into(users::table)
                        .values((
                            users::email.eq(format!("user{n}@example.com")),
                            users::password_hash.eq("not-a-login"),
                            users::first_name.eq("First"),
                            users::last_name.eq("Last"),
                            users::role.eq("student"),
                            users::created_at.eq(clock.now()),
                            users::updated_at.eq(clock.now()),
                        ))
                        .returning(users::id)
                        .get_result(&mut conn)
                        .unwrap()
                })
                .collect()
        };
        Self { db, clock, people }
    }

    fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    fn set_channels(&self, user_id: i32, in_app: bool, email: bool) {
        diesel::insert_into(notification_preferences::table)
            .values((
                notification_preferences::user_id.eq(user_id),
                notification_preferences::kind.eq("forum_topic"),
                notification_preferences::in_app.eq(in_app),
                notification_preferences::email.eq(email),
                notification_preferences::updated_at.eq(self.now()),
            ))
            .execute(&mut self.db.conn())
            .unwrap();
    }

    fn set_address(&self, user_id: i32, address: &str) {
        diesel::update(users::table.find(user_id))
            .set(users::email.eq(address))
            .execute(&mut self.db.conn())
            .unwrap();
    }

    fn speaks_english(&self, user_id: i32) {
        diesel::insert_into(notification_settings::table)
            .values((
                notification_settings::user_id.eq(user_id),
                notification_settings::locale.eq("en"),
                notification_settings::updated_at.eq(self.now()),
            ))
            .execute(&mut self.db.conn())
            .unwrap();
    }

    /// A forum topic by `people[0]` to everyone.
    fn topic(&self) -> usize {
        let mut conn = self.db.conn();
        notify(
            &mut conn,
            delivery(self.people[0], self.people.clone()),
            self.now(),
        )
        .unwrap()
    }
}

fn delivery(actor: i32, recipients: Vec<i32>) -> Delivery {
    Delivery {
        kind: NotificationKind::ForumTopic,
        actor_id: Some(actor),
        recipients,
        title: Texts::new("Nouveau sujet : Cargo", "New topic: Cargo"),
        body: Texts::same("Comment installer la chaîne d'outils ?"),
        data: json!({"topic_id": 7, "link": "/courses/rust/forum/topics/7"}),
        subject: None,
    }
}

/// (key, payload) of the e-mail jobs, oldest first.
fn email_jobs(conn: &mut DbConnection) -> Vec<(String, EmailJob)> {
    jobs::table
        .filter(jobs::kind.eq("email"))
        .order(jobs::id)
        .select((jobs::job_key, jobs::payload))
        .load::<(String, String)>(conn)
        .unwrap()
        .into_iter()
        .map(|(key, payload)| (key, serde_json::from_str(&payload).unwrap()))
        .collect()
}

/// (outcome, attempts, run_at, last_error) of every e-mail job.
type JobState = (Option<String>, i32, NaiveDateTime, Option<String>);

fn job_states(conn: &mut DbConnection) -> Vec<JobState> {
    jobs::table
        .filter(jobs::kind.eq("email"))
        .order(jobs::id)
        .select((
            jobs::outcome,
            jobs::attempts,
            jobs::run_at,
            jobs::last_error,
        ))
        .load(conn)
        .unwrap()
}

fn smtp(url: &str) -> Arc<dyn Mailer> {
    EmailSettings::new(Some(url), Some("MDSC <no-reply@mdsc.example>"))
        .unwrap()
        .mailer()
        .unwrap()
}

#[test]
fn each_recipient_gets_one_email_job_unless_they_turned_email_off() {
    let world = World::new(6);
    let p = &world.people;
    // p[3]: e-mail off; p[4]: in-app off, e-mail still on; p[5]: no address.
    world.set_channels(p[3], true, false);
    world.set_channels(p[4], false, true);
    world.set_address(p[5], " ");
    assert_eq!(world.topic(), 4);
    let mut conn = world.db.conn();
    let queued = email_jobs(&mut conn);
    let to: Vec<i32> = queued.iter().map(|(_, job)| job.user_id).collect();
    assert_eq!(to, [p[1], p[2], p[4]], "never the actor, p[3] nor p[5]");
    // Keyed by the notification it copies.
    let (key, job) = &queued[0];
    let notification: i32 = notifications::table
        .filter(notifications::user_id.eq(p[1]))
        .select(notifications::id)
        .first(&mut conn)
        .unwrap();
    assert_eq!(key, &format!("email:{notification}"));
    assert_eq!(job.notification_id, Some(notification));
    assert_eq!(job.kind, "forum_topic");
    assert_eq!(job.title, "Nouveau sujet : Cargo");
    assert_eq!(job.link.as_deref(), Some("/courses/rust/forum/topics/7"));
    // Without an in-app row, a key of its own.
    let (key, job) = &queued[2];
    assert_eq!(job.notification_id, None);
    assert!(
        key.starts_with(&format!("email:forum_topic:{}:", p[4])),
        "{key}"
    );
}

#[test]
fn a_rolled_back_change_queues_no_email() {
    let world = World::new(3);
    let mut conn = world.db.conn();
    let outcome = write_transaction(&mut conn, |conn| -> Result<(), Error> {
        notify(
            conn,
            delivery(world.people[0], world.people.clone()),
            world.now(),
        )?;
        assert_eq!(email_jobs(conn).len(), 2, "queued inside the transaction");
        Err(Error::conflict(
            "LATER_FAILURE",
            "the change fails after notifying",
        ))
    });
    assert_eq!(outcome.unwrap_err().code, "LATER_FAILURE");
    assert!(email_jobs(&mut conn).is_empty());
}

#[test]
fn texts_are_in_each_recipients_language_in_app_and_by_email() {
    let world = World::new(3);
    world.speaks_english(world.people[2]);
    world.topic();
    let mut conn = world.db.conn();
    let titles: Vec<(i32, String)> = notifications::table
        .order(notifications::user_id)
        .select((notifications::user_id, notifications::title))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        titles,
        [
            (world.people[1], "Nouveau sujet : Cargo".to_owned()),
            (world.people[2], "New topic: Cargo".to_owned()),
        ]
    );
    let mails: Vec<(String, String)> = email_jobs(&mut conn)
        .into_iter()
        .map(|(_, job)| (job.locale, job.title))
        .collect();
    assert_eq!(
        mails,
        [
            ("fr".to_owned(), "Nouveau sujet : Cargo".to_owned()),
            ("en".to_owned(), "New topic: Cargo".to_owned()),
        ]
    );
}

#[test]
fn the_email_goes_through_smtp_with_subject_link_and_footer_then_is_done() {
    let world = World::new(3);
    world.speaks_english(world.people[2]);
    world.topic();
    let sink = SmtpSink::start();
    let mut conn = world.db.conn();
    let report = send_due(
        &mut conn,
        "w1",
        smtp(&sink.url()).as_ref(),
        &links(),
        world.now(),
        50,
    )
    .unwrap();
    assert_eq!(report.done, 2, "{report:?}");
    let mut received = sink.messages();
    received.sort_by_key(|m| m.rcpt_to.clone());
    assert_eq!(received.len(), 2);
    let (french, english) = (&received[0], &received[1]);
    assert_eq!(french.rcpt_to, ["user1@example.com"]);
    assert_eq!(french.to(), "user1@example.com");
    assert_eq!(french.from(), "no-reply@mdsc.example");
    assert_eq!(french.mail_from, "no-reply@mdsc.example");
    assert_eq!(french.subject(), "Nouveau sujet : Cargo");
    let text = french.text();
    assert!(
        text.starts_with(
            "Comment installer la chaîne d'outils ?\n\nhttps://app.example.org/courses/rust/forum/topics/7\n"
        ),
        "{text}"
    );
    assert!(text.contains("Pour choisir ce que vous recevez par e-mail : https://app.example.org/settings/notifications"), "{text}");
    assert_eq!(english.rcpt_to, ["user2@example.com"]);
    assert_eq!(english.subject(), "New topic: Cargo");
    assert!(
        english
            .text()
            .contains("To choose what you receive by e-mail:")
    );
    // Done, and not sent again.
    let states = job_states(&mut conn);
    assert!(
        states.iter().all(|s| s.0.as_deref() == Some("done")),
        "{states:?}"
    );
    let again = send_due(
        &mut conn,
        "w1",
        smtp(&sink.url()).as_ref(),
        &links(),
        world.now(),
        50,
    )
    .unwrap();
    assert_eq!(again, RunReport::default());
    assert_eq!(sink.messages().len(), 2);
    // Links into the app only: no unsubscribe headers.
    assert_eq!(french.header("List-Unsubscribe"), None);
}

/// With the API's links, every e-mail carries a one-click unsubscribe
/// (RFC 8058) whose token names its recipient and its type.
#[test]
fn each_email_carries_a_one_click_unsubscribe_for_its_recipient_and_type() {
    let world = World::new(3);
    world.topic();
    let keys = mdsc_auth::TokenKeys::from_secret(
        b"unsubscribe-secret-unsubscribe-secret",
        Duration::hours(1),
    )
    .unwrap();
    let links = EmailLinks::with_unsubscribe(APP_URL, "https://api.example.org/", keys.clone());
    let sink = SmtpSink::start();
    let mut conn = world.db.conn();
    let report = send_due(
        &mut conn,
        "w1",
        smtp(&sink.url()).as_ref(),
        &links,
        world.now(),
        50,
    )
    .unwrap();
    assert_eq!(report.done, 2, "{report:?}");
    let received = sink.messages();
    assert_eq!(received.len(), 2);
    let kind = NotificationKind::ForumTopic.as_str();
    for message in &received {
        let recipient = match message.rcpt_to[0].as_str() {
            "user1@example.com" => world.people[1],
            "user2@example.com" => world.people[2],
            other => panic!("unexpected recipient {other}"),
        };
        assert_eq!(
            message.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        let header = message.header("List-Unsubscribe").unwrap();
        let prefix =
            format!("<https://api.example.org/api/notifications/unsubscribe?type={kind}&token=");
        let token = header
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix('>'))
            .unwrap_or_else(|| panic!("unexpected List-Unsubscribe {header:?}"));
        assert_eq!(
            keys.verify_unsubscribe(token, kind, &world.clock)
                .unwrap()
                .user_id,
            recipient
        );
    }
}

#[test]
fn email_turned_off_after_queuing_is_not_sent_and_a_new_address_is_used() {
    let world = World::new(3);
    world.topic();
    world.set_channels(world.people[1], true, false);
    // The address is the one the user has when the e-mail is sent.
    world.set_address(world.people[2], "new-address@example.com");
    let sink = SmtpSink::start();
    let mut conn = world.db.conn();
    let report = send_due(
        &mut conn,
        "w1",
        smtp(&sink.url()).as_ref(),
        &links(),
        world.now(),
        50,
    )
    .unwrap();
    assert_eq!(report.done, 2);
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_to, ["new-address@example.com"]);
    let outcomes: Vec<Option<String>> = job_states(&mut conn).into_iter().map(|s| s.0).collect();
    assert_eq!(
        outcomes,
        [Some("cancelled".to_owned()), Some("done".to_owned())]
    );
}

#[test]
fn an_smtp_failure_is_retried_later_and_not_marked_done() {
    for (name, url, sink) in [
        ("refusing server", None, Some(SmtpSink::refusing())),
        ("closed port", Some(closed_port_url()), None),
    ] {
        let world = World::new(2);
        world.topic();
        let url = url.unwrap_or_else(|| sink.as_ref().unwrap().url());
        let mut conn = world.db.conn();
        let now = world.now();
        let report = send_due(&mut conn, "w1", smtp(&url).as_ref(), &links(), now, 50).unwrap();
        assert_eq!((report.done, report.retried), (0, 1), "{name}: {report:?}");
        let (outcome, attempts, run_at, error) = job_states(&mut conn).remove(0);
        assert_eq!(outcome, None, "{name}");
        assert_eq!(
            (attempts, run_at),
            (1, now + Duration::minutes(1)),
            "{name}"
        );
        assert!(error.unwrap().contains("SMTP"), "{name}");
        if let Some(sink) = &sink {
            assert!(sink.messages().is_empty());
        }
        // Not before its back-off; then to a server that answers.
        let working = SmtpSink::start();
        let mailer = smtp(&working.url());
        let early = send_due(
            &mut conn,
            "w1",
            mailer.as_ref(),
            &links(),
            now + Duration::seconds(30),
            50,
        );
        assert_eq!(early.unwrap(), RunReport::default(), "{name}");
        let later = send_due(
            &mut conn,
            "w1",
            mailer.as_ref(),
            &links(),
            now + Duration::minutes(1),
            50,
        );
        assert_eq!(later.unwrap().done, 1, "{name}");
        assert_eq!(working.messages().len(), 1, "{name}");
        assert_eq!(
            job_states(&mut conn)[0].0.as_deref(),
            Some("done"),
            "{name}"
        );
    }
}

/// A mailer whose server is down: counts the attempts.
struct Down {
    attempts: std::sync::atomic::AtomicUsize,
}

impl Mailer for Down {
    fn send(&self, _: &EmailMessage) -> Result<(), Error> {
        self.attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Err(Error::internal("SMTP: connection refused")
            .with_code(mdsc_notify::email::SMTP_UNAVAILABLE))
    }
}

#[test]
fn once_the_smtp_server_fails_the_rest_of_the_batch_waits_without_trying() {
    // Four recipients besides the actor: four e-mails in one batch.
    let world = World::new(5);
    world.topic();
    let mut conn = world.db.conn();
    let down = Down {
        attempts: std::sync::atomic::AtomicUsize::new(0),
    };
    let report = send_due(&mut conn, "w1", &down, &links(), world.now(), 50).unwrap();
    assert_eq!(down.attempts.into_inner(), 1);
    assert_eq!(
        (report.done, report.retried, report.deferred),
        (0, 1, 3),
        "{report:?}"
    );
    let states = job_states(&mut conn);
    // The one tried used an attempt; the others were given back untried.
    let attempts: Vec<i32> = states.iter().map(|s| s.1).collect();
    assert_eq!(attempts.iter().filter(|a| **a == 1).count(), 1);
    assert_eq!(attempts.iter().filter(|a| **a == 0).count(), 3);
    for (outcome, _, run_at, _) in states {
        assert_eq!(outcome, None);
        assert_eq!(run_at, world.now() + Duration::minutes(1));
    }
}

/// A mailer that refuses the first message for good (a 5xx reply) and
/// takes the others.
struct RefusesFirst {
    calls: std::sync::atomic::AtomicUsize,
}

impl Mailer for RefusesFirst {
    fn send(&self, _: &EmailMessage) -> Result<(), Error> {
        if self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            == 0
        {
            return Err(Error::internal("SMTP: permanent error (550): no such user")
                .with_code(mdsc_notify::jobs::PERMANENT_FAILURE));
        }
        Ok(())
    }
}

#[test]
fn a_message_refused_for_good_fails_alone_and_at_once() {
    let world = World::new(4);
    world.topic();
    let mut conn = world.db.conn();
    let mailer = RefusesFirst {
        calls: std::sync::atomic::AtomicUsize::new(0),
    };
    let report = send_due(&mut conn, "w1", &mailer, &links(), world.now(), 50).unwrap();
    assert_eq!(
        (report.done, report.failed, report.retried, report.deferred),
        (2, 1, 0, 0),
        "{report:?}"
    );
    let outcomes: Vec<Option<String>> = job_states(&mut conn).into_iter().map(|s| s.0).collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.as_deref() == Some("failed"))
            .count(),
        1
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.as_deref() == Some("done"))
            .count(),
        2
    );
}

/// A mailer that records, and can make the worker lose its claim while
/// the message is on its way.
struct Recording {
    pool: mdsc_core::DbPool,
    steal_claim: bool,
    sent: std::sync::Mutex<Vec<EmailMessage>>,
}

impl Mailer for Recording {
    fn send(&self, message: &EmailMessage) -> Result<(), Error> {
        if self.steal_claim {
            diesel::update(jobs::table)
                .set(jobs::locked_by.eq("another-worker"))
                .execute(&mut self.pool.get().unwrap())
                .unwrap();
        }
        self.sent.lock().unwrap().push(message.clone());
        Ok(())
    }
}

#[test]
fn a_claim_lost_while_sending_is_left_to_its_new_owner() {
    let world = World::new(2);
    world.topic();
    let mailer = Recording {
        pool: world.db.pool(),
        steal_claim: true,
        sent: Default::default(),
    };
    let mut conn = world.db.conn();
    let report = send_due(&mut conn, "w1", &mailer, &links(), world.now(), 50).unwrap();
    assert_eq!(report.skipped, 1, "{report:?}");
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
    let (outcome, locked_by): (Option<String>, Option<String>) = jobs::table
        .select((jobs::outcome, jobs::locked_by))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (outcome, locked_by.as_deref()),
        (None, Some("another-worker"))
    );
}

#[test]
fn without_smtp_the_email_is_logged_and_done() {
    let world = World::new(2);
    world.topic();
    let mailer = EmailSettings::new(None, None).unwrap().mailer().unwrap();
    let mut conn = world.db.conn();
    let report = send_due(&mut conn, "w1", mailer.as_ref(), &links(), world.now(), 50).unwrap();
    assert_eq!(report.done, 1);
    assert_eq!(job_states(&mut conn)[0].0.as_deref(), Some("done"));
    // LogMailer is also usable on its own.
    let message = EmailMessage {
        to: "a@example.com".to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        unsubscribe_url: None,
    };
    assert!(LogMailer.send(&message).is_ok());
}

#[test]
fn emails_and_other_jobs_are_claimed_apart() {
    let world = World::new(2);
    world.topic();
    let mut conn = world.db.conn();
    // The reminders' runner leaves e-mails alone (and the other way round:
    // the e-mail lane only sends e-mails).
    assert_eq!(
        run_due(&mut conn, "w1", world.now(), 50).unwrap(),
        RunReport::default()
    );
    assert_eq!(job_states(&mut conn)[0].1, 0, "not even claimed");
    mdsc_notify::jobs::schedule(
        &mut conn,
        "no_such_kind",
        "other:1",
        &json!({}),
        world.now(),
        world.now(),
    )
    .unwrap();
    let report = send_due(&mut conn, "w1", &LogMailer, &links(), world.now(), 50).unwrap();
    assert_eq!(
        report,
        RunReport {
            done: 1,
            ..RunReport::default()
        }
    );
    let other: i32 = jobs::table
        .filter(jobs::job_key.eq("other:1"))
        .select(jobs::attempts)
        .first(&mut conn)
        .unwrap();
    assert_eq!(other, 0);
}

/// Through the real SMTP transport: a server that refuses one mailbox for
/// good (`550`) and another for now (`450`) delivers the third in the same
/// pass; the first fails at once with the server's answer, the second
/// waits for its back-off alone.
#[test]
fn a_refused_mailbox_fails_alone_and_a_busy_one_waits_alone_over_smtp() {
    let world = World::new(4);
    let sink = SmtpSink::refusing_recipients(&[
        ("user1@example.com", "550 5.1.1 mailbox unavailable"),
        ("user2@example.com", "450 4.2.1 mailbox busy, try later"),
    ]);
    world.topic();
    let mut conn = world.db.conn();
    let now = world.now();
    let report = send_due(
        &mut conn,
        "w1",
        smtp(&sink.url()).as_ref(),
        &links(),
        now,
        50,
    )
    .unwrap();
    assert_eq!(
        (report.done, report.failed, report.retried, report.deferred),
        (1, 1, 1, 0),
        "{report:?}"
    );
    let delivered: Vec<Vec<String>> = sink.messages().into_iter().map(|m| m.rcpt_to).collect();
    assert_eq!(delivered, vec![vec!["user3@example.com".to_owned()]]);

    let by_recipient: std::collections::HashMap<i32, JobState> = email_jobs(&mut conn)
        .into_iter()
        .map(|(_, job)| job.user_id)
        .zip(job_states(&mut conn))
        .collect();
    let (outcome, attempts, _, error) = &by_recipient[&world.people[1]];
    assert_eq!((outcome.as_deref(), *attempts), (Some("failed"), 1));
    let error = error.as_deref().unwrap();
    assert!(
        error.contains("550") && error.contains("mailbox unavailable"),
        "the server's answer is kept: {error}"
    );
    let (outcome, attempts, run_at, error) = &by_recipient[&world.people[2]];
    assert_eq!(
        (outcome.as_deref(), *attempts, *run_at),
        (None, 1, now + Duration::minutes(1))
    );
    assert!(error.as_deref().unwrap().contains("450"), "{error:?}");
    assert_eq!(by_recipient[&world.people[3]].0.as_deref(), Some("done"));
}
