//! Topics: validation, lessons, who edits and deletes, pin and lock, the
//! list's order, search, filters and pagination, distinct viewers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_forum::reply::ReplyListQuery;
use mdsc_forum::topic::{
    CreateTopicInput, FlagInput, TopicFilter, TopicListQuery, TopicSort, UpdateTopicInput,
    create_topic, set_locked, set_pinned, update_topic,
};

fn create(
    w: &mut World,
    who: &mdsc_auth::Principal,
    forum_id: i32,
    input: CreateTopicInput,
) -> Result<mdsc_forum::ForumTopic, mdsc_core::Error> {
    create_topic(&mut w.conn, who, &w.clock, &w.settings, forum_id, input)
}

#[test]
fn a_topic_keeps_its_markdown_as_written() {
    let mut w = World::new();
    let cast = w.cast();
    let content =
        "# Question\n\n```rust\nfn main() {\n\tprintln!(\"<b>é</b>\");\n}\n```\r\n> citation";
    let topic = w
        .try_topic(
            &cast.student,
            cast.forum_id,
            "  Pourquoi `&mut` ?  ",
            content,
        )
        .unwrap();
    assert_eq!(topic.content, content);
    assert_eq!(topic.title, "  Pourquoi `&mut` ?  ");
    assert_eq!(topic.user_id, cast.student.user_id);
    assert_eq!(topic.forum_id, cast.forum_id);
    assert!(!topic.is_pinned && !topic.is_locked && !topic.has_solution);
    assert_eq!((topic.view_count, topic.reply_count), (0, 0));
    assert!(topic.last_reply_at.is_none() && topic.last_reply_by.is_none());
    let user = topic.user.as_ref().unwrap();
    assert_eq!(user.id, cast.student.user_id);
    let json = serde_json::to_value(&topic).unwrap();
    for absent in [
        "last_reply_at",
        "last_reply_by",
        "last_reply_user",
        "lesson_id",
    ] {
        assert!(
            json.get(absent).is_none(),
            "{absent} should be omitted: {json}"
        );
    }
    let read = w.get_topic(&cast.classmate, topic.id).unwrap();
    assert_eq!(read.content, content);
}

#[test]
fn titles_and_contents_are_validated() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let s = cast.student;
    expect_invalid_field(w.try_topic(&s, f, "", "contenu"), "title");
    expect_invalid_field(w.try_topic(&s, f, "   ", "contenu"), "title");
    expect_invalid_field(w.try_topic(&s, f, &"é".repeat(256), "contenu"), "title");
    expect_invalid_field(w.try_topic(&s, f, "deux\nlignes", "contenu"), "title");
    // The shared single-line rule: the Unicode line separator is a break too.
    expect_invalid_field(w.try_topic(&s, f, "deux\u{2028}lignes", "contenu"), "title");
    expect_invalid_field(w.try_topic(&s, f, "titre", ""), "content");
    expect_invalid_field(w.try_topic(&s, f, "titre", " \n\t "), "content");
    expect_invalid_field(w.try_topic(&s, f, "titre", &"x".repeat(20_001)), "content");
    expect_invalid_field(w.try_topic(&s, f, "titre", "cloche\u{7}"), "content");
    expect_invalid_field(w.try_topic(&s, f, "titre", "nul\0"), "content");
    expect_invalid_field(w.try_topic(&s, f, "titre", "retour\rseul"), "content");
    // The bounds themselves are fine (characters, not bytes).
    w.try_topic(&s, f, &"é".repeat(255), &"é".repeat(20_000))
        .unwrap();
    w.try_topic(&s, f, "t", "c").unwrap();
    w.assert_counters_exact(f);
}

#[test]
fn a_question_may_come_from_a_lesson_of_the_same_course() {
    let mut w = World::new();
    let cast = w.cast();
    let (_, foreign_lesson) = w.course(&cast.other_instructor, "Autre cours");
    let input = |lesson_id| CreateTopicInput {
        lesson_id: Some(lesson_id),
        ..topic_input("Depuis la leçon", "Je ne comprends pas")
    };
    let topic = create(&mut w, &cast.student, cast.forum_id, input(cast.lesson_id)).unwrap();
    assert_eq!(topic.lesson_id, Some(cast.lesson_id));
    expect_invalid_field(
        create(&mut w, &cast.student, cast.forum_id, input(foreign_lesson)),
        "lesson_id",
    );
    expect_invalid_field(
        create(&mut w, &cast.student, cast.forum_id, input(99_999)),
        "lesson_id",
    );
    let other = w.topic(&cast.classmate, cast.forum_id, "Général");
    let by_lesson = TopicListQuery {
        lesson_id: Some(cast.lesson_id),
        ..TopicListQuery::default()
    };
    assert_eq!(
        w.listed(&cast.student, cast.forum_id, by_lesson),
        [topic.id]
    );
    let moved = update_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        other.id,
        UpdateTopicInput {
            lesson_id: Some(foreign_lesson),
            ..UpdateTopicInput::default()
        },
    );
    expect_invalid_field(moved, "lesson_id");
}

#[test]
fn the_author_or_staff_edit_and_delete_a_topic() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Original");
    let edit = |title: &str| UpdateTopicInput {
        title: Some(title.to_owned()),
        ..UpdateTopicInput::default()
    };
    expect_forbidden(update_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        topic.id,
        edit("Volé"),
    ));
    expect_not_enrolled(update_topic(
        &mut w.conn,
        &cast.outsider,
        &w.clock,
        topic.id,
        edit("Volé"),
    ));
    w.clock.advance(Duration::minutes(5));
    let edited = update_topic(
        &mut w.conn,
        &cast.student,
        &w.clock,
        topic.id,
        edit("Corrigé"),
    )
    .unwrap();
    assert_eq!(edited.title, "Corrigé");
    assert_eq!(edited.content, topic.content, "left-out fields stay");
    assert!(edited.updated_at > edited.created_at);
    for who in cast.staff() {
        update_topic(
            &mut w.conn,
            &who,
            &w.clock,
            topic.id,
            UpdateTopicInput {
                content: Some(format!("Modéré par {}", who.user_id)),
                ..UpdateTopicInput::default()
            },
        )
        .unwrap();
    }
    expect_invalid_field(
        update_topic(&mut w.conn, &cast.student, &w.clock, topic.id, edit("")),
        "title",
    );

    expect_forbidden(w.delete_topic(&cast.classmate, topic.id));
    expect_not_enrolled(w.delete_topic(&cast.other_instructor, topic.id));
    w.reply(&cast.classmate, topic.id, None);
    w.delete_topic(&cast.student, topic.id).unwrap();
    expect_not_found(w.get_topic(&cast.student, topic.id));
    let second = w.topic(&cast.student, cast.forum_id, "Deuxième");
    w.delete_topic(&cast.instructor, second.id).unwrap();
    let third = w.topic(&cast.student, cast.forum_id, "Troisième");
    w.delete_topic(&cast.admin, third.id).unwrap();
    expect_not_found(w.delete_topic(&cast.admin, third.id));
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn only_staff_pin_and_lock_toggling_or_setting() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Épinglez-moi");
    let toggle = FlagInput::default();
    let set = |value| FlagInput { value: Some(value) };
    for who in [cast.student, cast.classmate] {
        expect_forbidden(set_pinned(&mut w.conn, &who, topic.id, toggle));
        expect_forbidden(set_locked(&mut w.conn, &who, topic.id, toggle));
    }
    for who in cast.outsiders() {
        expect_not_enrolled(set_pinned(&mut w.conn, &who, topic.id, toggle));
    }
    assert!(
        set_pinned(&mut w.conn, &cast.instructor, topic.id, toggle)
            .unwrap()
            .is_pinned
    );
    assert!(
        !set_pinned(&mut w.conn, &cast.admin, topic.id, toggle)
            .unwrap()
            .is_pinned
    );
    assert!(
        set_pinned(&mut w.conn, &cast.admin, topic.id, set(true))
            .unwrap()
            .is_pinned
    );
    assert!(
        set_pinned(&mut w.conn, &cast.admin, topic.id, set(true))
            .unwrap()
            .is_pinned
    );
    assert!(
        set_locked(&mut w.conn, &cast.instructor, topic.id, toggle)
            .unwrap()
            .is_locked
    );
    assert!(
        set_locked(&mut w.conn, &cast.instructor, topic.id, set(true))
            .unwrap()
            .is_locked
    );
    assert!(
        !set_locked(&mut w.conn, &cast.instructor, topic.id, set(false))
            .unwrap()
            .is_locked
    );
    expect_not_found(set_locked(
        &mut w.conn,
        &cast.instructor,
        topic.id + 100,
        toggle,
    ));
}

#[test]
fn a_locked_topic_takes_no_new_replies_from_students() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Fermé bientôt");
    let first = w.reply(&cast.classmate, topic.id, None);
    set_locked(
        &mut w.conn,
        &cast.instructor,
        topic.id,
        FlagInput { value: Some(true) },
    )
    .unwrap();
    for who in [cast.student, cast.classmate] {
        expect_err(
            w.try_reply(&who, topic.id, None, "Encore"),
            ErrorKind::Forbidden,
            "TOPIC_LOCKED",
        );
        expect_err(
            w.try_reply(&who, topic.id, Some(first.id), "Encore"),
            ErrorKind::Forbidden,
            "TOPIC_LOCKED",
        );
    }
    for who in cast.staff() {
        w.reply(&who, topic.id, Some(first.id));
    }
    // Reading and voting go on.
    assert_eq!(w.topic_row(topic.id).0, 3);
    w.react(&cast.student, first.id, mdsc_forum::ReactionType::Upvote)
        .unwrap();
    set_locked(&mut w.conn, &cast.admin, topic.id, FlagInput::default()).unwrap();
    w.reply(&cast.student, topic.id, None);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn pinned_topics_come_first_then_the_chosen_order() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let old = w.topic(&cast.student, f, "Ancien");
    w.clock.advance(Duration::minutes(1));
    let quiet = w.topic(&cast.student, f, "Calme");
    w.clock.advance(Duration::minutes(1));
    let busy = w.topic(&cast.classmate, f, "Animé");
    w.clock.advance(Duration::minutes(1));
    let rules = w.topic(&cast.instructor, f, "Règles");
    set_pinned(
        &mut w.conn,
        &cast.instructor,
        rules.id,
        FlagInput::default(),
    )
    .unwrap();
    w.clock.advance(Duration::minutes(1));
    // Two replies on "busy", then one on "old": old has the latest activity.
    w.reply(&cast.student, busy.id, None);
    w.reply(&cast.instructor, busy.id, None);
    w.clock.advance(Duration::minutes(1));
    let last = w.reply(&cast.classmate, old.id, None);
    // Views: "quiet" is seen by three people, "old" by one.
    for who in [cast.student, cast.classmate, cast.admin] {
        w.get_topic(&who, quiet.id).unwrap();
    }
    w.get_topic(&cast.admin, old.id).unwrap();

    let sorted = |sort| TopicListQuery {
        sort: Some(sort),
        ..TopicListQuery::default()
    };
    let s = cast.student;
    assert_eq!(
        w.listed(&s, f, TopicListQuery::default()),
        [rules.id, old.id, busy.id, quiet.id],
        "recent is the default: last activity first"
    );
    assert_eq!(
        w.listed(&s, f, sorted(TopicSort::Recent)),
        [rules.id, old.id, busy.id, quiet.id]
    );
    assert_eq!(
        w.listed(&s, f, sorted(TopicSort::Popular)),
        [rules.id, busy.id, old.id, quiet.id],
        "replies first (busy 2, old 1), then views (quiet 3 views, 0 replies, last)"
    );
    assert_eq!(
        w.listed(&s, f, sorted(TopicSort::Pinned)),
        [rules.id, busy.id, quiet.id, old.id]
    );

    let listed = w.list(&s, f, TopicListQuery::default()).unwrap();
    let old_listed = listed.data.iter().find(|t| t.id == old.id).unwrap();
    assert_eq!(old_listed.reply_count, 1);
    assert_eq!(old_listed.last_reply_by, Some(cast.classmate.user_id));
    assert_eq!(old_listed.last_reply_at, Some(last.created_at));
    assert_eq!(
        old_listed.last_reply_user.as_ref().unwrap().id,
        cast.classmate.user_id
    );
    assert_eq!(old_listed.last_activity_at, last.created_at);
    assert_eq!(
        listed
            .data
            .iter()
            .find(|t| t.id == quiet.id)
            .unwrap()
            .view_count,
        3
    );

    // Ties between popular topics fall back on views.
    for who in [cast.student, cast.classmate] {
        w.get_topic(&who, old.id).unwrap();
    }
    w.reply(&cast.admin, old.id, None);
    assert_eq!(
        w.listed(&s, f, sorted(TopicSort::Popular)),
        [rules.id, old.id, busy.id, quiet.id]
    );
}

#[test]
fn topics_are_paginated_per_the_contract() {
    let mut w = World::new();
    let cast = w.cast();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            w.topic(&cast.student, cast.forum_id, &format!("Sujet {i}"))
                .id,
        );
        w.clock.advance(Duration::seconds(1));
    }
    ids.reverse();
    let page = |page, limit| TopicListQuery {
        page: Some(page),
        limit: Some(limit),
        ..TopicListQuery::default()
    };
    let first = w.list(&cast.student, cast.forum_id, page(1, 2)).unwrap();
    let p = first.pagination;
    assert_eq!((p.page, p.limit, p.total, p.total_pages), (1, 2, 5, 3));
    assert_eq!(
        first.data.iter().map(|t| t.id).collect::<Vec<_>>(),
        ids[..2]
    );
    let third = w.list(&cast.student, cast.forum_id, page(3, 2)).unwrap();
    assert_eq!(
        third.data.iter().map(|t| t.id).collect::<Vec<_>>(),
        ids[4..]
    );
    let beyond = w.list(&cast.student, cast.forum_id, page(9, 2)).unwrap();
    assert!(beyond.data.is_empty());
    assert_eq!(beyond.pagination.total, 5);
}

#[test]
fn search_matches_title_and_content_ignoring_case_and_accents() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let a = w
        .try_topic(
            &cast.student,
            f,
            "Problème d'ÉTÉ",
            "Les closures me perdent",
        )
        .unwrap();
    let b = w
        .try_topic(&cast.classmate, f, "Lifetimes", "Un été difficile avec 'a")
        .unwrap();
    let c = w
        .try_topic(&cast.classmate, f, "Progrès 100%", "fichier mon_module.rs")
        .unwrap();
    let search = |q: &str| TopicListQuery {
        search: Some(q.to_owned()),
        limit: Some(100),
        ..TopicListQuery::default()
    };
    let found = |w: &mut World, q: &str| {
        let mut ids = w.listed(&cast.student, f, search(q));
        ids.sort_unstable();
        ids
    };
    assert_eq!(found(&mut w, "été"), [a.id, b.id]);
    assert_eq!(found(&mut w, "ETE"), [a.id, b.id]);
    assert_eq!(found(&mut w, "Éte"), [a.id, b.id]);
    assert_eq!(found(&mut w, "CLOSURES"), [a.id]);
    assert_eq!(found(&mut w, "problème"), [a.id]);
    assert_eq!(found(&mut w, "probleme"), [a.id]);
    assert_eq!(found(&mut w, "100%"), [c.id]);
    assert_eq!(
        found(&mut w, "%"),
        [c.id],
        "% is a character, not a wildcard"
    );
    assert_eq!(
        found(&mut w, "_"),
        [c.id],
        "_ is a character, not a wildcard"
    );
    assert_eq!(
        found(&mut w, "m_n"),
        Vec::<i32>::new(),
        "m_n would match mon as a pattern"
    );
    assert_eq!(found(&mut w, "introuvable"), Vec::<i32>::new());
    assert_eq!(
        found(&mut w, "perdent CLOSURES"),
        [a.id],
        "every word, in any order, title or content"
    );
    assert_eq!(
        found(&mut w, "été lifetimes"),
        [b.id],
        "one word in the title, one in the content"
    );
    assert_eq!(
        found(&mut w, "été introuvable"),
        Vec::<i32>::new(),
        "all words must appear"
    );
    assert_eq!(
        found(&mut w, "   "),
        [a.id, b.id, c.id],
        "a blank search does not filter"
    );
    let page = w.list(&cast.student, f, search("été")).unwrap();
    assert_eq!(page.pagination.total, 2);

    // An edit moves the topic in and out of results.
    update_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        b.id,
        UpdateTopicInput {
            content: Some("Plus rien".to_owned()),
            ..UpdateTopicInput::default()
        },
    )
    .unwrap();
    assert_eq!(found(&mut w, "été"), [a.id]);
    expect_invalid_field(w.list(&cast.student, f, search(&"a".repeat(201))), "search");
}

#[test]
fn filters_list_unsolved_solved_and_unanswered_topics() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let solved = w.topic(&cast.student, f, "Résolu");
    let answered = w.topic(&cast.student, f, "Répondu");
    let silent = w.topic(&cast.student, f, "Sans réponse");
    let answer = w.reply(&cast.classmate, solved.id, None);
    w.reply(&cast.classmate, answered.id, None);
    w.mark(&cast.student, answer.id).unwrap();
    let filtered = |filter| TopicListQuery {
        filter: Some(filter),
        ..TopicListQuery::default()
    };
    let sorted = |mut ids: Vec<i32>| {
        ids.sort_unstable();
        ids
    };
    let s = cast.student;
    assert_eq!(
        sorted(w.listed(&s, f, filtered(TopicFilter::Unsolved))),
        [answered.id, silent.id]
    );
    assert_eq!(w.listed(&s, f, filtered(TopicFilter::Solved)), [solved.id]);
    assert_eq!(
        w.listed(&s, f, filtered(TopicFilter::Unanswered)),
        [silent.id]
    );
    assert_eq!(w.listed(&s, f, filtered(TopicFilter::All)).len(), 3);
    let listed = w.list(&s, f, TopicListQuery::default()).unwrap();
    let flags: Vec<(i32, bool)> = listed.data.iter().map(|t| (t.id, t.has_solution)).collect();
    assert!(flags.contains(&(solved.id, true)) && flags.contains(&(answered.id, false)));
}

#[test]
fn view_count_counts_distinct_viewers() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Vu");
    assert_eq!(
        w.get_topic(&cast.classmate, topic.id).unwrap().view_count,
        1
    );
    assert_eq!(
        w.get_topic(&cast.classmate, topic.id).unwrap().view_count,
        1
    );
    assert_eq!(w.get_topic(&cast.student, topic.id).unwrap().view_count, 2);
    assert_eq!(
        w.get_topic(&cast.instructor, topic.id).unwrap().view_count,
        3
    );
    // Listing the topic or its replies is not a view.
    w.list(&cast.admin, cast.forum_id, TopicListQuery::default())
        .unwrap();
    w.replies(&cast.admin, topic.id, ReplyListQuery::default())
        .unwrap();
    assert_eq!(w.topic_row(topic.id).1, 3);
    // Outsiders are refused and not counted.
    expect_not_enrolled(w.get_topic(&cast.outsider, topic.id));
    assert_eq!(w.topic_row(topic.id).1, 3);
}

#[test]
fn many_first_views_at_once_count_each_viewer_once() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Populaire");
    let viewers: Vec<_> = (0..6).map(|_| w.enrolled(cast.course_id)).collect();
    let topic_id = topic.id;
    // Each viewer opens the topic twice at the same moment.
    let results = race(&w.db.pool(), 12, move |i, conn| {
        mdsc_forum::topic::get_topic(conn, &viewers[i / 2], &thread_clock(), topic_id)
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(w.topic_row(topic.id).1, 6);
}
