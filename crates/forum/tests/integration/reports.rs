//! Reports: any reader flags a topic or reply once; staff see the queue and
//! resolve by hiding, restoring or dismissing; hidden posts leave the
//! students' view and the counters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_auth::Principal;
use mdsc_core::{Error, ErrorKind};
use mdsc_forum::reply::ReplyListQuery;
use mdsc_forum::report::{
    ReportInput, ReportListQuery, ReportStatusFilter, ResolveReportInput, list_reports,
    report_reply, report_topic, resolve_report,
};
use mdsc_forum::topic::TopicListQuery;
use mdsc_forum::{ForumReport, ReportAction, ReportReason, ReportStatus};

fn flag(reason: ReportReason) -> ReportInput {
    ReportInput {
        reason,
        details: None,
    }
}

fn queue(
    w: &mut World,
    who: &Principal,
    course_id: i32,
    status: Option<ReportStatusFilter>,
) -> Result<Vec<ForumReport>, Error> {
    let query = ReportListQuery {
        status,
        ..ReportListQuery::default()
    };
    Ok(list_reports(&mut w.conn, who, &w.clock, course_id, query)?.data)
}

fn resolve(
    w: &mut World,
    who: &Principal,
    course_id: i32,
    report_id: i32,
    action: ReportAction,
) -> Result<ForumReport, Error> {
    resolve_report(
        &mut w.conn,
        who,
        &w.clock,
        course_id,
        report_id,
        ResolveReportInput { action },
    )
}

#[test]
fn any_reader_reports_a_post_once() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Spam ?");
    let reply = w.reply(&cast.student, topic.id, None);
    let report = report_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        topic.id,
        ReportInput {
            reason: ReportReason::OffTopic,
            details: Some("Rien à voir avec le cours".to_owned()),
        },
    )
    .unwrap();
    assert_eq!((report.topic_id, report.reply_id), (topic.id, None));
    assert_eq!(
        (report.reason, report.status),
        (ReportReason::OffTopic, ReportStatus::Open)
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["reason"], "off_topic");
    assert!(json.get("resolution").is_none() && json.get("reply_id").is_none());

    expect_err(
        report_topic(
            &mut w.conn,
            &cast.classmate,
            &w.clock,
            &crate::common::roomy(),
            topic.id,
            flag(ReportReason::Spam),
        ),
        ErrorKind::Conflict,
        "ALREADY_REPORTED",
    );
    // The same user may still report a reply of the topic, once.
    let on_reply = report_reply(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        reply.id,
        flag(ReportReason::Spam),
    )
    .unwrap();
    assert_eq!(
        (on_reply.topic_id, on_reply.reply_id),
        (topic.id, Some(reply.id))
    );
    expect_err(
        report_reply(
            &mut w.conn,
            &cast.classmate,
            &w.clock,
            &crate::common::roomy(),
            reply.id,
            flag(ReportReason::Other),
        ),
        ErrorKind::Conflict,
        "ALREADY_REPORTED",
    );
    // Staff may report too; outsiders may not.
    report_topic(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        &crate::common::roomy(),
        topic.id,
        flag(ReportReason::Offensive),
    )
    .unwrap();
    for who in cast.outsiders() {
        expect_not_enrolled(report_topic(
            &mut w.conn,
            &who,
            &w.clock,
            &crate::common::roomy(),
            topic.id,
            flag(ReportReason::Spam),
        ));
        expect_not_enrolled(report_reply(
            &mut w.conn,
            &who,
            &w.clock,
            &crate::common::roomy(),
            reply.id,
            flag(ReportReason::Spam),
        ));
    }
    expect_not_found(report_reply(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        reply.id + 100,
        flag(ReportReason::Spam),
    ));
    let too_long = ReportInput {
        reason: ReportReason::Other,
        details: Some("x".repeat(1001)),
    };
    expect_invalid_field(
        report_topic(
            &mut w.conn,
            &cast.admin,
            &w.clock,
            &crate::common::roomy(),
            topic.id,
            too_long,
        ),
        "details",
    );
}

#[test]
fn one_report_per_user_and_post_under_concurrency() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Doublons");
    let reporter = cast.classmate;
    let topic_id = topic.id;
    let results = race(&w.db.pool(), 8, move |_, conn| {
        report_topic(
            conn,
            &reporter,
            &thread_clock(),
            &crate::common::roomy(),
            topic_id,
            flag(ReportReason::Spam),
        )
    });
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1, "{failed:?}");
    for result in failed {
        expect_err(result, ErrorKind::Conflict, "ALREADY_REPORTED");
    }
}

#[test]
fn only_staff_see_and_resolve_the_queue() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Signalé");
    let report = report_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        topic.id,
        flag(ReportReason::Spam),
    )
    .unwrap();
    for who in [cast.student, cast.classmate] {
        expect_forbidden(queue(&mut w, &who, cast.course_id, None));
        expect_forbidden(resolve(
            &mut w,
            &who,
            cast.course_id,
            report.id,
            ReportAction::Hide,
        ));
    }
    expect_forbidden(queue(&mut w, &cast.other_instructor, cast.course_id, None));
    expect_forbidden(resolve(
        &mut w,
        &cast.outsider,
        cast.course_id,
        report.id,
        ReportAction::Hide,
    ));
    for who in cast.staff() {
        let items = queue(&mut w, &who, cast.course_id, None).unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.user.as_ref().unwrap().id, cast.classmate.user_id);
        let post = item.post.as_ref().unwrap();
        assert_eq!(
            (post.kind.as_str(), post.id, post.topic_title.as_str()),
            ("topic", topic.id, "Signalé")
        );
        assert_eq!(post.user_id, cast.student.user_id);
    }
    // A report of another course's forum is not found through this course.
    let (other_course, _) = w.course(&cast.instructor, "Autre");
    expect_not_found(resolve(
        &mut w,
        &cast.instructor,
        other_course,
        report.id,
        ReportAction::Dismiss,
    ));
    expect_not_found(resolve(
        &mut w,
        &cast.instructor,
        cast.course_id,
        report.id + 100,
        ReportAction::Dismiss,
    ));
}

#[test]
fn hiding_a_topic_removes_it_for_students_and_restoring_brings_it_back() {
    let mut w = World::new();
    let cast = w.cast();
    let bad = w.topic(&cast.student, cast.forum_id, "Pub");
    let good = w.topic(&cast.classmate, cast.forum_id, "Vraie question");
    let reply = w.reply(&cast.classmate, bad.id, None);
    let first = report_topic(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        bad.id,
        flag(ReportReason::Spam),
    )
    .unwrap();
    let second = report_topic(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        &crate::common::roomy(),
        bad.id,
        flag(ReportReason::Offensive),
    )
    .unwrap();
    let other = report_reply(
        &mut w.conn,
        &cast.student,
        &w.clock,
        &crate::common::roomy(),
        reply.id,
        flag(ReportReason::Spam),
    )
    .unwrap();

    let resolved = resolve(
        &mut w,
        &cast.instructor,
        cast.course_id,
        first.id,
        ReportAction::Hide,
    )
    .unwrap();
    assert_eq!(
        (resolved.status, resolved.resolution),
        (ReportStatus::Resolved, Some(ReportAction::Hide))
    );
    assert_eq!(resolved.resolved_by, Some(cast.instructor.user_id));
    assert!(resolved.post.as_ref().unwrap().is_hidden);
    // Every open report on the same post is resolved with it; others stay open.
    let open = queue(&mut w, &cast.instructor, cast.course_id, None).unwrap();
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [other.id]);
    let done = queue(
        &mut w,
        &cast.instructor,
        cast.course_id,
        Some(ReportStatusFilter::Resolved),
    )
    .unwrap();
    let mut done_ids: Vec<i32> = done.iter().map(|r| r.id).collect();
    done_ids.sort_unstable();
    assert_eq!(done_ids, [first.id, second.id]);
    assert_eq!(
        queue(
            &mut w,
            &cast.admin,
            cast.course_id,
            Some(ReportStatusFilter::All)
        )
        .unwrap()
        .len(),
        3
    );

    // Students no longer see it; its author and staff do.
    assert_eq!(
        w.listed(&cast.classmate, cast.forum_id, TopicListQuery::default()),
        [good.id]
    );
    expect_not_found(w.get_topic(&cast.classmate, bad.id));
    expect_not_found(w.try_reply(&cast.classmate, bad.id, None, "x"));
    expect_not_found(w.replies(&cast.classmate, bad.id, ReplyListQuery::default()));
    assert!(w.get_topic(&cast.student, bad.id).unwrap().is_hidden);
    assert_eq!(
        w.listed(&cast.admin, cast.forum_id, TopicListQuery::default())
            .len(),
        2
    );
    let forum = w.forum(&cast.classmate, cast.course_id);
    assert_eq!((forum.topic_count, forum.reply_count), (1, 0));
    w.assert_counters_exact(cast.forum_id);
    // Staff may still answer it; the forum's counts are unmoved while hidden.
    w.reply(&cast.instructor, bad.id, None);
    w.assert_counters_exact(cast.forum_id);

    let restored = resolve(
        &mut w,
        &cast.admin,
        cast.course_id,
        second.id,
        ReportAction::Restore,
    )
    .unwrap();
    assert_eq!(restored.resolution, Some(ReportAction::Restore));
    assert_eq!(
        w.listed(&cast.classmate, cast.forum_id, TopicListQuery::default())
            .len(),
        2
    );
    let forum = w.forum(&cast.classmate, cast.course_id);
    assert_eq!((forum.topic_count, forum.reply_count), (2, 2));
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn hiding_a_reply_masks_it_for_students_and_drops_it_from_the_counts() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Fil");
    w.clock.advance(Duration::minutes(1));
    let kept = w.reply(&cast.student, topic.id, None);
    w.clock.advance(Duration::minutes(1));
    let rude = w.reply(&cast.classmate, topic.id, None);
    let answer = w.reply(&cast.student, topic.id, Some(rude.id));
    w.mark(&cast.student, rude.id).unwrap();
    let report = report_reply(
        &mut w.conn,
        &cast.student,
        &w.clock,
        &crate::common::roomy(),
        rude.id,
        flag(ReportReason::Offensive),
    )
    .unwrap();
    assert_eq!(w.topic_row(topic.id), (3, 0, true));

    resolve(
        &mut w,
        &cast.instructor,
        cast.course_id,
        report.id,
        ReportAction::Hide,
    )
    .unwrap();
    assert_eq!(
        w.topic_row(topic.id),
        (2, 0, false),
        "not counted, no longer the solution"
    );
    let read = w.get_topic(&cast.student, topic.id).unwrap();
    assert_eq!(read.last_reply_at, Some(answer.created_at));
    w.assert_counters_exact(cast.forum_id);

    let seen_by = |w: &mut World, who: &Principal| {
        let page = w.replies(who, topic.id, ReplyListQuery::default()).unwrap();
        let hidden = page.data.iter().find(|r| r.id == rude.id).unwrap().clone();
        (
            hidden.content,
            hidden.is_hidden,
            hidden.replies.unwrap().len(),
        )
    };
    assert_eq!(
        seen_by(&mut w, &cast.student),
        (String::new(), true, 1),
        "masked, thread kept"
    );
    assert_eq!(
        seen_by(&mut w, &cast.classmate),
        ("Une réponse".to_owned(), true, 1),
        "its author"
    );
    assert_eq!(
        seen_by(&mut w, &cast.admin),
        ("Une réponse".to_owned(), true, 1)
    );
    expect_not_found(w.react(&cast.student, rude.id, mdsc_forum::ReactionType::Downvote));
    expect_invalid_field(
        w.try_reply(&cast.student, topic.id, Some(rude.id), "x"),
        "parent_reply_id",
    );
    expect_not_found(w.mark(&cast.student, rude.id));
    let _ = kept;

    // Dismissing changes nothing; restoring brings it back into the counts.
    let again = report_reply(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        &crate::common::roomy(),
        rude.id,
        flag(ReportReason::Spam),
    )
    .unwrap();
    resolve(
        &mut w,
        &cast.instructor,
        cast.course_id,
        again.id,
        ReportAction::Dismiss,
    )
    .unwrap();
    assert_eq!(w.topic_row(topic.id).0, 2);
    resolve(
        &mut w,
        &cast.instructor,
        cast.course_id,
        again.id,
        ReportAction::Restore,
    )
    .unwrap();
    assert_eq!(w.topic_row(topic.id).0, 3);
    assert_eq!(
        seen_by(&mut w, &cast.student),
        ("Une réponse".to_owned(), false, 1)
    );
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn the_open_queue_is_oldest_first_and_paginated() {
    let mut w = World::new();
    let cast = w.cast();
    let mut expected = Vec::new();
    for i in 0..3 {
        let topic = w.topic(&cast.student, cast.forum_id, &format!("T{i}"));
        expected.push(
            report_topic(
                &mut w.conn,
                &cast.classmate,
                &w.clock,
                &crate::common::roomy(),
                topic.id,
                flag(ReportReason::Spam),
            )
            .unwrap()
            .id,
        );
        w.clock.advance(Duration::seconds(1));
    }
    assert_eq!(
        queue(&mut w, &cast.admin, cast.course_id, None)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        expected
    );
    let page = list_reports(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        cast.course_id,
        ReportListQuery {
            page: Some(2),
            limit: Some(2),
            ..ReportListQuery::default()
        },
    )
    .unwrap();
    assert_eq!(
        page.data.iter().map(|r| r.id).collect::<Vec<_>>(),
        [expected[2]]
    );
    assert_eq!(page.pagination.total, 3);
}

#[test]
fn a_hidden_reply_without_answers_leaves_the_students_thread_and_hides_its_author() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Fil");
    let rude = w.reply(&cast.classmate, topic.id, None);
    let nested_rude = w.reply(&cast.classmate, topic.id, Some(rude.id));
    let holder = w.reply(&cast.classmate, topic.id, None);
    let answer = w.reply(&cast.instructor, topic.id, Some(holder.id));
    w.react(&cast.student, rude.id, mdsc_forum::ReactionType::Upvote)
        .unwrap();
    for id in [rude.id, nested_rude.id, holder.id] {
        let report = report_reply(
            &mut w.conn,
            &cast.admin,
            &w.clock,
            &crate::common::roomy(),
            id,
            flag(ReportReason::Offensive),
        )
        .unwrap();
        resolve(
            &mut w,
            &cast.instructor,
            cast.course_id,
            report.id,
            ReportAction::Hide,
        )
        .unwrap();
    }

    // A student sees only the placeholder that holds the instructor's answer.
    let page = w
        .replies(&cast.student, topic.id, ReplyListQuery::default())
        .unwrap();
    assert_eq!(
        page.pagination.total, 1,
        "the hidden leaf thread is not counted"
    );
    let placeholder = &page.data[0];
    assert_eq!(placeholder.id, holder.id);
    assert_eq!(
        (
            placeholder.user_id,
            placeholder.user.is_none(),
            placeholder.content.as_str()
        ),
        (0, true, ""),
        "nothing of the hidden post, not even its author"
    );
    let answers = placeholder.replies.as_ref().unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].id, answer.id);

    // Staff and the author still see every reply, with its author.
    for who in [cast.admin, cast.classmate] {
        let page = w
            .replies(&who, topic.id, ReplyListQuery::default())
            .unwrap();
        assert_eq!(page.pagination.total, 2);
        let first = &page.data[0];
        assert_eq!(first.id, rude.id);
        assert_eq!(first.user_id, cast.classmate.user_id);
        assert_eq!(first.replies.as_ref().unwrap()[0].id, nested_rude.id);
    }

    // The upvote given before the hiding can still be taken back.
    let after = w
        .unreact(&cast.student, rude.id, mdsc_forum::ReactionType::Upvote)
        .unwrap();
    assert_eq!(after.upvotes, 0);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn reporting_a_hidden_reply_is_404_for_those_who_cannot_see_it() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Fil");
    let rude = w.reply(&cast.classmate, topic.id, None);
    let report = report_reply(
        &mut w.conn,
        &cast.student,
        &w.clock,
        &crate::common::roomy(),
        rude.id,
        flag(ReportReason::Offensive),
    )
    .unwrap();
    resolve(
        &mut w,
        &cast.instructor,
        cast.course_id,
        report.id,
        ReportAction::Hide,
    )
    .unwrap();
    let third = w.enrolled(cast.course_id);
    // As reacting to it does: for a student, the hidden reply is not there.
    expect_not_found(w.react(&third, rude.id, mdsc_forum::ReactionType::Upvote));
    expect_not_found(report_reply(
        &mut w.conn,
        &third,
        &w.clock,
        &crate::common::roomy(),
        rude.id,
        flag(ReportReason::Spam),
    ));
    // Staff and its author still see it, and may still report it.
    report_reply(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        &crate::common::roomy(),
        rude.id,
        flag(ReportReason::Spam),
    )
    .unwrap();
    report_reply(
        &mut w.conn,
        &cast.classmate,
        &w.clock,
        &crate::common::roomy(),
        rude.id,
        flag(ReportReason::Other),
    )
    .unwrap();
}
