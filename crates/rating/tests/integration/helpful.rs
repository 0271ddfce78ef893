//! "Helpful" votes: one per user and approved rating, never on one's own;
//! the kept `helpful_count` always equals the votes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_ratings, rating_helpful_votes};
use mdsc_core::{Error, ErrorKind};
use mdsc_rating::CourseRating;
use mdsc_rating::helpful::{mark_helpful, recompute_helpful_count, unmark_helpful};
use mdsc_rating::service::delete_rating;

fn mark(w: &mut World, who: &Principal, course_id: i32, id: i32) -> Result<CourseRating, Error> {
    mark_helpful(&mut w.conn, who, &w.clock, &w.settings, course_id, id)
}

fn unmark(w: &mut World, who: &Principal, course_id: i32, id: i32) -> Result<CourseRating, Error> {
    unmark_helpful(&mut w.conn, who, course_id, id)
}

fn votes(w: &mut World, id: i32) -> i64 {
    rating_helpful_votes::table
        .filter(rating_helpful_votes::rating_id.eq(id))
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

/// Asserts the kept count equals the votes (without repairing anything) and returns it.
#[track_caller]
fn assert_count_exact(w: &mut World, course_id: i32, id: i32) -> i32 {
    let kept: i32 = course_ratings::table
        .find(id)
        .select(course_ratings::helpful_count)
        .first(&mut *w.conn)
        .unwrap();
    assert_eq!(i64::from(kept), votes(w, id), "kept helpful_count vs votes");
    assert_eq!(recompute_helpful_count(&mut w.conn, id).unwrap(), kept);
    assert_eq!(w.get(None, course_id, id).unwrap().helpful_count, kept);
    kept
}

#[test]
fn a_user_marks_a_rating_helpful_once() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let marked = mark(&mut w, &cast.outsider, course_id, id).unwrap();
    assert_eq!(marked.helpful_count, 1);
    assert!(marked.is_helpful_to_me);
    expect_conflict(mark(&mut w, &cast.outsider, course_id, id), "ALREADY_VOTED");
    assert_eq!(assert_count_exact(&mut w, course_id, id), 1);

    // Staff and anyone else may vote too, each once.
    for who in [cast.instructor, cast.admin, cast.other_instructor] {
        mark(&mut w, &who, course_id, id).unwrap();
    }
    assert_eq!(assert_count_exact(&mut w, course_id, id), 4);
}

#[test]
fn is_helpful_to_me_reflects_the_callers_own_vote() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    mark(&mut w, &cast.outsider, course_id, id).unwrap();
    assert!(
        w.get(Some(&cast.outsider), course_id, id)
            .unwrap()
            .is_helpful_to_me
    );
    let listed = w
        .list(Some(&cast.outsider), course_id, Default::default())
        .unwrap();
    assert!(listed.data[0].is_helpful_to_me);
    for viewer in [None, Some(&cast.other_instructor), Some(&cast.student.who)] {
        let seen = w.get(viewer, course_id, id).unwrap();
        assert!(!seen.is_helpful_to_me);
        assert_eq!(seen.helpful_count, 1);
        let listed = w.list(viewer, course_id, Default::default()).unwrap();
        assert!(!listed.data[0].is_helpful_to_me);
    }
    let unmarked = unmark(&mut w, &cast.outsider, course_id, id).unwrap();
    assert!(!unmarked.is_helpful_to_me);
    assert_eq!(unmarked.helpful_count, 0);
    assert!(
        !w.get(Some(&cast.outsider), course_id, id)
            .unwrap()
            .is_helpful_to_me
    );
}

#[test]
fn nobody_votes_for_their_own_rating() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 5).id;
    let err = expect_err(
        mark(&mut w, &cast.student.who, course_id, id),
        ErrorKind::Validation,
        "OWN_RATING",
    );
    assert_invalid_fields(&err, &["rating_id"]);
    expect_err(
        unmark(&mut w, &cast.student.who, course_id, id),
        ErrorKind::Validation,
        "OWN_RATING",
    );
    assert_eq!(assert_count_exact(&mut w, course_id, id), 0);
}

#[test]
fn only_approved_ratings_take_votes() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 5).id;
    // Pending: not even staff may vote.
    for who in [cast.outsider, cast.instructor, cast.admin] {
        expect_not_found(mark(&mut w, &who, course_id, id));
    }
    w.reject(&cast.instructor, course_id, id);
    expect_not_found(mark(&mut w, &cast.outsider, course_id, id));
    assert_eq!(votes(&mut w, id), 0);
    w.approve(&cast.instructor, course_id, id);
    assert_eq!(
        mark(&mut w, &cast.outsider, course_id, id)
            .unwrap()
            .helpful_count,
        1
    );
    // Missing ratings, other courses, missing courses.
    expect_not_found(mark(&mut w, &cast.outsider, course_id, id + 1000));
    let other = w.course(&cast.instructor, "Advanced Rust");
    expect_not_found(mark(&mut w, &cast.other_instructor, other.id, id));
    expect_not_found(mark(&mut w, &cast.other_instructor, course_id + 1000, id));
    assert_eq!(assert_count_exact(&mut w, course_id, id), 1);
}

#[test]
fn votes_on_an_unpublished_course_are_for_its_members() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 5).id;
    let classmate = w.completed(&cast.course).who;
    w.set_published(&cast.course, false);
    for who in cast.outsiders() {
        expect_not_found(mark(&mut w, &who, course_id, id));
    }
    mark(&mut w, &classmate, course_id, id).unwrap();
    mark(&mut w, &cast.instructor, course_id, id).unwrap();
    assert_eq!(votes(&mut w, id), 2);
}

#[test]
fn taking_back_a_vote() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    expect_not_found(unmark(&mut w, &cast.outsider, course_id, id));
    mark(&mut w, &cast.outsider, course_id, id).unwrap();
    mark(&mut w, &cast.admin, course_id, id).unwrap();
    let after = unmark(&mut w, &cast.outsider, course_id, id).unwrap();
    assert_eq!(after.helpful_count, 1);
    expect_not_found(unmark(&mut w, &cast.outsider, course_id, id));
    assert_eq!(assert_count_exact(&mut w, course_id, id), 1);
    // Voting again after taking it back is fine.
    assert_eq!(
        mark(&mut w, &cast.outsider, course_id, id)
            .unwrap()
            .helpful_count,
        2
    );
    assert_eq!(assert_count_exact(&mut w, course_id, id), 2);
}

#[test]
fn many_users_voting_at_once_are_all_counted() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let voters: Vec<Principal> = (0..10).map(|_| w.student()).collect();
    let count = voters.len();
    let results = race(&w.db.pool(), count, move |i, conn| {
        mark_helpful(
            conn,
            &voters[i],
            &thread_clock(),
            &mdsc_rating::RatingSettings::default(),
            course_id,
            id,
        )
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(assert_count_exact(&mut w, course_id, id), 10);
}

#[test]
fn one_user_voting_many_times_at_once_counts_once() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let voter = cast.outsider;
    let results = race(&w.db.pool(), 8, move |_, conn| {
        mark_helpful(
            conn,
            &voter,
            &thread_clock(),
            &mdsc_rating::RatingSettings::default(),
            course_id,
            id,
        )
    });
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1, "{failed:?}");
    for result in failed {
        expect_conflict(result, "ALREADY_VOTED");
    }
    assert_eq!(assert_count_exact(&mut w, course_id, id), 1);
}

#[test]
fn votes_and_retractions_at_once_keep_the_count_exact() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    let voters: Vec<Principal> = (0..10).map(|_| w.student()).collect();
    // The first half has voted already and takes it back; the rest votes.
    for voter in &voters[..5] {
        mark(&mut w, voter, course_id, id).unwrap();
    }
    let results = race(&w.db.pool(), voters.len(), move |i, conn| {
        if i < 5 {
            unmark_helpful(conn, &voters[i], course_id, id)
        } else {
            mark_helpful(
                conn,
                &voters[i],
                &thread_clock(),
                &mdsc_rating::RatingSettings::default(),
                course_id,
                id,
            )
        }
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(assert_count_exact(&mut w, course_id, id), 5);
}

#[test]
fn recompute_repairs_a_broken_count() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let id = w.rate(&cast.student, course_id, 4).id;
    mark(&mut w, &cast.outsider, course_id, id).unwrap();
    diesel::update(course_ratings::table.find(id))
        .set(course_ratings::helpful_count.eq(40))
        .execute(&mut *w.conn)
        .unwrap();
    assert_eq!(w.get(None, course_id, id).unwrap().helpful_count, 40);
    assert_eq!(recompute_helpful_count(&mut w.conn, id).unwrap(), 1);
    assert_eq!(w.get(None, course_id, id).unwrap().helpful_count, 1);
    // Votes leave with their rating.
    w.delete(&cast.student.who, course_id, id).unwrap();
    assert_eq!(votes(&mut w, id), 0);
}

#[test]
fn votes_racing_a_deletion_never_fail_with_an_internal_error() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let author = cast.student.who;
    let voters: Vec<Principal> = (0..7).map(|_| w.student()).collect();
    for round in 0..10 {
        let id = w.rate(&cast.student, course_id, 4).id;
        // Three of them voted already and take it back; the others vote.
        for voter in &voters[..3] {
            mark(&mut w, voter, course_id, id).unwrap();
        }
        let v = voters.clone();
        let results = race(&w.db.pool(), 8, move |i, conn| match i {
            0 => delete_rating(conn, &author, course_id, id).map(|_| ()),
            1..=3 => unmark_helpful(conn, &v[i - 1], course_id, id).map(|_| ()),
            _ => mark_helpful(
                conn,
                &v[i - 1],
                &thread_clock(),
                &mdsc_rating::RatingSettings::default(),
                course_id,
                id,
            )
            .map(|_| ()),
        });
        assert!(
            results[0].is_ok(),
            "round {round}: the author's deletion failed: {:?}",
            results[0]
        );
        for result in &results[1..] {
            // A vote either lands before the deletion or finds no rating.
            if let Err(err) = result {
                assert_eq!(err.kind, ErrorKind::NotFound, "round {round}: {err}");
            }
        }
        assert_eq!(w.stored_status(id), None);
        assert_eq!(votes(&mut w, id), 0);
    }
}
