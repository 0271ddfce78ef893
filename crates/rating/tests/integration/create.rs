//! Creating a rating: only the student of a completed enrollment, once per
//! course (also under concurrent requests), with valid fields; `can_rate`
//! tells beforehand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_rating::prompt::can_rate;
use mdsc_rating::service::{CreateRatingInput, create_rating};
use mdsc_rating::{CanRate, RatingStatus};

fn expect_already_rated<T: std::fmt::Debug>(result: Result<T, mdsc_core::Error>) {
    expect_conflict(result, "ALREADY_RATED");
}

fn expect_not_completed<T: std::fmt::Debug>(result: Result<T, mdsc_core::Error>) {
    expect_err(result, ErrorKind::Forbidden, "COURSE_NOT_COMPLETED");
}

#[test]
fn a_completed_student_rates_the_course_once() {
    let mut w = World::new();
    let cast = w.cast();
    let input = CreateRatingInput {
        comment: Some("Clear and practical".to_owned()),
        pros: Some("Exercises".to_owned()),
        cons: Some("Too short".to_owned()),
        ..rating_input(cast.student.enrollment_id, 4)
    };
    let rating = w.rate_with(&cast.student, cast.course_id(), input);
    assert_eq!(rating.course_id, cast.course_id());
    assert_eq!(rating.user_id, Some(cast.student.who.user_id));
    assert_eq!(rating.enrollment_id, Some(cast.student.enrollment_id));
    assert_eq!(rating.rating, 4);
    assert_eq!(rating.comment.as_deref(), Some("Clear and practical"));
    assert_eq!(rating.pros.as_deref(), Some("Exercises"));
    assert_eq!(rating.cons.as_deref(), Some("Too short"));
    assert!(rating.would_recommend, "recommends by default");
    assert!(rating.is_verified_purchase);
    assert!(!rating.is_anonymous, "signed by default");
    assert_eq!(
        rating.status,
        RatingStatus::Approved,
        "post-moderation by default"
    );
    assert_eq!(rating.helpful_count, 0);
    assert!(!rating.is_helpful_to_me);
    assert!(rating.instructor_response.is_none());
    assert_eq!(rating.created_at.to_rfc3339(), "2026-01-15T10:00:00+00:00");
    assert_eq!(rating.updated_at, rating.created_at);
    assert_eq!(rating.user.as_ref().unwrap().id, cast.student.who.user_id);
    let course = rating.course.as_ref().unwrap();
    assert_eq!(
        (course.id, course.title.as_str()),
        (cast.course_id(), COURSE_TITLE)
    );

    // A second rating, even a different one, is refused.
    w.clock.advance(Duration::days(1));
    expect_already_rated(w.try_rate(&cast.student, cast.course_id(), 1));
    assert_eq!(w.rating_rows(cast.course_id()), 1);
    let stats = w.assert_stats_exact(cast.course_id());
    assert_eq!(stats, expected_stats(&[(4, true)]));
    let stored = w.get(None, cast.course_id(), rating.id).unwrap();
    assert_eq!(stored.rating, 4, "the first rating stays as it was");
}

#[test]
fn concurrent_attempts_of_one_student_make_one_rating() {
    let mut w = World::new();
    let cast = w.cast();
    let (student, course_id) = (cast.student, cast.course_id());
    let settings = w.settings;
    let results = race(&w.db.pool(), 8, move |i, conn| {
        let stars = i32::try_from(i % 5).unwrap() + 1;
        create_rating(
            conn,
            &student.who,
            &thread_clock(),
            &settings,
            course_id,
            rating_input(student.enrollment_id, stars),
        )
    });
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1, "exactly one rating is created: {failed:?}");
    for result in failed {
        expect_already_rated(result);
    }
    let winner = ok.into_iter().next().unwrap().unwrap();
    assert_eq!(w.rating_rows(course_id), 1);
    let stats = w.assert_stats_exact(course_id);
    assert_eq!(stats.rating_count, 1);
    assert_eq!(stats, expected_stats(&[(winner.rating, true)]));
}

#[test]
fn only_a_completed_enrollment_may_rate() {
    let mut w = World::new();
    let cast = w.cast();
    let course = cast.course;
    // Just enrolled: 0 %.
    let fresh = w.enrolled(&course);
    expect_not_completed(w.try_rate(&fresh, course.id, 5));
    // Lesson done, quiz failed: 50 %.
    let halfway = w.enrolled(&course);
    w.complete_lesson(&halfway, &course);
    let enrollment = w.take_quiz(&halfway, &course, f64::from(PASSING_SCORE) - 1.0);
    assert_eq!(enrollment.progress_percentage, 50.0);
    expect_not_completed(w.try_rate(&halfway, course.id, 5));
    // Left the course.
    let quitter = w.enrolled(&course);
    cancel_enrollment(&mut w.conn, &quitter.who, &w.clock, quitter.enrollment_id).unwrap();
    expect_not_completed(w.try_rate(&quitter, course.id, 5));

    assert_eq!(w.rating_rows(course.id), 0);
    w.assert_stats(course.id, &[]);
    // Passing the quiz completes the course: now the student may rate.
    w.take_quiz(&halfway, &course, 100.0);
    assert_eq!(w.rate(&halfway, course.id, 5).rating, 5);
}

#[test]
fn nobody_rates_with_someone_elses_enrollment() {
    let mut w = World::new();
    let cast = w.cast();
    let enrollment_id = cast.student.enrollment_id;
    let mut people = cast.outsiders().to_vec();
    people.extend(cast.staff());
    people.push(w.completed(&cast.course).who);
    for who in people {
        let borrowed = Learner { who, enrollment_id };
        expect_not_found(w.try_rate(&borrowed, cast.course_id(), 5));
    }
    // An enrollment that does not exist.
    let ghost = Learner {
        who: cast.student.who,
        enrollment_id: enrollment_id + 1000,
    };
    expect_not_found(w.try_rate(&ghost, cast.course_id(), 5));
    assert_eq!(w.rating_rows(cast.course_id()), 0);
}

#[test]
fn an_enrollment_rates_its_own_course_only() {
    let mut w = World::new();
    let cast = w.cast();
    let other = w.course(&cast.instructor, "Advanced Rust");
    w.complete_as(&cast.student.who, &other);
    // The enrollment of the first course used for the second one.
    let err = expect_invalid_field(w.try_rate(&cast.student, other.id, 5), "enrollment_id");
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(w.rating_rows(other.id), 0);
    assert_eq!(w.rating_rows(cast.course_id()), 0);
}

#[test]
fn rating_a_missing_course_is_not_found() {
    let mut w = World::new();
    let cast = w.cast();
    expect_not_found(w.try_rate(&cast.student, cast.course_id() + 1000, 5));
    assert_eq!(w.rating_rows(cast.course_id()), 0);
}

#[test]
fn stars_go_from_one_to_five() {
    let mut w = World::new();
    let cast = w.cast();
    for stars in [-1, 0, 6, 100] {
        expect_invalid_field(w.try_rate(&cast.student, cast.course_id(), stars), "rating");
    }
    assert_eq!(w.rating_rows(cast.course_id()), 0);
    for stars in [1, 5] {
        let learner = w.completed(&cast.course);
        assert_eq!(w.rate(&learner, cast.course_id(), stars).rating, stars);
    }
}

#[test]
fn texts_have_limits_counted_in_characters() {
    let mut w = World::new();
    let cast = w.cast();
    let base = rating_input(cast.student.enrollment_id, 4);
    let too_long = [
        (
            "comment",
            CreateRatingInput {
                comment: Some("é".repeat(5001)),
                ..base.clone()
            },
        ),
        (
            "pros",
            CreateRatingInput {
                pros: Some("p".repeat(2001)),
                ..base.clone()
            },
        ),
        (
            "cons",
            CreateRatingInput {
                cons: Some("ü".repeat(2001)),
                ..base.clone()
            },
        ),
        (
            "comment",
            CreateRatingInput {
                comment: Some("ring the bell\u{7}".to_owned()),
                ..base.clone()
            },
        ),
        // The shared multi-line rule: a carriage return only in CRLF.
        (
            "pros",
            CreateRatingInput {
                pros: Some("clair\rpratique".to_owned()),
                ..base.clone()
            },
        ),
    ];
    for (field, input) in too_long {
        expect_invalid_field(
            w.try_rate_with(&cast.student.who, cast.course_id(), input),
            field,
        );
    }
    // Several invalid fields are all reported.
    let everything_wrong = CreateRatingInput {
        rating: 9,
        comment: Some("c".repeat(5001)),
        pros: Some("p".repeat(2001)),
        cons: Some("c".repeat(2001)),
        ..base.clone()
    };
    let err = expect_err(
        w.try_rate_with(&cast.student.who, cast.course_id(), everything_wrong),
        ErrorKind::Validation,
        "VALIDATION_ERROR",
    );
    assert_invalid_fields(&err, &["comment", "cons", "pros", "rating"]);
    assert_eq!(w.rating_rows(cast.course_id()), 0);

    // Exactly at the limits, in multi-byte characters, with new lines: fine.
    let longest = CreateRatingInput {
        comment: Some(format!("{}\n", "é".repeat(4999))),
        pros: Some("ü".repeat(2000)),
        cons: Some("\t".repeat(2000)),
        ..base
    };
    let rating = w.rate_with(&cast.student, cast.course_id(), longest.clone());
    assert_eq!(rating.comment, longest.comment);
    assert_eq!(rating.pros.as_ref().map(|p| p.chars().count()), Some(2000));
    assert_eq!(rating.cons, longest.cons);
}

#[test]
fn choices_are_stored_as_given() {
    let mut w = World::new();
    let cast = w.cast();
    let input = CreateRatingInput {
        comment: None,
        would_recommend: Some(false),
        is_anonymous: Some(true),
        ..rating_input(cast.student.enrollment_id, 2)
    };
    let rating = w.rate_with(&cast.student, cast.course_id(), input);
    assert!(!rating.would_recommend);
    assert!(rating.is_anonymous);
    assert!(rating.comment.is_none());
    w.assert_stats(cast.course_id(), &[(2, false)]);
}

#[test]
fn under_pre_moderation_a_new_rating_waits_and_still_blocks_a_second_one() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let rating = w.rate(&cast.student, cast.course_id(), 5);
    assert_eq!(rating.status, RatingStatus::Pending);
    assert_eq!(w.stored_status(rating.id).as_deref(), Some("pending"));
    w.assert_stats(cast.course_id(), &[]);
    // A pending rating is a rating: no second one.
    expect_already_rated(w.try_rate(&cast.student, cast.course_id(), 3));
    assert_eq!(w.rating_rows(cast.course_id()), 1);
}

#[test]
fn after_deleting_their_rating_the_student_may_rate_again() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let first = w.rate(&cast.student, course_id, 2);
    w.delete(&cast.student.who, course_id, first.id).unwrap();
    assert_eq!(w.rating_rows(course_id), 0);
    w.assert_stats(course_id, &[]);

    let second = w.rate(&cast.student, course_id, 5);
    assert_ne!(second.id, first.id);
    // An admin removes it: the student may rate once more.
    w.delete(&cast.admin, course_id, second.id).unwrap();
    expect_not_found(w.get(Some(&cast.student.who), course_id, second.id));
    let third = w.rate(&cast.student, course_id, 4);
    assert_eq!(w.rating_rows(course_id), 1);
    w.assert_stats(course_id, &[(third.rating, true)]);
}

fn answer(can_rate: bool, reason: Option<&str>, rating_id: Option<i32>) -> CanRate {
    CanRate {
        can_rate,
        reason: reason.map(str::to_owned),
        has_rated: rating_id.is_some(),
        rating_id,
    }
}

#[test]
fn can_rate_tells_the_student_and_admins_why_not() {
    let mut w = World::new();
    let cast = w.cast();
    let course = cast.course;
    let learner = w.enrolled(&course);
    // The course's instructor may see the enrollment but not this answer:
    // next to anonymous ratings it would narrow down their authors.
    let err = can_rate(&mut w.conn, &cast.instructor, learner.enrollment_id).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    let viewers = [learner.who, cast.admin];
    let check = |w: &mut World, expected: &CanRate| {
        for viewer in viewers {
            let got = can_rate(&mut w.conn, &viewer, learner.enrollment_id).unwrap();
            assert_eq!(&got, expected, "as user {}", viewer.user_id);
        }
    };
    check(&mut w, &answer(false, Some("not_completed"), None));
    w.complete_lesson(&learner, &course);
    check(&mut w, &answer(false, Some("not_completed"), None));
    w.take_quiz(&learner, &course, 100.0);
    check(&mut w, &answer(true, None, None));
    let rating = w.rate(&learner, course.id, 3);
    check(
        &mut w,
        &answer(false, Some("already_rated"), Some(rating.id)),
    );
    w.delete(&learner.who, course.id, rating.id).unwrap();
    check(&mut w, &answer(true, None, None));

    // Nobody else learns anything about the enrollment.
    for outsider in [cast.outsider, cast.other_instructor, cast.student.who] {
        expect_not_found(can_rate(&mut w.conn, &outsider, learner.enrollment_id));
    }
    expect_not_found(can_rate(
        &mut w.conn,
        &learner.who,
        learner.enrollment_id + 1000,
    ));
}

#[test]
fn can_rate_after_leaving_the_course() {
    let mut w = World::new();
    let cast = w.cast();
    let quitter = w.enrolled(&cast.course);
    cancel_enrollment(&mut w.conn, &quitter.who, &w.clock, quitter.enrollment_id).unwrap();
    let got = can_rate(&mut w.conn, &quitter.who, quitter.enrollment_id).unwrap();
    assert_eq!(got, answer(false, Some("enrollment_cancelled"), None));
    expect_not_completed(w.try_rate(&quitter, cast.course_id(), 4));
}

#[test]
fn a_pending_or_rejected_rating_is_already_a_rating_for_can_rate() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let rating = w.rate(&cast.student, cast.course_id(), 4);
    let expected = answer(false, Some("already_rated"), Some(rating.id));
    let got = can_rate(&mut w.conn, &cast.student.who, cast.student.enrollment_id).unwrap();
    assert_eq!(got, expected);
    w.reject(&cast.instructor, cast.course_id(), rating.id);
    let got = can_rate(&mut w.conn, &cast.student.who, cast.student.enrollment_id).unwrap();
    assert_eq!(got, expected);
}
