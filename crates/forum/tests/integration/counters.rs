//! Every kept counter (`reply_count`, `last_reply_*`, `has_solution`, the
//! reaction counts, the forum's totals) equals a recount: after every step
//! of a long random history, under concurrent writers of every kind, and
//! after a repair.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_forums, forum_replies, forum_topics};
use mdsc_core::{Error, ErrorKind};
use mdsc_forum::ReactionType;
use mdsc_forum::counters::{count_forum_counters, kept_forum_counters, recompute_forum};
use mdsc_forum::reaction::{ReactionInput, RemoveReactionInput, add_reaction, remove_reaction};
use mdsc_forum::reply::{
    CreateReplyInput, SolutionInput, create_reply, delete_reply, mark_solution,
};
use mdsc_forum::report::{
    ReportInput, ResolveReportInput, report_reply, report_topic, resolve_report,
};
use mdsc_forum::topic::{create_topic, delete_topic};
use mdsc_forum::{ReportAction, ReportReason};

/// xorshift64: a tiny deterministic generator, so a failure replays.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len())])
        }
    }
}

fn ids(w: &mut World, forum_id: i32) -> (Vec<i32>, Vec<i32>) {
    let topics: Vec<i32> = forum_topics::table
        .filter(forum_topics::forum_id.eq(forum_id))
        .select(forum_topics::id)
        .load(&mut *w.conn)
        .unwrap();
    let replies: Vec<i32> = forum_replies::table
        .filter(forum_replies::topic_id.eq_any(&topics))
        .select(forum_replies::id)
        .load(&mut *w.conn)
        .unwrap();
    (topics, replies)
}

fn topic_of(conn: &mut mdsc_core::DbConnection, reply_id: i32) -> i32 {
    forum_replies::table
        .find(reply_id)
        .select(forum_replies::topic_id)
        .first(conn)
        .unwrap()
}

/// Refusals are part of the history (own reply, deleted reply, hidden
/// topic…); anything else is a bug.
#[track_caller]
fn tolerate<T>(result: Result<T, Error>) {
    if let Err(e) = result {
        assert!(
            matches!(
                e.kind,
                ErrorKind::NotFound
                    | ErrorKind::Validation
                    | ErrorKind::Conflict
                    | ErrorKind::Forbidden
            ),
            "unexpected error: {e}"
        );
    }
}

fn run_history(seed: u64, steps: usize) {
    let mut w = World::new();
    let cast = w.cast();
    let mut people: Vec<Principal> =
        vec![cast.student, cast.classmate, cast.instructor, cast.admin];
    people.extend((0..3).map(|_| w.enrolled(cast.course_id)));
    let mut rng = XorShift(seed);
    let f = cast.forum_id;
    for step in 0..steps {
        w.clock
            .advance(Duration::seconds(i64::try_from(rng.below(90)).unwrap()));
        let who = rng.pick(&people).unwrap();
        let (topics, replies) = ids(&mut w, f);
        let clock = &w.clock;
        let conn = &mut *w.conn;
        let settings = w.settings;
        match rng.below(12) {
            0 | 1 => tolerate(create_topic(
                conn,
                &who,
                clock,
                &settings,
                f,
                topic_input("Sujet", "Texte"),
            )),
            2..=4 => {
                // Half of the answers go to a reply, in that reply's topic.
                let parent = if rng.below(2) == 0 {
                    rng.pick(&replies)
                } else {
                    None
                };
                let topic = match parent {
                    Some(reply) => Some(topic_of(conn, reply)),
                    None => rng.pick(&topics),
                };
                if let Some(topic) = topic {
                    tolerate(create_reply(
                        conn,
                        &who,
                        clock,
                        &settings,
                        topic,
                        CreateReplyInput {
                            content: format!("Réponse {step}"),
                            parent_reply_id: parent,
                        },
                    ));
                }
            }
            5 | 6 => {
                if let Some(reply) = rng.pick(&replies) {
                    let kind = ReactionType::ALL[rng.below(4)];
                    tolerate(add_reaction(
                        conn,
                        &who,
                        clock,
                        &crate::common::roomy(),
                        reply,
                        ReactionInput {
                            reaction_type: kind,
                        },
                    ));
                }
            }
            7 => {
                if let Some(reply) = rng.pick(&replies) {
                    let kind = ReactionType::ALL[rng.below(4)];
                    tolerate(remove_reaction(
                        conn,
                        &who,
                        reply,
                        RemoveReactionInput {
                            reaction_type: Some(kind),
                        },
                    ));
                }
            }
            8 => {
                if let Some(reply) = rng.pick(&replies) {
                    tolerate(delete_reply(conn, &cast.admin, clock, reply));
                }
            }
            9 => {
                if let Some(reply) = rng.pick(&replies) {
                    let value = Some(rng.below(4) != 0);
                    tolerate(mark_solution(
                        conn,
                        &cast.instructor,
                        reply,
                        SolutionInput { value },
                    ));
                }
            }
            10 => {
                // Report and resolve at once: hide or restore a post.
                let action = if rng.below(2) == 0 {
                    ReportAction::Hide
                } else {
                    ReportAction::Restore
                };
                let reporter = rng.pick(&people).unwrap();
                let report = if rng.below(2) == 0 {
                    rng.pick(&replies).map(|r| {
                        report_reply(
                            conn,
                            &reporter,
                            clock,
                            &crate::common::roomy(),
                            r,
                            ReportInput {
                                reason: ReportReason::Spam,
                                details: None,
                            },
                        )
                    })
                } else {
                    rng.pick(&topics).map(|t| {
                        report_topic(
                            conn,
                            &reporter,
                            clock,
                            &crate::common::roomy(),
                            t,
                            ReportInput {
                                reason: ReportReason::Other,
                                details: None,
                            },
                        )
                    })
                };
                if let Some(Ok(report)) = report {
                    resolve_report(
                        conn,
                        &cast.admin,
                        clock,
                        cast.course_id,
                        report.id,
                        ResolveReportInput { action },
                    )
                    .unwrap();
                }
            }
            _ => {
                if rng.below(3) == 0
                    && let Some(topic) = rng.pick(&topics)
                {
                    tolerate(delete_topic(conn, &cast.instructor, clock, topic));
                }
            }
        }
        w.assert_counters_exact(f);
    }
    let (topics, replies) = ids(&mut w, f);
    assert!(
        topics.len() > 3 && replies.len() > 10,
        "the history did something: {} topics, {} replies",
        topics.len(),
        replies.len()
    );
}

#[test]
fn kept_counters_equal_a_recount_after_every_step_of_a_random_history() {
    run_history(0x5eed_f0e0, 250);
}

#[test]
fn another_seed_keeps_counters_exact_too() {
    run_history(0xdead_beef, 250);
}

#[test]
fn concurrent_writers_of_every_kind_keep_counters_exact() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let people: Vec<Principal> = (0..6).map(|_| w.enrolled(cast.course_id)).collect();
    let mut topics = Vec::new();
    let mut replies = Vec::new();
    for i in 0..3 {
        let topic = w.topic(&cast.student, f, &format!("Sujet {i}"));
        let top = w.reply(&cast.classmate, topic.id, None);
        let nested = w.reply(&cast.student, topic.id, Some(top.id));
        topics.push(topic.id);
        replies.extend([top.id, nested.id]);
    }
    for round in 0..5u64 {
        let (topics, replies, people) = (topics.clone(), replies.clone(), people.clone());
        let instructor = cast.instructor;
        let results = race(&w.db.pool(), 14, move |i, conn| -> Result<(), Error> {
            let clock = thread_clock();
            let settings = roomy();
            let who = people[i % people.len()];
            let mut rng = XorShift(round * 100 + i as u64 + 1);
            let topic = topics[rng.below(topics.len())];
            let reply = replies[rng.below(replies.len())];
            let outcome = match rng.below(6) {
                0 => create_reply(
                    conn,
                    &who,
                    &clock,
                    &settings,
                    topic,
                    CreateReplyInput {
                        content: "Moi aussi".to_owned(),
                        parent_reply_id: if rng.below(2) == 0 { Some(reply) } else { None },
                    },
                )
                .map(|_| ()),
                1 => delete_reply(conn, &instructor, &clock, reply),
                2 => mark_solution(conn, &instructor, reply, SolutionInput::default()).map(|_| ()),
                3 => create_topic(
                    conn,
                    &who,
                    &clock,
                    &settings,
                    f,
                    topic_input("Nouveau", "Texte"),
                )
                .map(|_| ()),
                _ => add_reaction(
                    conn,
                    &who,
                    &clock,
                    &crate::common::roomy(),
                    reply,
                    ReactionInput {
                        reaction_type: ReactionType::ALL[rng.below(4)],
                    },
                )
                .map(|_| ()),
            };
            match outcome {
                Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Validation) => Ok(()),
                other => other,
            }
        });
        assert!(
            results.iter().all(Result::is_ok),
            "round {round}: {results:?}"
        );
        w.assert_counters_exact(f);
    }
    let last = topics[2];
    delete_topic(&mut w.conn, &cast.admin, &w.clock, last).unwrap();
    w.assert_counters_exact(f);
}

#[test]
fn recompute_repairs_broken_counters() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Réparer");
    let reply = w.reply(&cast.classmate, topic.id, None);
    w.react(&cast.student, reply.id, ReactionType::Upvote)
        .unwrap();
    w.mark(&cast.student, reply.id).unwrap();
    let right = kept_forum_counters(&mut w.conn, cast.forum_id).unwrap();
    diesel::update(forum_topics::table.find(topic.id))
        .set((
            forum_topics::reply_count.eq(40),
            forum_topics::has_solution.eq(false),
            forum_topics::last_reply_by.eq(None::<i32>),
        ))
        .execute(&mut *w.conn)
        .unwrap();
    diesel::update(forum_replies::table.find(reply.id))
        .set(forum_replies::upvotes.eq(7))
        .execute(&mut *w.conn)
        .unwrap();
    diesel::update(course_forums::table.find(cast.forum_id))
        .set(course_forums::topic_count.eq(9))
        .execute(&mut *w.conn)
        .unwrap();
    assert_ne!(
        kept_forum_counters(&mut w.conn, cast.forum_id).unwrap(),
        right
    );
    assert_eq!(recompute_forum(&mut w.conn, cast.forum_id).unwrap(), right);
    assert_eq!(
        count_forum_counters(&mut w.conn, cast.forum_id).unwrap(),
        right
    );
    w.assert_counters_exact(cast.forum_id);
    let read = w.get_topic(&cast.student, topic.id).unwrap();
    assert_eq!((read.reply_count, read.has_solution), (1, true));
    assert_eq!(read.last_reply_by, Some(cast.classmate.user_id));
}

/// The lists read their totals from these counters (issue 21): topics and
/// replies posted, hidden, shown again and deleted on concurrent
/// connections leave every one of them, the hidden topics and the threads
/// included, equal to a recount.
#[test]
fn concurrent_posts_hides_and_deletes_keep_the_totals_exact() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let people: Vec<Principal> = (0..8).map(|_| w.enrolled(cast.course_id)).collect();
    for i in 0..4 {
        let topic = w.topic(&cast.student, f, &format!("Sujet {i}"));
        let top = w.reply(&cast.classmate, topic.id, None);
        w.reply(&cast.student, topic.id, Some(top.id));
    }
    for round in 0..6u64 {
        let (topics, replies) = ids(&mut w, f);
        // Each reply with its topic, read before the race deletes any.
        let replies: Vec<(i32, i32)> = replies
            .into_iter()
            .map(|r| (r, topic_of(&mut w.conn, r)))
            .collect();
        let people = people.clone();
        let (instructor, admin, course_id) = (cast.instructor, cast.admin, cast.course_id);
        let results = race(&w.db.pool(), 12, move |i, conn| -> Result<(), Error> {
            let clock = thread_clock();
            let settings = roomy();
            let who = people[i % people.len()];
            let mut rng = XorShift(round * 1000 + i as u64 + 7);
            let topic = topics[rng.below(topics.len())];
            let (reply, reply_topic) = replies[rng.below(replies.len())];
            let action = if rng.below(3) == 0 {
                ReportAction::Restore
            } else {
                ReportAction::Hide
            };
            let outcome = match rng.below(7) {
                0 | 1 => create_reply(
                    conn,
                    &who,
                    &clock,
                    &settings,
                    reply_topic,
                    CreateReplyInput {
                        content: "Et moi".to_owned(),
                        parent_reply_id: (rng.below(2) == 0).then_some(reply),
                    },
                )
                .map(|_| ()),
                2 => create_topic(
                    conn,
                    &who,
                    &clock,
                    &settings,
                    f,
                    topic_input("Neuf", "Texte"),
                )
                .map(|_| ()),
                3 => delete_reply(conn, &admin, &clock, reply),
                4 => report_topic(
                    conn,
                    &who,
                    &clock,
                    &settings,
                    topic,
                    ReportInput {
                        reason: ReportReason::Spam,
                        details: None,
                    },
                )
                .and_then(|report| {
                    resolve_report(
                        conn,
                        &instructor,
                        &clock,
                        course_id,
                        report.id,
                        ResolveReportInput { action },
                    )
                })
                .map(|_| ()),
                5 => report_reply(
                    conn,
                    &who,
                    &clock,
                    &settings,
                    reply,
                    ReportInput {
                        reason: ReportReason::Spam,
                        details: None,
                    },
                )
                .and_then(|report| {
                    resolve_report(
                        conn,
                        &admin,
                        &clock,
                        course_id,
                        report.id,
                        ResolveReportInput { action },
                    )
                })
                .map(|_| ()),
                _ if i == 0 && topics.len() > 3 => delete_topic(conn, &instructor, &clock, topic),
                _ => Ok(()),
            };
            match outcome {
                // The post went meanwhile, was hidden from this student,
                // or was reported by them already.
                Err(e)
                    if matches!(
                        e.kind,
                        ErrorKind::NotFound | ErrorKind::Validation | ErrorKind::Conflict
                    ) =>
                {
                    Ok(())
                }
                other => other,
            }
        });
        assert!(
            results.iter().all(Result::is_ok),
            "round {round}: {results:?}"
        );
        w.assert_counters_exact(f);
    }
    let hidden: i64 = forum_topics::table
        .filter(forum_topics::forum_id.eq(f))
        .filter(forum_topics::is_hidden.eq(true))
        .count()
        .get_result(&mut *w.conn)
        .unwrap();
    assert!(hidden > 0, "the race hid topics");
}
