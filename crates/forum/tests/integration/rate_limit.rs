//! Anti-spam: a bounded number of topics and replies per user and minute,
//! then 429 with the seconds to wait; the bound holds under a burst of
//! concurrent posts too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::{Error, ErrorKind};
use mdsc_forum::reply::{CreateReplyInput, create_reply, delete_reply};
use mdsc_forum::topic::{create_topic, delete_topic};
use mdsc_forum::{ForumSettings, ReactionType};

#[track_caller]
fn expect_limited<T: std::fmt::Debug>(result: Result<T, Error>, retry_after: u64) {
    let err = expect_err(result, ErrorKind::RateLimited, "RATE_LIMITED");
    assert_eq!(err.retry_after_secs, Some(retry_after));
}

#[test]
fn topics_per_minute_are_bounded() {
    let mut w = World::new();
    w.settings = ForumSettings {
        topics_per_minute: 3,
        replies_per_minute: 100,
        reactions_per_minute: 1000,
        reports_per_hour: 1000,
    };
    let cast = w.cast();
    let f = cast.forum_id;
    w.topic(&cast.student, f, "Un");
    w.clock.advance(Duration::seconds(10));
    w.topic(&cast.student, f, "Deux");
    w.clock.advance(Duration::milliseconds(20_500));
    w.topic(&cast.student, f, "Trois");
    // 30.5 s after the first: it leaves the window in 29.5 s, rounded up.
    expect_limited(w.try_topic(&cast.student, f, "Quatre", "trop"), 30);
    // Others are not limited by this user's posts; replies have their own bound.
    w.topic(&cast.classmate, f, "Voisin");
    let first = w.listed(&cast.student, f, Default::default())[0];
    w.reply(&cast.student, first, None);

    w.clock.advance(Duration::seconds(29));
    expect_limited(w.try_topic(&cast.student, f, "Quatre", "trop"), 1);
    w.clock.advance(Duration::milliseconds(500));
    w.topic(&cast.student, f, "Quatre");
    expect_limited(w.try_topic(&cast.student, f, "Cinq", "trop"), 10);
    w.assert_counters_exact(f);
}

#[test]
fn replies_per_minute_are_bounded() {
    let mut w = World::new();
    w.settings = ForumSettings {
        topics_per_minute: 100,
        replies_per_minute: 2,
        reactions_per_minute: 1000,
        reports_per_hour: 1000,
    };
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Bavard");
    let first = w.reply(&cast.classmate, topic.id, None);
    w.reply(&cast.classmate, topic.id, Some(first.id));
    expect_limited(w.try_reply(&cast.classmate, topic.id, None, "encore"), 60);
    // Staff are bound too.
    w.reply(&cast.instructor, topic.id, None);
    w.reply(&cast.instructor, topic.id, None);
    expect_limited(w.try_reply(&cast.instructor, topic.id, None, "encore"), 60);
    w.clock.advance(Duration::seconds(60));
    w.reply(&cast.classmate, topic.id, None);
    assert_eq!(w.topic_row(topic.id).0, 5);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn a_burst_of_concurrent_posts_stops_at_the_bound() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.instructor, cast.forum_id, "Rafale");
    let spammer = cast.student;
    let (forum_id, topic_id) = (cast.forum_id, topic.id);
    let settings = ForumSettings {
        topics_per_minute: 3,
        replies_per_minute: 4,
        reactions_per_minute: 1000,
        reports_per_hour: 1000,
    };
    let results = race(&w.db.pool(), 14, move |i, conn| -> Result<(), Error> {
        let clock = thread_clock();
        if i % 2 == 0 {
            create_topic(
                conn,
                &spammer,
                &clock,
                &settings,
                forum_id,
                topic_input("Spam", "spam"),
            )
            .map(|_| ())
        } else {
            create_reply(
                conn,
                &spammer,
                &clock,
                &settings,
                topic_id,
                CreateReplyInput {
                    content: "spam".to_owned(),
                    parent_reply_id: None,
                },
            )
            .map(|_| ())
        }
    });
    let topics_ok = results.iter().step_by(2).filter(|r| r.is_ok()).count();
    let replies_ok = results
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|r| r.is_ok())
        .count();
    assert_eq!((topics_ok, replies_ok), (3, 4), "{results:?}");
    for failed in results.into_iter().filter(Result::is_err) {
        expect_limited(failed, 60);
    }
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn deleting_posts_does_not_free_their_place_in_the_window() {
    let mut w = World::new();
    w.settings = ForumSettings {
        topics_per_minute: 2,
        replies_per_minute: 2,
        reactions_per_minute: 1000,
        reports_per_hour: 1000,
    };
    let cast = w.cast();
    let f = cast.forum_id;
    let host = w.topic(&cast.instructor, f, "Hôte");
    for title in ["Un", "Deux"] {
        let topic = w.topic(&cast.student, f, title);
        delete_topic(&mut w.conn, &cast.student, &w.clock, topic.id).unwrap();
    }
    expect_limited(w.try_topic(&cast.student, f, "Trois", "encore"), 60);
    for _ in 0..2 {
        let reply = w.reply(&cast.student, host.id, None);
        delete_reply(&mut w.conn, &cast.student, &w.clock, reply.id).unwrap();
    }
    expect_limited(w.try_reply(&cast.student, host.id, None, "encore"), 60);
    w.clock.advance(Duration::seconds(60));
    w.topic(&cast.student, f, "Trois");
    w.reply(&cast.student, host.id, None);
    w.assert_counters_exact(f);
}

#[test]
fn reactions_per_minute_are_bounded_and_repeats_are_free() {
    let mut w = World::new();
    w.settings.reactions_per_minute = 3;
    let cast = w.cast();
    let topic = w.topic(&cast.instructor, cast.forum_id, "Votez");
    let replies: Vec<i32> = (0..5)
        .map(|_| w.reply(&cast.classmate, topic.id, None).id)
        .collect();
    for reply_id in &replies[..3] {
        w.react(&cast.student, *reply_id, ReactionType::Upvote)
            .unwrap();
    }
    // Adding a reaction one already has changes nothing and costs nothing.
    w.react(&cast.student, replies[0], ReactionType::Upvote)
        .unwrap();
    let err = expect_err(
        w.react(&cast.student, replies[3], ReactionType::Upvote),
        ErrorKind::RateLimited,
        "RATE_LIMITED",
    );
    assert!(err.retry_after_secs.is_some_and(|s| (1..=64).contains(&s)));
    // The refused vote was not counted.
    let upvotes: i32 = {
        use diesel::prelude::*;
        mdsc_core::schema::forum_replies::table
            .find(replies[3])
            .select(mdsc_core::schema::forum_replies::upvotes)
            .first(&mut *w.conn)
            .unwrap()
    };
    assert_eq!(upvotes, 0);
    // Another user is not held by the student's bound.
    w.react(&cast.instructor, replies[3], ReactionType::Upvote)
        .unwrap();
    w.clock.advance(chrono::Duration::seconds(70));
    w.react(&cast.student, replies[3], ReactionType::Upvote)
        .unwrap();
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn reports_per_hour_are_bounded() {
    let mut w = World::new();
    w.settings.reports_per_hour = 2;
    let cast = w.cast();
    let topics: Vec<i32> = (0..3)
        .map(|n| {
            w.clock.advance(chrono::Duration::seconds(1));
            w.topic(&cast.classmate, cast.forum_id, &format!("Sujet {n}"))
                .id
        })
        .collect();
    let report = |w: &mut World, topic_id: i32| {
        mdsc_forum::report::report_topic(
            &mut w.conn,
            &cast.student,
            &w.clock,
            &w.settings,
            topic_id,
            mdsc_forum::report::ReportInput {
                reason: mdsc_forum::ReportReason::Spam,
                details: None,
            },
        )
    };
    report(&mut w, topics[0]).unwrap();
    report(&mut w, topics[1]).unwrap();
    let err = expect_err(
        report(&mut w, topics[2]),
        ErrorKind::RateLimited,
        "RATE_LIMITED",
    );
    assert!(err.retry_after_secs.is_some_and(|s| s > 60));
    w.clock.advance(chrono::Duration::minutes(65));
    report(&mut w, topics[2]).unwrap();
}
