//! The ratings list at any depth (issue 21): kept totals, pages by offset
//! and by cursor that agree with the full order for every sort, the
//! reader's own unapproved rating merged in at its place, no repeat and no
//! gap while ratings arrive between pages, and refusals past the bounds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::{Duration, NaiveDateTime};
use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::ErrorKind;
use mdsc_core::page::MAX_OFFSET;
use mdsc_core::schema::course_ratings;
use mdsc_core::testing::expect_err;
use mdsc_rating::service::{RatingListQuery, RatingSort, RatingStatusFilter};

const SORTS: [RatingSort; 3] = [RatingSort::Recent, RatingSort::Helpful, RatingSort::Rating];

/// Every rating of the course the scope lists, in `sort`'s order, counted
/// from the rows themselves.
fn expected(
    w: &mut World,
    course_id: i32,
    sort: RatingSort,
    keep: impl Fn(&str, i32) -> bool,
) -> Vec<i32> {
    let mut rows: Vec<(i32, String, i32, i32, i32, NaiveDateTime)> = course_ratings::table
        .filter(course_ratings::course_id.eq(course_id))
        .select((
            course_ratings::id,
            course_ratings::status,
            course_ratings::user_id,
            course_ratings::helpful_count,
            course_ratings::rating,
            course_ratings::created_at,
        ))
        .load(&mut *w.conn)
        .unwrap();
    rows.retain(|(_, status, user_id, ..)| keep(status, *user_id));
    let key = |r: &(i32, String, i32, i32, i32, NaiveDateTime)| {
        let lead = match sort {
            RatingSort::Recent => 0,
            RatingSort::Helpful => r.3,
            RatingSort::Rating => r.4,
        };
        std::cmp::Reverse((lead, r.5, r.0))
    };
    rows.sort_by_key(key);
    rows.into_iter().map(|r| r.0).collect()
}

fn query(sort: RatingSort, status: Option<RatingStatusFilter>) -> RatingListQuery {
    RatingListQuery {
        limit: Some(2),
        sort: Some(sort),
        status,
        ..RatingListQuery::default()
    }
}

/// The ids of every page read by `page=`, and the totals they reported.
fn walk_pages(
    w: &mut World,
    viewer: Option<&Principal>,
    course_id: i32,
    base: &RatingListQuery,
) -> (Vec<i32>, Vec<i64>) {
    let (mut ids, mut totals) = (Vec::new(), Vec::new());
    for page in 1..50 {
        let q = RatingListQuery {
            page: Some(page),
            ..base.clone()
        };
        let got = w.list(viewer, course_id, q).unwrap();
        totals.push(got.pagination.total);
        if got.data.is_empty() {
            break;
        }
        ids.extend(got.data.iter().map(|r| r.id));
    }
    (ids, totals)
}

/// The ids of every page read by following `next_cursor`; `between` runs
/// after each page.
fn walk_cursor(
    w: &mut World,
    viewer: Option<&Principal>,
    course_id: i32,
    base: &RatingListQuery,
    mut between: impl FnMut(&mut World),
) -> Vec<i32> {
    let mut ids = Vec::new();
    let mut after = None;
    for _ in 0..50 {
        let q = RatingListQuery {
            after: after.clone(),
            ..base.clone()
        };
        let got = w.list(viewer, course_id, q).unwrap();
        ids.extend(got.data.iter().map(|r| r.id));
        after = got.pagination.next_cursor;
        if after.is_none() {
            return ids;
        }
        between(w);
    }
    panic!("the cursor never ended");
}

/// A course with nine approved ratings of varied stars and helpful counts,
/// some created at the same instant (ties broken by id), one pending and
/// one rejected rating; returns the cast and the pending rating's author.
fn crowded(w: &mut World) -> (Cast, Learner, Learner) {
    let cast = w.cast();
    let course_id = cast.course_id();
    for n in 0..9_i32 {
        let learner = w.completed(&cast.course);
        let id = w.rate(&learner, course_id, n % 5 + 1).id;
        diesel::update(course_ratings::table.find(id))
            .set(course_ratings::helpful_count.eq((n * 7) % 4))
            .execute(&mut *w.conn)
            .unwrap();
        if n % 3 != 0 {
            w.clock.advance(Duration::minutes(1));
        }
    }
    w.pre_moderation();
    let pending = w.completed(&cast.course);
    w.rate(&pending, course_id, 4);
    let rejected = w.completed(&cast.course);
    let id = w.rate(&rejected, course_id, 2).id;
    w.reject(&cast.instructor, course_id, id);
    (cast, pending, rejected)
}

#[test]
fn pages_and_cursors_follow_every_sort_with_the_reader_s_own_rating_in_place() {
    let mut w = World::new();
    let (cast, pending, rejected) = crowded(&mut w);
    let course_id = cast.course_id();
    w.assert_stats_exact(course_id);
    let readers: [(Option<Principal>, Option<i32>); 4] = [
        (None, None),
        (Some(cast.outsider), None),
        (Some(pending.who), Some(pending.who.user_id)),
        (Some(rejected.who), Some(rejected.who.user_id)),
    ];
    for sort in SORTS {
        for (viewer, own) in readers {
            let want = expected(&mut w, course_id, sort, |status, user_id| {
                status == "approved" || Some(user_id) == own
            });
            let base = query(sort, None);
            let (paged, totals) = walk_pages(&mut w, viewer.as_ref(), course_id, &base);
            assert_eq!(paged, want, "{sort:?} by page for {viewer:?}");
            let want_total = i64::try_from(want.len()).unwrap();
            assert!(totals.iter().all(|t| *t == want_total), "{totals:?}");
            let walked = walk_cursor(&mut w, viewer.as_ref(), course_id, &base, |_| {});
            assert_eq!(walked, want, "{sort:?} by cursor for {viewer:?}");
        }
        // Staff by status: the kept counts are the totals.
        for (filter, keep) in [
            (RatingStatusFilter::All, None),
            (RatingStatusFilter::Pending, Some("pending")),
            (RatingStatusFilter::Rejected, Some("rejected")),
            (RatingStatusFilter::Approved, Some("approved")),
        ] {
            let want = expected(&mut w, course_id, sort, |status, _| {
                keep.is_none_or(|k| k == status)
            });
            let base = query(sort, Some(filter));
            let (paged, totals) = walk_pages(&mut w, Some(&cast.instructor), course_id, &base);
            assert_eq!(paged, want, "{sort:?} {filter:?} by page");
            assert_eq!(totals[0], i64::try_from(want.len()).unwrap());
            let walked = walk_cursor(&mut w, Some(&cast.admin), course_id, &base, |_| {});
            assert_eq!(walked, want, "{sort:?} {filter:?} by cursor");
        }
    }
}

#[test]
fn a_cursor_walk_neither_repeats_nor_skips_while_ratings_arrive() {
    let mut w = World::new();
    let (cast, pending, _) = crowded(&mut w);
    let course_id = cast.course_id();
    w.post_moderation();
    for sort in SORTS {
        let want = expected(&mut w, course_id, sort, |status, user_id| {
            status == "approved" || user_id == pending.who.user_id
        });
        let course = cast.course;
        let walked = walk_cursor(
            &mut w,
            Some(&pending.who),
            course_id,
            &query(sort, None),
            |w| {
                // Newer than every row read so far, and the lowest stars
                // and helpful count: each new rating sorts either before
                // the cursor (recent) or at the very end (helpful, rating).
                w.clock.advance(Duration::minutes(5));
                let late = w.completed(&course);
                w.rate(&late, course_id, 1);
            },
        );
        let mut unique = walked.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), walked.len(), "{sort:?}: a rating came twice");
        // Every rating listed before the walk is there, in its order.
        let kept: Vec<i32> = walked
            .iter()
            .copied()
            .filter(|id| want.contains(id))
            .collect();
        assert_eq!(kept, want, "{sort:?}: a rating was skipped");
        w.assert_stats_exact(course_id);
    }
}

#[test]
fn deep_pages_and_foreign_cursors_are_refused() {
    let mut w = World::new();
    let (cast, _, _) = crowded(&mut w);
    let course_id = cast.course_id();
    let too_deep = RatingListQuery {
        page: Some(MAX_OFFSET / 20 + 2),
        ..RatingListQuery::default()
    };
    expect_err(
        w.list(None, course_id, too_deep),
        ErrorKind::Validation,
        "PAGE_TOO_DEEP",
    );
    let garbage = RatingListQuery {
        after: Some("not-a-cursor".to_owned()),
        ..RatingListQuery::default()
    };
    expect_err(
        w.list(None, course_id, garbage),
        ErrorKind::Validation,
        "INVALID_CURSOR",
    );
    // A cursor of one sort does not seek in another.
    let helpful = w
        .list(None, course_id, query(RatingSort::Helpful, None))
        .unwrap()
        .pagination
        .next_cursor
        .expect("a next page");
    let mixed = RatingListQuery {
        after: Some(helpful),
        ..query(RatingSort::Recent, None)
    };
    expect_err(
        w.list(None, course_id, mixed),
        ErrorKind::Validation,
        "INVALID_CURSOR",
    );
    // The largest page holds 100 ratings whatever is asked.
    let huge = RatingListQuery {
        limit: Some(500),
        ..RatingListQuery::default()
    };
    assert_eq!(w.list(None, course_id, huge).unwrap().pagination.limit, 100);
}
