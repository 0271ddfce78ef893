//! Reactions: votes exclude each other, `like` and `helpful` stand alone,
//! one row per user, reply and type, never on one's own reply; counts stay
//! equal to a recount, also under concurrent reactions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_core::schema::forum_reactions;
use mdsc_core::{Error, ErrorKind};
use mdsc_forum::ReactionType::{self, Downvote, Helpful, Like, Upvote};
use mdsc_forum::reaction::{ReactionInput, RemoveReactionInput, add_reaction, remove_reaction};
use mdsc_forum::reply::{ReplyListQuery, delete_reply};

fn rows(w: &mut World, reply_id: i32, user_id: i32) -> Vec<String> {
    let mut kinds: Vec<String> = forum_reactions::table
        .filter(forum_reactions::reply_id.eq(reply_id))
        .filter(forum_reactions::user_id.eq(user_id))
        .select(forum_reactions::reaction_type)
        .load(&mut *w.conn)
        .unwrap();
    kinds.sort();
    kinds
}

#[test]
fn an_upvote_replaces_a_downvote_and_back() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Votes");
    let reply = w.reply(&cast.classmate, topic.id, None);
    let me = cast.student;
    let r = w.react(&me, reply.id, Upvote).unwrap();
    assert_eq!(
        (r.upvotes, r.downvotes, r.user_reaction),
        (1, 0, Some(Upvote))
    );
    let r = w.react(&me, reply.id, Downvote).unwrap();
    assert_eq!(
        (r.upvotes, r.downvotes, r.user_reaction),
        (0, 1, Some(Downvote))
    );
    assert_eq!(rows(&mut w, reply.id, me.user_id), ["downvote"]);
    let r = w.react(&me, reply.id, Upvote).unwrap();
    assert_eq!((r.upvotes, r.downvotes), (1, 0));
    // The same vote again changes nothing: one row per user, reply and type.
    let r = w.react(&me, reply.id, Upvote).unwrap();
    assert_eq!((r.upvotes, r.downvotes), (1, 0));
    assert_eq!(rows(&mut w, reply.id, me.user_id), ["upvote"]);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn like_and_helpful_are_independent() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Réactions");
    let reply = w.reply(&cast.classmate, topic.id, None);
    let me = cast.student;
    w.react(&me, reply.id, Like).unwrap();
    w.react(&me, reply.id, Helpful).unwrap();
    let r = w.react(&me, reply.id, Downvote).unwrap();
    assert_eq!(
        (r.like_count, r.helpful_count, r.downvotes, r.upvotes),
        (1, 1, 1, 0)
    );
    assert_eq!(r.user_reactions, [Downvote, Like, Helpful]);
    assert_eq!(r.user_reaction, Some(Downvote));
    let r = w.react(&me, reply.id, Upvote).unwrap();
    assert_eq!(
        (r.like_count, r.helpful_count, r.downvotes, r.upvotes),
        (1, 1, 0, 1)
    );
    assert_eq!(
        rows(&mut w, reply.id, me.user_id),
        ["helpful", "like", "upvote"]
    );

    // Removing one leaves the others.
    let r = w.unreact(&me, reply.id, Like).unwrap();
    assert_eq!((r.like_count, r.helpful_count, r.upvotes), (0, 1, 1));
    let r = w.unreact(&me, reply.id, Upvote).unwrap();
    assert_eq!((r.upvotes, r.user_reaction), (0, None));
    assert_eq!(r.user_reactions, [Helpful]);
    // Removing one the caller does not have changes nothing.
    let r = w.unreact(&me, reply.id, Downvote).unwrap();
    assert_eq!((r.downvotes, r.helpful_count), (0, 1));
    // Others' reactions are theirs.
    w.react(&cast.instructor, reply.id, Helpful).unwrap();
    let r = w.unreact(&me, reply.id, Helpful).unwrap();
    assert_eq!(r.helpful_count, 1);
    assert!(r.user_reactions.is_empty());

    // Without a type, every reaction of the caller goes, and only theirs.
    w.react(&me, reply.id, Like).unwrap();
    w.react(&me, reply.id, Helpful).unwrap();
    w.react(&me, reply.id, Upvote).unwrap();
    let r = remove_reaction(&mut w.conn, &me, reply.id, RemoveReactionInput::default()).unwrap();
    assert!(r.user_reactions.is_empty());
    assert_eq!(
        (r.like_count, r.helpful_count, r.upvotes, r.downvotes),
        (0, 1, 0, 0)
    );
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn nobody_reacts_to_their_own_reply() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Moi-même");
    let mine = w.reply(&cast.student, topic.id, None);
    let staff_reply = w.reply(&cast.instructor, topic.id, None);
    for kind in ReactionType::ALL {
        let err = expect_err(
            w.react(&cast.student, mine.id, kind),
            ErrorKind::Validation,
            "OWN_REPLY",
        );
        assert_eq!(err.field_errors[0].field, "reply_id");
        expect_err(
            w.react(&cast.instructor, staff_reply.id, kind),
            ErrorKind::Validation,
            "OWN_REPLY",
        );
    }
    assert_eq!(
        w.replies(&cast.student, topic.id, ReplyListQuery::default())
            .unwrap()
            .data[0]
            .upvotes,
        0
    );
}

#[test]
fn only_members_react_to_replies_they_can_see() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Accès");
    let reply = w.reply(&cast.classmate, topic.id, None);
    for who in cast.outsiders() {
        expect_not_enrolled(w.react(&who, reply.id, Upvote));
        expect_not_enrolled(w.unreact(&who, reply.id, Upvote));
    }
    for who in [cast.student, cast.instructor, cast.admin] {
        w.react(&who, reply.id, Upvote).unwrap();
    }
    expect_not_found(w.react(&cast.student, reply.id + 100, Upvote));
    assert_eq!(w.react(&cast.student, reply.id, Like).unwrap().upvotes, 3);
}

#[test]
fn reactions_leave_with_their_reply() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Éphémère");
    let reply = w.reply(&cast.classmate, topic.id, None);
    w.react(&cast.student, reply.id, Upvote).unwrap();
    w.react(&cast.instructor, reply.id, Helpful).unwrap();
    delete_reply(&mut w.conn, &cast.classmate, &w.clock, reply.id).unwrap();
    let left: i64 = forum_reactions::table
        .count()
        .get_result(&mut *w.conn)
        .unwrap();
    assert_eq!(left, 0);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn many_users_voting_at_once_are_all_counted() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Vote massif");
    let reply = w.reply(&cast.classmate, topic.id, None);
    let voters: Vec<_> = (0..12).map(|_| w.enrolled(cast.course_id)).collect();
    let reply_id = reply.id;
    let results = race(&w.db.pool(), voters.len(), move |i, conn| {
        let kind = if i % 3 == 0 { Downvote } else { Upvote };
        add_reaction(
            conn,
            &voters[i],
            &thread_clock(),
            &crate::common::roomy(),
            reply_id,
            ReactionInput {
                reaction_type: kind,
            },
        )
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    w.assert_counters_exact(cast.forum_id);
    let r = w.react(&cast.student, reply.id, Like).unwrap();
    assert_eq!((r.upvotes, r.downvotes, r.like_count), (8, 4, 1));
}

#[test]
fn one_user_switching_votes_at_once_keeps_one_vote() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Indécis");
    let reply = w.reply(&cast.classmate, topic.id, None);
    let me = cast.student;
    let reply_id = reply.id;
    let results = race(&w.db.pool(), 12, move |i, conn| -> Result<(), Error> {
        let kind = match i % 4 {
            0 => Upvote,
            1 => Downvote,
            2 => Like,
            _ => Helpful,
        };
        if i >= 8 {
            remove_reaction(
                conn,
                &me,
                reply_id,
                RemoveReactionInput {
                    reaction_type: Some(kind),
                },
            )?;
        } else {
            add_reaction(
                conn,
                &me,
                &thread_clock(),
                &crate::common::roomy(),
                reply_id,
                ReactionInput {
                    reaction_type: kind,
                },
            )?;
        }
        Ok(())
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    w.assert_counters_exact(cast.forum_id);
    let kinds = rows(&mut w, reply.id, me.user_id);
    let votes = kinds
        .iter()
        .filter(|k| *k == "upvote" || *k == "downvote")
        .count();
    assert!(votes <= 1, "{kinds:?}");
}

#[test]
fn reactions_racing_deletions_and_answers_keep_every_counter_exact() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Chaos");
    let people: Vec<_> = (0..6).map(|_| w.enrolled(cast.course_id)).collect();
    for round in 0..4 {
        let target = w.reply(&cast.classmate, topic.id, None);
        let other = w.reply(&cast.instructor, topic.id, Some(target.id));
        let (target_id, other_id, topic_id) = (target.id, other.id, topic.id);
        let author = cast.classmate;
        let people = people.clone();
        let results = race(&w.db.pool(), 10, move |i, conn| -> Result<(), Error> {
            let clock = thread_clock();
            let settings = roomy();
            match i {
                0 => delete_reply(conn, &author, &clock, target_id),
                1 => mdsc_forum::reply::create_reply(
                    conn,
                    &people[0],
                    &clock,
                    &settings,
                    topic_id,
                    mdsc_forum::reply::CreateReplyInput {
                        content: format!("Round {round}"),
                        parent_reply_id: Some(other_id),
                    },
                )
                .map(|_| ()),
                i if i < 8 => add_reaction(
                    conn,
                    &people[i % 6],
                    &clock,
                    &crate::common::roomy(),
                    target_id,
                    ReactionInput {
                        reaction_type: if i % 2 == 0 { Upvote } else { Downvote },
                    },
                )
                .map(|_| ()),
                i => add_reaction(
                    conn,
                    &people[i % 6],
                    &clock,
                    &crate::common::roomy(),
                    other_id,
                    ReactionInput {
                        reaction_type: Helpful,
                    },
                )
                .map(|_| ()),
            }
            .or_else(|e| {
                if e.kind == ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
        });
        assert!(
            results.iter().all(Result::is_ok),
            "round {round}: {results:?}"
        );
        w.assert_counters_exact(cast.forum_id);
    }
}
