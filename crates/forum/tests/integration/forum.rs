//! The forum of a course: created on first use, created by staff with a
//! title (409 once it exists), edited and locked by staff; open to enrolled
//! students and staff only; a locked forum is read-only for students.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_core::ErrorKind;
use mdsc_core::schema::course_forums;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_forum::forum::{
    CreateForumInput, UpdateForumInput, create_forum, get_course_forum, update_forum,
};
use mdsc_forum::reaction::ReactionInput;
use mdsc_forum::reply::UpdateReplyInput;
use mdsc_forum::report::{ReportInput, report_topic};
use mdsc_forum::topic::{TopicListQuery, UpdateTopicInput, update_topic};
use mdsc_forum::{ReactionType, ReportReason};

fn forum_rows(w: &mut World, course_id: i32) -> i64 {
    course_forums::table
        .filter(course_forums::course_id.eq(course_id))
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

#[test]
fn the_forum_is_created_on_first_use_once() {
    let mut w = World::new();
    let instructor = w.user(mdsc_auth::Role::Instructor);
    let (course_id, _) = w.course(&instructor, "Découvrir Rust");
    let student = w.enrolled(course_id);
    assert_eq!(forum_rows(&mut w, course_id), 0);
    let first = w.forum(&student, course_id);
    assert_eq!(first.course_id, course_id);
    assert_eq!(first.title, "Découvrir Rust");
    assert!(first.description.is_none());
    assert!(!first.is_locked);
    assert_eq!((first.topic_count, first.reply_count), (0, 0));
    let course = first.course.as_ref().unwrap();
    assert_eq!(
        (course.id, course.title.as_str()),
        (course_id, "Découvrir Rust")
    );
    let again = w.forum(&instructor, course_id);
    assert_eq!(again.id, first.id);
    assert_eq!(forum_rows(&mut w, course_id), 1);

    let json = serde_json::to_value(&first).unwrap();
    assert!(
        json.get("description").is_none(),
        "absent, not null: {json}"
    );
    assert_eq!(json["created_at"], "2026-01-15T10:00:00Z");
}

#[test]
fn first_visits_at_once_create_one_forum() {
    let mut w = World::new();
    let instructor = w.user(mdsc_auth::Role::Instructor);
    let (course_id, _) = w.course(&instructor, "Concurrence");
    let students: Vec<_> = (0..8).map(|_| w.enrolled(course_id)).collect();
    let results = race(&w.db.pool(), students.len(), move |i, conn| {
        get_course_forum(conn, &students[i], &thread_clock(), course_id).map(|f| f.id)
    });
    let ids: Vec<i32> = results.into_iter().map(Result::unwrap).collect();
    assert!(ids.windows(2).all(|p| p[0] == p[1]), "{ids:?}");
    assert_eq!(forum_rows(&mut w, course_id), 1);
}

#[test]
fn only_members_read_the_forum() {
    let mut w = World::new();
    let cast = w.cast();
    for who in cast.outsiders() {
        expect_not_enrolled(get_course_forum(
            &mut w.conn,
            &who,
            &w.clock,
            cast.course_id,
        ));
        expect_not_enrolled(w.list(&who, cast.forum_id, TopicListQuery::default()));
        expect_not_enrolled(w.try_topic(&who, cast.forum_id, "Intrus", "Bonjour"));
    }
    let topic = w.topic(&cast.student, cast.forum_id, "Question");
    for who in cast.outsiders() {
        expect_not_enrolled(w.get_topic(&who, topic.id));
        expect_not_enrolled(w.replies(&who, topic.id, Default::default()));
        expect_not_enrolled(w.try_reply(&who, topic.id, None, "Moi aussi"));
    }
    for who in [cast.student, cast.classmate, cast.instructor, cast.admin] {
        assert_eq!(w.forum(&who, cast.course_id).id, cast.forum_id);
        assert_eq!(
            w.listed(&who, cast.forum_id, TopicListQuery::default()),
            [topic.id]
        );
    }
    expect_not_found(get_course_forum(
        &mut w.conn,
        &cast.student,
        &w.clock,
        cast.course_id + 100,
    ));
    expect_not_found(w.list(
        &cast.student,
        cast.forum_id + 100,
        TopicListQuery::default(),
    ));
}

#[test]
fn a_cancelled_enrollment_closes_the_forum() {
    let mut w = World::new();
    let cast = w.cast();
    let leaver = w.student();
    let enrollment = w.enroll(&leaver, cast.course_id);
    w.forum(&leaver, cast.course_id);
    cancel_enrollment(&mut w.conn, &leaver, &w.clock, enrollment).unwrap();
    expect_not_enrolled(get_course_forum(
        &mut w.conn,
        &leaver,
        &w.clock,
        cast.course_id,
    ));
}

fn create_input(title: &str) -> CreateForumInput {
    CreateForumInput {
        title: title.to_owned(),
        description: Some("Posez vos questions **ici**.\n".to_owned()),
    }
}

#[test]
fn staff_create_the_forum_with_a_title_before_first_use_only() {
    let mut w = World::new();
    let instructor = w.user(mdsc_auth::Role::Instructor);
    let other = w.user(mdsc_auth::Role::Instructor);
    let admin = w.user(mdsc_auth::Role::Admin);
    let (course_id, _) = w.course(&instructor, "Rust");
    let (second_course, _) = w.course(&instructor, "Go");
    let student = w.enrolled(course_id);

    expect_forbidden(create_forum(
        &mut w.conn,
        &student,
        &w.clock,
        course_id,
        create_input("Élèves"),
    ));
    expect_forbidden(create_forum(
        &mut w.conn,
        &other,
        &w.clock,
        course_id,
        create_input("Autre"),
    ));
    expect_invalid_field(
        create_forum(
            &mut w.conn,
            &instructor,
            &w.clock,
            course_id,
            create_input(""),
        ),
        "title",
    );
    let created = create_forum(
        &mut w.conn,
        &instructor,
        &w.clock,
        course_id,
        create_input("Entraide"),
    )
    .unwrap();
    assert_eq!(created.title, "Entraide");
    assert_eq!(
        created.description.as_deref(),
        Some("Posez vos questions **ici**.\n")
    );
    assert_eq!(w.forum(&student, course_id).id, created.id);
    expect_err(
        create_forum(
            &mut w.conn,
            &admin,
            &w.clock,
            course_id,
            create_input("Encore"),
        ),
        ErrorKind::Conflict,
        "FORUM_EXISTS",
    );

    // Once opened (created with the course's title), it exists too.
    w.forum(&instructor, second_course);
    expect_err(
        create_forum(
            &mut w.conn,
            &admin,
            &w.clock,
            second_course,
            create_input("Trop tard"),
        ),
        ErrorKind::Conflict,
        "FORUM_EXISTS",
    );
    expect_not_found(create_forum(
        &mut w.conn,
        &admin,
        &w.clock,
        9999,
        create_input("Nulle part"),
    ));
}

fn lock(w: &mut World, who: &mdsc_auth::Principal, course_id: i32, locked: bool) {
    let input = UpdateForumInput {
        is_locked: Some(locked),
        ..UpdateForumInput::default()
    };
    let forum = update_forum(&mut w.conn, who, &w.clock, course_id, input).unwrap();
    assert_eq!(forum.is_locked, locked);
}

#[test]
fn staff_edit_and_lock_the_forum() {
    let mut w = World::new();
    let cast = w.cast();
    let input = UpdateForumInput {
        title: Some("Forum d'entraide".to_owned()),
        description: Some("Soyez bienveillants".to_owned()),
        is_locked: None,
    };
    for who in [cast.student, cast.other_instructor] {
        expect_forbidden(update_forum(
            &mut w.conn,
            &who,
            &w.clock,
            cast.course_id,
            input.clone(),
        ));
    }
    let forum = update_forum(&mut w.conn, &cast.admin, &w.clock, cast.course_id, input).unwrap();
    assert_eq!(forum.title, "Forum d'entraide");
    assert_eq!(forum.description.as_deref(), Some("Soyez bienveillants"));
    lock(&mut w, &cast.instructor, cast.course_id, true);
    assert!(w.forum(&cast.student, cast.course_id).is_locked);
}

#[track_caller]
fn locked<T: std::fmt::Debug>(result: Result<T, mdsc_core::Error>) {
    expect_err(result, ErrorKind::Forbidden, "FORUM_LOCKED");
}

#[test]
fn a_locked_forum_is_read_only_for_students() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Avant le verrou");
    let reply = w.reply(&cast.classmate, topic.id, None);
    lock(&mut w, &cast.instructor, cast.course_id, true);

    locked(
        w.try_topic(&cast.student, cast.forum_id, "Après", "Refusé")
            .map(|t| t.id),
    );
    locked(
        w.try_reply(&cast.student, topic.id, None, "Refusé")
            .map(|r| r.id),
    );
    locked(
        w.react(&cast.student, reply.id, ReactionType::Upvote)
            .map(|r| r.id),
    );
    locked(w.mark(&cast.student, reply.id).map(|r| r.id));
    locked(
        update_topic(
            &mut w.conn,
            &cast.student,
            &w.clock,
            topic.id,
            UpdateTopicInput {
                title: Some("Nouveau".to_owned()),
                ..UpdateTopicInput::default()
            },
        )
        .map(|t| t.id),
    );
    locked(
        mdsc_forum::reply::update_reply(
            &mut w.conn,
            &cast.classmate,
            &w.clock,
            reply.id,
            UpdateReplyInput {
                content: "Modifié".to_owned(),
            },
        )
        .map(|r| r.id),
    );
    locked(w.delete_reply(&cast.classmate, reply.id));
    locked(w.delete_topic(&cast.student, topic.id));

    // Reading still works, and so does flagging a post for the staff.
    assert_eq!(
        w.listed(&cast.student, cast.forum_id, TopicListQuery::default()),
        [topic.id]
    );
    w.get_topic(&cast.student, topic.id).unwrap();
    assert_eq!(
        w.replies(&cast.student, topic.id, Default::default())
            .unwrap()
            .data
            .len(),
        1
    );
    report_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        topic.id,
        ReportInput {
            reason: ReportReason::OffTopic,
            details: None,
        },
    )
    .unwrap();

    // Staff keep writing.
    let announcement = w.topic(&cast.instructor, cast.forum_id, "Annonce");
    w.reply(&cast.admin, topic.id, Some(reply.id));
    mdsc_forum::reaction::add_reaction(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        &crate::common::roomy(),
        reply.id,
        ReactionInput {
            reaction_type: ReactionType::Helpful,
        },
    )
    .unwrap();

    lock(&mut w, &cast.admin, cast.course_id, false);
    w.reply(&cast.student, announcement.id, None);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn the_forum_counts_visible_topics_and_their_live_replies() {
    let mut w = World::new();
    let cast = w.cast();
    let a = w.topic(&cast.student, cast.forum_id, "A");
    let b = w.topic(&cast.classmate, cast.forum_id, "B");
    let first = w.reply(&cast.classmate, a.id, None);
    w.reply(&cast.student, a.id, Some(first.id));
    w.reply(&cast.instructor, b.id, None);
    let forum = w.forum(&cast.student, cast.course_id);
    assert_eq!((forum.topic_count, forum.reply_count), (2, 3));
    w.delete_topic(&cast.student, a.id).unwrap();
    let forum = w.forum(&cast.student, cast.course_id);
    assert_eq!((forum.topic_count, forum.reply_count), (1, 1));
    w.assert_counters_exact(cast.forum_id);
}
