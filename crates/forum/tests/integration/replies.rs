//! Replies: nesting within one topic, the threaded list and its orders,
//! edits, deletion that keeps the place of answered replies, reply counts
//! and last reply, and the solution.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_forum::ForumReply;
use mdsc_forum::reply::{
    MAX_DEPTH, ReplyListQuery, ReplySort, SolutionInput, UpdateReplyInput, mark_solution,
    update_reply,
};

fn ids(replies: &[ForumReply]) -> Vec<i32> {
    replies.iter().map(|r| r.id).collect()
}

fn nested(reply: &ForumReply) -> &[ForumReply] {
    reply.replies.as_deref().expect("replies present in lists")
}

#[test]
fn replies_nest_within_their_topic() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Question");
    let other = w.topic(&cast.student, cast.forum_id, "Autre");
    let top = w.reply(&cast.classmate, topic.id, None);
    assert_eq!((top.depth, top.parent_reply_id), (0, None));
    assert!(top.parent_reply.is_none());
    let answer = w.reply(&cast.student, topic.id, Some(top.id));
    assert_eq!((answer.depth, answer.parent_reply_id), (1, Some(top.id)));
    let parent = answer.parent_reply.as_ref().expect("the answered reply");
    assert_eq!(
        (parent.id, parent.content.as_str()),
        (top.id, "Une réponse")
    );
    let deeper = w.reply(&cast.instructor, topic.id, Some(answer.id));
    assert_eq!(deeper.depth, 2);

    let other_reply = w.reply(&cast.classmate, other.id, None);
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, Some(other_reply.id), "x"),
        "parent_reply_id",
    );
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, Some(999_999), "x"),
        "parent_reply_id",
    );
    expect_invalid_field(w.try_reply(&cast.student, topic.id, None, ""), "content");
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, None, "bip\u{7}"),
        "content",
    );
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, None, &"x".repeat(20_001)),
        "content",
    );
    expect_not_found(w.try_reply(&cast.student, topic.id + 100, None, "x"));

    // Nested or not, every live reply counts.
    assert_eq!(w.topic_row(topic.id).0, 3);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn nesting_is_bounded() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Profond");
    let mut parent = w.reply(&cast.classmate, topic.id, None);
    for _ in 0..MAX_DEPTH {
        parent = w.reply(&cast.classmate, topic.id, Some(parent.id));
    }
    assert_eq!(parent.depth, MAX_DEPTH);
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, Some(parent.id), "trop"),
        "parent_reply_id",
    );
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    let mut node = &page.data[0];
    let mut depth = 0;
    while let Some(child) = nested(node).first() {
        node = child;
        depth += 1;
    }
    assert_eq!(depth, MAX_DEPTH);
}

#[test]
fn the_list_pages_top_level_replies_with_their_threads() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Fil");
    let first = w.reply(&cast.classmate, topic.id, None);
    w.clock.advance(Duration::seconds(1));
    let second = w.reply(&cast.instructor, topic.id, None);
    w.clock.advance(Duration::seconds(1));
    let a1 = w.reply(&cast.student, topic.id, Some(first.id));
    w.clock.advance(Duration::seconds(1));
    let third = w.reply(&cast.admin, topic.id, None);
    w.clock.advance(Duration::seconds(1));
    let a2 = w.reply(&cast.instructor, topic.id, Some(first.id));
    let a1a = w.reply(&cast.classmate, topic.id, Some(a1.id));
    // Votes: third +2, second +1 −1, first none.
    let voters: Vec<_> = (0..2).map(|_| w.enrolled(cast.course_id)).collect();
    for v in &voters {
        w.react(v, third.id, mdsc_forum::ReactionType::Upvote)
            .unwrap();
    }
    w.react(&voters[0], second.id, mdsc_forum::ReactionType::Upvote)
        .unwrap();
    w.react(&voters[1], second.id, mdsc_forum::ReactionType::Downvote)
        .unwrap();
    w.react(&voters[1], first.id, mdsc_forum::ReactionType::Downvote)
        .unwrap();

    let sorted = |sort| ReplyListQuery {
        sort: Some(sort),
        ..ReplyListQuery::default()
    };
    let s = cast.student;
    let page = w.replies(&s, topic.id, ReplyListQuery::default()).unwrap();
    assert_eq!(
        ids(&page.data),
        [first.id, second.id, third.id],
        "oldest first by default"
    );
    assert_eq!(page.pagination.total, 3, "top-level replies only");
    let thread = &page.data[0];
    assert_eq!(ids(nested(thread)), [a1.id, a2.id], "answers oldest first");
    assert_eq!(ids(nested(&nested(thread)[0])), [a1a.id]);
    assert!(nested(&nested(thread)[1]).is_empty());
    assert!(nested(&page.data[1]).is_empty());
    assert_eq!(thread.user.as_ref().unwrap().id, cast.classmate.user_id);

    let recent = w.replies(&s, topic.id, sorted(ReplySort::Recent)).unwrap();
    assert_eq!(ids(&recent.data), [third.id, second.id, first.id]);
    let voted = w.replies(&s, topic.id, sorted(ReplySort::Votes)).unwrap();
    assert_eq!(ids(&voted.data), [third.id, second.id, first.id]);
    assert_eq!((voted.data[1].upvotes, voted.data[1].downvotes), (1, 1));
    let oldest = w.replies(&s, topic.id, sorted(ReplySort::Oldest)).unwrap();
    assert_eq!(ids(&oldest.data), [first.id, second.id, third.id]);

    let paged = w
        .replies(
            &s,
            topic.id,
            ReplyListQuery {
                page: Some(2),
                limit: Some(2),
                ..ReplyListQuery::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&paged.data), [third.id]);
    let p = paged.pagination;
    assert_eq!((p.page, p.limit, p.total, p.total_pages), (2, 2, 3, 2));

    // The caller's own vote shows.
    let theirs = w
        .replies(&voters[1], topic.id, ReplyListQuery::default())
        .unwrap();
    assert_eq!(
        theirs.data[0].user_reaction,
        Some(mdsc_forum::ReactionType::Downvote)
    );
    assert_eq!(
        theirs.data[2].user_reaction,
        Some(mdsc_forum::ReactionType::Upvote)
    );
    let json = serde_json::to_value(&page.data[0]).unwrap();
    assert!(
        json.get("user_reaction").is_none(),
        "no vote, no field: {json}"
    );
    assert!(json.get("parent_reply_id").is_none());
    assert_eq!(json["replies"][0]["parent_reply_id"], first.id);
}

#[test]
fn the_author_or_staff_edit_a_reply() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Édition");
    let reply = w.reply(&cast.classmate, topic.id, None);
    let edit = |text: &str| UpdateReplyInput {
        content: text.to_owned(),
    };
    expect_forbidden(update_reply(
        &mut w.conn,
        &cast.student,
        &w.clock,
        reply.id,
        edit("Pas à moi"),
    ));
    expect_not_enrolled(update_reply(
        &mut w.conn,
        &cast.outsider,
        &w.clock,
        reply.id,
        edit("Non"),
    ));
    expect_invalid_field(
        update_reply(&mut w.conn, &cast.classmate, &w.clock, reply.id, edit("")),
        "content",
    );
    w.clock.advance(Duration::minutes(2));
    let edited = update_reply(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        reply.id,
        edit("Corrigé\n"),
    )
    .unwrap();
    assert_eq!(edited.content, "Corrigé\n");
    assert!(edited.updated_at > edited.created_at);
    for who in cast.staff() {
        update_reply(&mut w.conn, &who, &w.clock, reply.id, edit("Modéré")).unwrap();
    }
    expect_not_found(update_reply(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        reply.id + 100,
        edit("x"),
    ));
}

#[test]
fn deleting_an_answered_reply_keeps_its_place_without_content() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Suppressions");
    let top = w.reply(&cast.classmate, topic.id, None);
    let answer = w.reply(&cast.student, topic.id, Some(top.id));
    let voter = w.enrolled(cast.course_id);
    w.react(&voter, top.id, mdsc_forum::ReactionType::Upvote)
        .unwrap();
    w.mark(&cast.student, top.id).unwrap();
    assert_eq!(w.topic_row(topic.id), (2, 0, true));

    expect_forbidden(w.delete_reply(&cast.student, top.id));
    w.delete_reply(&cast.classmate, top.id).unwrap();
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    assert_eq!(ids(&page.data), [top.id], "kept in the tree");
    let kept = &page.data[0];
    assert!(kept.is_deleted);
    assert_eq!(kept.content, "");
    assert!(!kept.is_solution);
    assert_eq!((kept.upvotes, kept.user_reactions.len()), (0, 0));
    assert_eq!(ids(nested(kept)), [answer.id]);
    assert_eq!(
        w.topic_row(topic.id),
        (1, 0, false),
        "one live reply, no solution"
    );
    w.assert_counters_exact(cast.forum_id);

    // A deleted reply cannot be answered, edited, voted or deleted again.
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, Some(top.id), "x"),
        "parent_reply_id",
    );
    expect_not_found(update_reply(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        top.id,
        UpdateReplyInput {
            content: "revenir".to_owned(),
        },
    ));
    expect_not_found(w.react(&cast.student, top.id, mdsc_forum::ReactionType::Like));
    expect_not_found(w.delete_reply(&cast.admin, top.id));

    // When its last answer goes, the placeholder goes too.
    w.delete_reply(&cast.student, answer.id).unwrap();
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(w.topic_row(topic.id).0, 0);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn deleting_a_reply_without_answers_removes_it() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Simple");
    let top = w.reply(&cast.classmate, topic.id, None);
    let answer = w.reply(&cast.student, topic.id, Some(top.id));
    w.delete_reply(&cast.instructor, answer.id).unwrap();
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    assert_eq!(ids(&page.data), [top.id]);
    assert!(!page.data[0].is_deleted && nested(&page.data[0]).is_empty());
    w.delete_reply(&cast.admin, top.id).unwrap();
    assert!(
        w.replies(&cast.student, topic.id, ReplyListQuery::default())
            .unwrap()
            .data
            .is_empty()
    );
    assert_eq!(w.topic_row(topic.id).0, 0);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn last_reply_follows_creations_and_deletions() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Dernier");
    w.clock.advance(Duration::minutes(1));
    let first = w.reply(&cast.classmate, topic.id, None);
    w.clock.advance(Duration::minutes(1));
    let second = w.reply(&cast.instructor, topic.id, Some(first.id));
    let read = w.get_topic(&cast.student, topic.id).unwrap();
    assert_eq!(read.last_reply_by, Some(cast.instructor.user_id));
    assert_eq!(read.last_reply_at, Some(second.created_at));
    assert_eq!(read.last_reply_user.unwrap().id, cast.instructor.user_id);
    assert_eq!(read.reply_count, 2);

    w.delete_reply(&cast.instructor, second.id).unwrap();
    let read = w.get_topic(&cast.student, topic.id).unwrap();
    assert_eq!(read.last_reply_by, Some(cast.classmate.user_id));
    assert_eq!(read.last_reply_at, Some(first.created_at));
    assert_eq!(read.last_activity_at, first.created_at);
    w.delete_reply(&cast.classmate, first.id).unwrap();
    let read = w.get_topic(&cast.student, topic.id).unwrap();
    assert!(read.last_reply_at.is_none() && read.last_reply_by.is_none());
    assert_eq!(
        (read.reply_count, read.last_activity_at),
        (0, read.created_at)
    );
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn the_topic_author_or_staff_mark_one_solution() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Aidez-moi");
    let a = w.reply(&cast.classmate, topic.id, None);
    let b = w.reply(&cast.instructor, topic.id, None);
    let nested_answer = w.reply(&cast.classmate, topic.id, Some(b.id));

    expect_forbidden(w.mark(&cast.classmate, a.id));
    expect_not_enrolled(w.mark(&cast.outsider, a.id));
    assert!(w.mark(&cast.student, a.id).unwrap().is_solution);
    assert!(w.topic_row(topic.id).2);
    // Marking another moves the mark.
    assert!(w.mark(&cast.instructor, b.id).unwrap().is_solution);
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    let marks: Vec<(i32, bool)> = page.data.iter().map(|r| (r.id, r.is_solution)).collect();
    assert_eq!(marks, [(a.id, false), (b.id, true)]);
    // Any reply of the topic may be the solution, nested or not; idempotent.
    w.mark(&cast.admin, nested_answer.id).unwrap();
    w.mark(&cast.admin, nested_answer.id).unwrap();
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    assert!(page.data.iter().all(|r| !r.is_solution));
    assert!(nested(&page.data[1])[0].is_solution);
    w.assert_counters_exact(cast.forum_id);

    // Taking the mark back.
    let unmark = SolutionInput { value: Some(false) };
    expect_forbidden(mark_solution(
        &mut w.conn,
        &cast.classmate,
        nested_answer.id,
        unmark,
    ));
    let back = mark_solution(&mut w.conn, &cast.student, nested_answer.id, unmark).unwrap();
    assert!(!back.is_solution);
    assert!(!w.topic_row(topic.id).2);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn concurrent_markings_leave_exactly_one_solution() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Course aux solutions");
    let replies: Vec<i32> = (0..8)
        .map(|_| w.reply(&cast.classmate, topic.id, None).id)
        .collect();
    let author = cast.student;
    let results = race(&w.db.pool(), replies.len(), move |i, conn| {
        mark_solution(conn, &author, replies[i], SolutionInput::default())
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    assert_eq!(page.data.iter().filter(|r| r.is_solution).count(), 1);
    w.assert_counters_exact(cast.forum_id);
}
