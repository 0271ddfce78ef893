//! A topic's participants (issue 21): its author and everyone who replied,
//! kept as they post; a reply notifies them, read from that kept set. A
//! participant stays one when their post is hidden or deleted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::notifications;
use mdsc_forum::ReportAction;
use mdsc_forum::participants::participants;

fn sorted(people: &[&Principal]) -> Vec<i32> {
    let mut ids: Vec<i32> = people.iter().map(|p| p.user_id).collect();
    ids.sort_unstable();
    ids
}

/// Who was told of reply `reply_id`.
fn told_of(w: &mut World, reply_id: i32) -> Vec<i32> {
    let mut ids: Vec<i32> = notifications::table
        .filter(notifications::kind.eq("forum_reply"))
        .filter(notifications::subject.eq(format!("forum_reply:{reply_id}")))
        .select(notifications::user_id)
        .load(&mut *w.conn)
        .unwrap();
    ids.sort_unstable();
    ids
}

#[test]
fn the_author_and_every_replier_take_part_once() {
    let mut w = World::new();
    let cast = w.cast();
    let third = w.enrolled(cast.course_id);
    let topic = w.topic(&cast.student, cast.forum_id, "Qui participe ?");
    assert_eq!(
        participants(&mut w.conn, topic.id).unwrap(),
        sorted(&[&cast.student])
    );
    let first = w.reply(&cast.classmate, topic.id, None);
    w.reply(&third, topic.id, Some(first.id));
    w.reply(&cast.classmate, topic.id, None);
    w.reply(&cast.student, topic.id, Some(first.id));
    assert_eq!(
        participants(&mut w.conn, topic.id).unwrap(),
        sorted(&[&cast.student, &cast.classmate, &third])
    );
    // Refused posts take no part.
    w.try_reply(&cast.outsider, topic.id, None, "Je peux ?")
        .unwrap_err();
    assert_eq!(participants(&mut w.conn, topic.id).unwrap().len(), 3);
}

#[test]
fn a_participant_whose_posts_are_hidden_or_deleted_still_hears_of_replies() {
    let mut w = World::new();
    let cast = w.cast();
    let hidden_one = w.enrolled(cast.course_id);
    let newcomer = w.enrolled(cast.course_id);
    let topic = w.topic(&cast.student, cast.forum_id, "Un fil animé");
    let deleted = w.reply(&cast.classmate, topic.id, None);
    let hidden = w.reply(&hidden_one, topic.id, None);
    w.delete_reply(&cast.classmate, deleted.id).unwrap();
    w.moderate(
        &cast,
        &cast.instructor,
        topic.id,
        Some(hidden.id),
        ReportAction::Hide,
    );
    assert_eq!(
        participants(&mut w.conn, topic.id).unwrap(),
        sorted(&[&cast.student, &cast.classmate, &hidden_one])
    );

    let reply = w.reply(&newcomer, topic.id, None);
    assert_eq!(
        told_of(&mut w, reply.id),
        sorted(&[&cast.student, &cast.classmate, &hidden_one]),
        "every participant but the one replying, their posts gone or not"
    );
    let answer = w.reply(&cast.classmate, topic.id, Some(reply.id));
    assert_eq!(
        told_of(&mut w, answer.id),
        sorted(&[&cast.student, &hidden_one, &newcomer])
    );
}

#[test]
fn in_a_hidden_topic_only_its_author_hears_of_replies() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Bientôt masqué");
    w.reply(&cast.classmate, topic.id, None);
    w.moderate(&cast, &cast.classmate, topic.id, None, ReportAction::Hide);
    let reply = w.reply(&cast.instructor, topic.id, None);
    assert_eq!(told_of(&mut w, reply.id), sorted(&[&cast.student]));
    assert_eq!(
        participants(&mut w.conn, topic.id).unwrap(),
        sorted(&[&cast.student, &cast.classmate, &cast.instructor]),
        "hidden, the topic still keeps who took part"
    );
}

#[test]
fn a_deleted_topic_takes_its_participants_with_it() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Éphémère");
    w.reply(&cast.classmate, topic.id, None);
    w.delete_topic(&cast.student, topic.id).unwrap();
    assert!(participants(&mut w.conn, topic.id).unwrap().is_empty());
}
