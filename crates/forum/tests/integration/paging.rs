//! The lists at scale (issue 21): keyset cursors walk every order of the
//! topics, the replies and the reports queue without a duplicate or a gap
//! while rows arrive between pages; offset pages stop at the documented
//! depth; totals come from kept counters and equal what each reader lists;
//! filtered totals stop counting at `COUNTED_TOTAL_MAX`; a search finds a
//! rare word however deep in the forum.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::forum_topics;
use mdsc_core::{DbConnection, ErrorKind};
use mdsc_forum::counters::recompute_forum;
use mdsc_forum::reply::{ReplyListQuery, ReplySort};
use mdsc_forum::report::{ReportInput, ReportListQuery, list_reports, report_topic};
use mdsc_forum::text::{search_text, search_title};
use mdsc_forum::topic::{
    COUNTED_TOTAL_MAX, FlagInput, TopicFilter, TopicListQuery, TopicSort, set_pinned,
};
use mdsc_forum::{ReactionType, ReportAction, ReportReason};

const SORTS: [TopicSort; 3] = [TopicSort::Recent, TopicSort::Popular, TopicSort::Pinned];

/// Walks the topic list by cursor from its first page, calling `between`
/// after each page: the ids in the order served.
fn walk_topics(
    w: &mut World,
    who: &Principal,
    forum_id: i32,
    query: &TopicListQuery,
    mut between: impl FnMut(&mut World),
) -> Vec<i32> {
    let mut ids = Vec::new();
    let mut after = None;
    for _ in 0..500 {
        let page = w
            .list(
                who,
                forum_id,
                TopicListQuery {
                    after: after.clone(),
                    ..query.clone()
                },
            )
            .expect("a page of topics");
        ids.extend(page.data.iter().map(|t| t.id));
        match page.pagination.next_cursor {
            Some(next) => after = Some(next),
            None => return ids,
        }
        between(w);
    }
    panic!("the walk did not end");
}

fn walk_replies(
    w: &mut World,
    who: &Principal,
    topic_id: i32,
    query: &ReplyListQuery,
    mut between: impl FnMut(&mut World),
) -> Vec<i32> {
    let mut ids = Vec::new();
    let mut after = None;
    for _ in 0..500 {
        let page = w
            .replies(
                who,
                topic_id,
                ReplyListQuery {
                    after: after.clone(),
                    ..query.clone()
                },
            )
            .expect("a page of replies");
        ids.extend(page.data.iter().map(|r| r.id));
        match page.pagination.next_cursor {
            Some(next) => after = Some(next),
            None => return ids,
        }
        between(w);
    }
    panic!("the walk did not end");
}

#[track_caller]
fn assert_no_duplicates(ids: &[i32]) {
    let unique: HashSet<i32> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a row was served twice: {ids:?}");
}

/// `walked` holds every row of `before`, once, in the same order.
#[track_caller]
fn assert_walked(before: &[i32], walked: &[i32]) {
    assert_no_duplicates(walked);
    let originals: Vec<i32> = walked
        .iter()
        .copied()
        .filter(|id| before.contains(id))
        .collect();
    assert_eq!(originals, before, "rows missing or out of order");
}

fn everything(query: TopicListQuery) -> TopicListQuery {
    TopicListQuery {
        limit: Some(100),
        ..query
    }
}

/// Eleven topics a minute apart, some answered, two pinned.
fn busy_forum(w: &mut World, cast: &Cast) -> Vec<i32> {
    let mut ids = Vec::new();
    for i in 0..11 {
        w.clock.advance(Duration::minutes(1));
        let author = if i % 2 == 0 {
            cast.student
        } else {
            cast.classmate
        };
        let topic = w.topic(&author, cast.forum_id, &format!("Sujet {i}"));
        for _ in 0..(i % 3) {
            w.reply(&cast.instructor, topic.id, None);
        }
        ids.push(topic.id);
    }
    for pinned in [ids[2], ids[7]] {
        set_pinned(
            &mut w.conn,
            &cast.instructor,
            pinned,
            FlagInput { value: Some(true) },
        )
        .unwrap();
    }
    ids
}

#[test]
fn topic_cursors_walk_every_order_while_topics_arrive() {
    let mut w = World::new();
    let cast = w.cast();
    busy_forum(&mut w, &cast);
    for sort in SORTS {
        let query = TopicListQuery {
            limit: Some(4),
            sort: Some(sort),
            ..TopicListQuery::default()
        };
        let before = w.listed(&cast.student, cast.forum_id, everything(query.clone()));
        let walked = walk_topics(&mut w, &cast.student, cast.forum_id, &query, |w| {
            w.clock.advance(Duration::seconds(30));
            w.topic(&cast.classmate, cast.forum_id, "Arrivé entre deux pages");
        });
        assert_walked(&before, &walked);
    }
}

#[test]
fn a_search_cursor_walks_the_title_matches_then_the_others() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let mut in_title = Vec::new();
    let mut in_content = Vec::new();
    for i in 0..5 {
        w.clock.advance(Duration::minutes(1));
        in_title.push(
            w.try_topic(&cast.student, f, &format!("Ownership {i}"), "Texte")
                .unwrap()
                .id,
        );
        w.clock.advance(Duration::minutes(1));
        in_content.push(
            w.try_topic(
                &cast.classmate,
                f,
                &format!("Question {i}"),
                "Sur l'ownership",
            )
            .unwrap()
            .id,
        );
        w.try_topic(&cast.classmate, f, "Autre chose", "Rien à voir")
            .unwrap();
    }
    // Newest first within each part.
    let expected: Vec<i32> = in_title
        .iter()
        .rev()
        .chain(in_content.iter().rev())
        .copied()
        .collect();
    let query = TopicListQuery {
        limit: Some(3),
        search: Some("OWNERSHIP".to_owned()),
        ..TopicListQuery::default()
    };
    assert_eq!(
        w.listed(&cast.student, f, everything(query.clone())),
        expected
    );
    let mut arrivals = 0;
    let walked = walk_topics(&mut w, &cast.student, f, &query, |w| {
        w.clock.advance(Duration::seconds(10));
        w.try_topic(&cast.student, f, "Ownership encore", "Texte")
            .unwrap();
        w.try_topic(&cast.student, f, "Encore", "ownership")
            .unwrap();
        arrivals += 2;
    });
    assert_walked(&expected, &walked);
    let page = w.list(&cast.student, f, query).unwrap();
    assert_eq!(page.pagination.total, 10 + arrivals, "the matches, counted");
}

#[test]
fn reply_cursors_walk_every_order_while_replies_arrive() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Un long fil");
    let voters: Vec<Principal> = (0..3).map(|_| w.enrolled(cast.course_id)).collect();
    let mut roots = Vec::new();
    for i in 0..9 {
        w.clock.advance(Duration::minutes(1));
        let root = w.reply(&cast.classmate, topic.id, None);
        if i % 4 == 0 {
            w.reply(&cast.student, topic.id, Some(root.id));
        }
        // Scores 0, 1, 2, 0, 1, 2…: ties that the creation order breaks.
        for voter in voters.iter().take(i % 3) {
            w.react(voter, root.id, ReactionType::Upvote).unwrap();
        }
        roots.push(root.id);
    }
    for sort in [ReplySort::Oldest, ReplySort::Recent, ReplySort::Votes] {
        let query = ReplyListQuery {
            limit: Some(4),
            sort: Some(sort),
            ..ReplyListQuery::default()
        };
        let before: Vec<i32> = w
            .replies(
                &cast.student,
                topic.id,
                ReplyListQuery {
                    limit: Some(100),
                    ..query.clone()
                },
            )
            .unwrap()
            .data
            .iter()
            .map(|r| r.id)
            .collect();
        let walked = walk_replies(&mut w, &cast.student, topic.id, &query, |w| {
            w.clock.advance(Duration::seconds(10));
            let new = w.reply(&cast.classmate, topic.id, None);
            w.reply(&cast.student, topic.id, Some(new.id));
        });
        assert_walked(&before, &walked);
    }
}

#[test]
fn the_report_queue_walks_by_cursor_while_reports_arrive() {
    let mut w = World::new();
    let cast = w.cast();
    let reporters: Vec<Principal> = (0..12).map(|_| w.enrolled(cast.course_id)).collect();
    let topic = w.topic(&cast.student, cast.forum_id, "Signalé");
    let report = |w: &mut World, who: &Principal| {
        w.clock.advance(Duration::seconds(5));
        report_topic(
            &mut w.conn,
            who,
            &w.clock,
            &roomy(),
            topic.id,
            ReportInput {
                reason: ReportReason::Spam,
                details: None,
            },
        )
        .unwrap()
        .id
    };
    let before: Vec<i32> = reporters[..7].iter().map(|r| report(&mut w, r)).collect();
    let mut arriving = reporters[7..].iter();
    let mut arrived = 0;
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = list_reports(
            &mut w.conn,
            &cast.instructor,
            &w.clock,
            cast.course_id,
            ReportListQuery {
                limit: Some(3),
                after: after.clone(),
                ..ReportListQuery::default()
            },
        )
        .unwrap();
        walked.extend(page.data.iter().map(|r| r.id));
        let Some(next) = page.pagination.next_cursor else {
            break;
        };
        after = Some(next);
        if let Some(who) = arriving.next() {
            report(&mut w, who);
            arrived += 1;
        }
    }
    assert_walked(&before, &walked);
    assert!(arrived > 0);
    assert_eq!(
        walked.len(),
        before.len() + arrived,
        "the open queue, oldest first, serves new reports last"
    );
}

#[test]
fn an_offset_page_hands_out_the_cursor_of_the_page_after_it() {
    let mut w = World::new();
    let cast = w.cast();
    busy_forum(&mut w, &cast);
    let page = |page| TopicListQuery {
        page: Some(page),
        limit: Some(3),
        ..TopicListQuery::default()
    };
    let first = w.list(&cast.student, cast.forum_id, page(1)).unwrap();
    let second = w.list(&cast.student, cast.forum_id, page(2)).unwrap();
    let by_cursor = w
        .list(
            &cast.student,
            cast.forum_id,
            TopicListQuery {
                after: first.pagination.next_cursor.clone(),
                ..page(1)
            },
        )
        .unwrap();
    let ids = |p: &mdsc_core::Page<mdsc_forum::ForumTopic>| -> Vec<i32> {
        p.data.iter().map(|t| t.id).collect()
    };
    assert_eq!(ids(&by_cursor), ids(&second));
    assert_eq!(by_cursor.pagination.total, 11);
    let last = w.list(&cast.student, cast.forum_id, page(4)).unwrap();
    assert_eq!(last.data.len(), 2);
    assert_eq!(
        last.pagination.next_cursor, None,
        "no cursor after the last page"
    );
}

#[test]
fn deep_pages_and_foreign_cursors_are_refused() {
    let mut w = World::new();
    let cast = w.cast();
    busy_forum(&mut w, &cast);
    let topic = w.topic(&cast.student, cast.forum_id, "Fil");
    w.reply(&cast.classmate, topic.id, None);
    w.reply(&cast.classmate, topic.id, None);
    let too_deep = TopicListQuery {
        page: Some(10_002),
        limit: Some(1),
        ..TopicListQuery::default()
    };
    let err = expect_err(
        w.list(&cast.student, cast.forum_id, too_deep),
        ErrorKind::Validation,
        "PAGE_TOO_DEEP",
    );
    assert_eq!(err.field_errors[0].field, "page");
    expect_err(
        w.replies(
            &cast.student,
            topic.id,
            ReplyListQuery {
                page: Some(10_002),
                limit: Some(1),
                ..ReplyListQuery::default()
            },
        ),
        ErrorKind::Validation,
        "PAGE_TOO_DEEP",
    );
    expect_err(
        list_reports(
            &mut w.conn,
            &cast.instructor,
            &w.clock,
            cast.course_id,
            ReportListQuery {
                page: Some(10_002),
                limit: Some(1),
                ..ReportListQuery::default()
            },
        ),
        ErrorKind::Validation,
        "PAGE_TOO_DEEP",
    );

    let recent = w
        .list(
            &cast.student,
            cast.forum_id,
            TopicListQuery {
                limit: Some(2),
                ..TopicListQuery::default()
            },
        )
        .unwrap()
        .pagination
        .next_cursor
        .unwrap();
    let searched = w
        .list(
            &cast.student,
            cast.forum_id,
            TopicListQuery {
                limit: Some(1),
                search: Some("sujet".to_owned()),
                ..TopicListQuery::default()
            },
        )
        .unwrap()
        .pagination
        .next_cursor
        .unwrap();
    let topics_with = |after: &str, sort, search: Option<&str>| TopicListQuery {
        after: Some(after.to_owned()),
        sort,
        search: search.map(str::to_owned),
        ..TopicListQuery::default()
    };
    for query in [
        topics_with("n'importe quoi", None, None),
        topics_with(&recent, Some(TopicSort::Popular), None),
        topics_with(&searched, None, None),
        topics_with(&recent, None, Some("sujet")),
    ] {
        expect_err(
            w.list(&cast.student, cast.forum_id, query),
            ErrorKind::Validation,
            "INVALID_CURSOR",
        );
    }
    expect_err(
        w.replies(
            &cast.student,
            topic.id,
            ReplyListQuery {
                after: Some(recent),
                ..ReplyListQuery::default()
            },
        ),
        ErrorKind::Validation,
        "INVALID_CURSOR",
    );
}

#[test]
fn each_reader_s_topic_total_counts_what_they_list() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let other = w.enrolled(cast.course_id);
    for i in 0..5 {
        w.topic(&cast.classmate, f, &format!("Visible {i}"));
    }
    let mine = w.topic(&cast.student, f, "Le mien, masqué");
    let theirs = w.topic(&cast.classmate, f, "Le leur, masqué");
    w.moderate(&cast, &other, mine.id, None, ReportAction::Hide);
    w.moderate(&cast, &other, theirs.id, None, ReportAction::Hide);
    let query = TopicListQuery {
        limit: Some(2),
        ..TopicListQuery::default()
    };
    let check = |w: &mut World, who: &Principal, expected: i64| {
        let total = w.list(who, f, query.clone()).unwrap().pagination.total;
        let walked = walk_topics(w, who, f, &query, |_| {});
        assert_eq!((total, walked.len() as i64), (expected, expected));
    };
    check(&mut w, &cast.instructor, 7);
    check(&mut w, &cast.admin, 7);
    check(&mut w, &cast.student, 6);
    check(&mut w, &cast.classmate, 6);
    check(&mut w, &other, 5);
    // Shown again, deleted: the kept totals follow.
    w.moderate(&cast, &cast.admin, theirs.id, None, ReportAction::Restore);
    w.delete_topic(&cast.student, mine.id).unwrap();
    check(&mut w, &cast.instructor, 6);
    check(&mut w, &cast.student, 6);
    check(&mut w, &other, 6);
    w.assert_counters_exact(f);
}

#[test]
fn each_reader_s_reply_total_counts_the_threads_they_list() {
    let mut w = World::new();
    let cast = w.cast();
    let other = w.enrolled(cast.course_id);
    let topic = w.topic(&cast.instructor, cast.forum_id, "Modéré");
    let t = topic.id;
    // A live thread.
    w.reply(&cast.classmate, t, None);
    // The student's hidden reply, alone.
    let hidden_own = w.reply(&cast.student, t, None);
    w.moderate(&cast, &other, t, Some(hidden_own.id), ReportAction::Hide);
    // A deleted reply kept for its live answer.
    let deleted = w.reply(&other, t, None);
    w.reply(&cast.classmate, t, Some(deleted.id));
    w.delete_reply(&other, deleted.id).unwrap();
    // The classmate's hidden reply and hidden answer.
    let hidden_theirs = w.reply(&cast.classmate, t, None);
    let hidden_answer = w.reply(&cast.classmate, t, Some(hidden_theirs.id));
    w.moderate(&cast, &other, t, Some(hidden_theirs.id), ReportAction::Hide);
    w.moderate(&cast, &other, t, Some(hidden_answer.id), ReportAction::Hide);
    // A deleted reply whose only answer, the student's, is hidden.
    let emptied = w.reply(&other, t, None);
    let student_answer = w.reply(&cast.student, t, Some(emptied.id));
    w.moderate(
        &cast,
        &other,
        t,
        Some(student_answer.id),
        ReportAction::Hide,
    );
    w.delete_reply(&other, emptied.id).unwrap();

    let query = ReplyListQuery {
        limit: Some(2),
        ..ReplyListQuery::default()
    };
    let check = |w: &mut World, who: &Principal, expected: i64| {
        let total = w.replies(who, t, query.clone()).unwrap().pagination.total;
        let walked = walk_replies(w, who, t, &query, |_| {});
        assert_eq!((total, walked.len() as i64), (expected, expected));
    };
    check(&mut w, &cast.instructor, 5);
    check(&mut w, &cast.student, 4);
    check(&mut w, &cast.classmate, 3);
    check(&mut w, &other, 2);
    w.assert_counters_exact(cast.forum_id);
}

#[test]
fn searches_find_rare_words_past_the_window_and_bound_their_totals() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let now = chrono::DateTime::parse_from_rfc3339(START)
        .unwrap()
        .naive_utc();
    let row = |title: String, content: &str| {
        (
            forum_topics::forum_id.eq(f),
            forum_topics::user_id.eq(cast.classmate.user_id),
            forum_topics::title.eq(title.clone()),
            forum_topics::content.eq(content.to_owned()),
            forum_topics::search_text.eq(search_text(&title, content)),
            forum_topics::search_title.eq(search_title(&title)),
            forum_topics::last_activity_at.eq(now),
            forum_topics::created_at.eq(now),
            forum_topics::updated_at.eq(now),
        )
    };
    // The oldest topic holds the needle; 1,100 newer ones bury it past
    // the rows a search reads before it turns to the index. Written
    // straight to the table (then the counters repaired): through the
    // service they would only be slower.
    let mut rows = vec![row("Une aiguille".to_owned(), "Perdue")];
    rows.extend((0..1_100).map(|i| row(format!("Botte {i}"), "De foin")));
    for chunk in rows.chunks(200) {
        // Multi-row inserts are per backend (not through MultiConnection).
        let insert = diesel::insert_into(forum_topics::table).values(chunk.to_vec());
        match &mut *w.conn {
            DbConnection::Pg(c) => insert.execute(c),
            DbConnection::Sqlite(c) => insert.execute(c),
        }
        .unwrap();
    }
    recompute_forum(&mut w.conn, f).unwrap();
    let needle: i32 = forum_topics::table
        .filter(forum_topics::title.eq("Une aiguille"))
        .select(forum_topics::id)
        .first(&mut *w.conn)
        .unwrap();
    let search = |words: &str| TopicListQuery {
        search: Some(words.to_owned()),
        limit: Some(100),
        ..TopicListQuery::default()
    };
    let total = |w: &mut World, query: TopicListQuery| {
        w.list(&cast.student, f, query).unwrap().pagination.total
    };
    assert_eq!(
        total(&mut w, TopicListQuery::default()),
        1_101,
        "kept, exact"
    );

    assert_eq!(w.listed(&cast.student, f, search("AIGUILLE")), [needle]);
    assert_eq!(
        total(&mut w, search("aiguille")),
        1,
        "counted through the index"
    );
    assert_eq!(
        w.listed(&cast.student, f, search("aiguille perdue")),
        [needle]
    );
    let by_page = TopicListQuery {
        page: Some(1),
        ..search("guil")
    };
    assert_eq!(w.listed(&cast.student, f, by_page), [needle]);

    assert_eq!(total(&mut w, search("botte")), COUNTED_TOTAL_MAX);
    let unanswered = TopicListQuery {
        filter: Some(TopicFilter::Unanswered),
        ..TopicListQuery::default()
    };
    assert_eq!(total(&mut w, unanswered), COUNTED_TOTAL_MAX);
    assert_eq!(
        walk_topics(&mut w, &cast.student, f, &search("botte"), |_| {}).len(),
        1_100,
        "the cursor reads past the counted total"
    );
    // "botte 109" and "botte 1090" … "botte 1099".
    assert_eq!(
        total(&mut w, search("botte 109")),
        11,
        "under the bound, exact"
    );
}
