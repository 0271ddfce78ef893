//! Enrollments: who may enroll where, one current enrollment per student
//! and course (also under concurrency), the maintained enrollment_count,
//! reading, listing and cancelling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_core::schema::enrollments;
use mdsc_core::{ErrorKind, ManualClock, PageParams};
use mdsc_course::EnrollmentStatus;
use mdsc_course::enrollment::{
    EnrollInput, cancel_enrollment, enroll, get_enrollment, list_my_enrollments,
};
use mdsc_course::is_enrolled;

fn enrollment_rows(w: &mut World, course_id: i32) -> i64 {
    enrollments::table
        .filter(enrollments::course_id.eq(course_id))
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

fn expect_already_enrolled<T: std::fmt::Debug>(result: Result<T, mdsc_core::Error>) {
    expect_err(result, ErrorKind::Conflict, "ALREADY_ENROLLED");
}

#[test]
fn a_student_enrolls_in_a_published_course() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course = w.course(&instructor, "Open course");
    let input = EnrollInput {
        payment_id: Some("pay_123".to_owned()),
        ..enroll_input(course.id)
    };
    let enrollment = enroll(&mut w.conn, &student, &w.clock, input).unwrap();
    assert_eq!(enrollment.user_id, student.user_id);
    assert_eq!(enrollment.course_id, course.id);
    assert_eq!(enrollment.status, EnrollmentStatus::Active);
    assert_eq!(enrollment.progress_percentage, 0.0);
    assert_eq!(enrollment.payment_id.as_deref(), Some("pay_123"));
    assert_eq!(
        enrollment.enrolled_at.to_rfc3339(),
        "2026-01-15T10:00:00+00:00"
    );
    assert_eq!(enrollment.completed_at, None);
    let summary = enrollment.course.expect("course summary");
    assert_eq!(
        (summary.id, summary.slug.as_str()),
        (course.id, "open-course")
    );
    assert_eq!(w.enrollment_count(course.id), 1);
    assert!(is_enrolled(&mut w.conn, student.user_id, course.id).unwrap());
}

#[test]
fn an_invalid_payment_id_is_refused() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course = w.course(&instructor, "Paid course");
    let input = EnrollInput {
        payment_id: Some(String::new()),
        ..enroll_input(course.id)
    };
    expect_invalid_field(enroll(&mut w.conn, &student, &w.clock, input), "payment_id");
    // A reference is one line.
    let input = EnrollInput {
        payment_id: Some("pay_123\nforged: yes".to_owned()),
        ..enroll_input(course.id)
    };
    expect_invalid_field(enroll(&mut w.conn, &student, &w.clock, input), "payment_id");
    assert_eq!(enrollment_rows(&mut w, course.id), 0);
}

#[test]
fn a_second_enrollment_is_a_conflict() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course = w.course(&instructor, "Course");
    w.enroll(&student, course.id);
    expect_already_enrolled(w.try_enroll(&student, course.id));
    assert_eq!(enrollment_rows(&mut w, course.id), 1);
    assert_eq!(w.enrollment_count(course.id), 1);
}

#[test]
fn concurrent_enrollments_of_one_student_leave_exactly_one() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course_id = w.course(&instructor, "Crowded").id;
    let results = race(&w.db.pool(), 8, move |_, conn| {
        let clock = ManualClock::starting_at(START);
        enroll(conn, &student, &clock, enroll_input(course_id))
    });
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1, "exactly one enrollment succeeds");
    for result in failed {
        expect_already_enrolled(result);
    }
    assert_eq!(enrollment_rows(&mut w, course_id), 1);
    assert_eq!(w.enrollment_count(course_id), 1);
}

#[test]
fn concurrent_enrollments_of_many_students_are_all_counted() {
    let mut w = World::new();
    let instructor = w.instructor();
    let students: Vec<_> = (0..8).map(|_| w.student()).collect();
    let course_id = w.course(&instructor, "Popular").id;
    let results = race(&w.db.pool(), students.len(), move |i, conn| {
        let clock = ManualClock::starting_at(START);
        enroll(conn, &students[i], &clock, enroll_input(course_id))
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(enrollment_rows(&mut w, course_id), 8);
    assert_eq!(w.enrollment_count(course_id), 8);
}

#[test]
fn an_instructor_cannot_enroll_in_their_own_course() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let course = w.course(&instructor, "Mine");
    let draft = w.draft(&instructor, "My draft");
    for course_id in [course.id, draft.id] {
        expect_err(
            w.try_enroll(&instructor, course_id),
            ErrorKind::Conflict,
            "OWN_COURSE",
        );
    }
    assert_eq!(enrollment_rows(&mut w, course.id), 0);
    // Another instructor may take the course as a student.
    let enrollment = w.enroll(&other_instructor, course.id);
    assert_eq!(enrollment.user_id, other_instructor.user_id);
}

#[test]
fn an_unpublished_or_missing_course_cannot_be_enrolled_in() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let student = w.student();
    let draft = w.draft(&instructor, "Draft");
    for actor in [&student, &other_instructor] {
        expect_not_found(w.try_enroll(actor, draft.id));
        expect_not_found(w.try_enroll(actor, 999_999));
    }
    assert_eq!(enrollment_rows(&mut w, draft.id), 0);
    assert_eq!(w.enrollment_count(draft.id), 0);
}

#[test]
fn enrollment_count_follows_enrollments_and_cancellations() {
    let mut w = World::new();
    let instructor = w.instructor();
    let alice = w.student();
    let bob = w.student();
    let course = w.course(&instructor, "Counted");
    let alice_enrollment = w.enroll(&alice, course.id);
    w.enroll(&bob, course.id);
    assert_eq!(w.enrollment_count(course.id), 2);

    cancel_enrollment(&mut w.conn, &alice, &w.clock, alice_enrollment.id).unwrap();
    assert_eq!(w.enrollment_count(course.id), 1);

    w.enroll(&alice, course.id);
    assert_eq!(w.enrollment_count(course.id), 2);
    let shown = mdsc_course::course::get_course(&mut w.conn, None, &course.slug).unwrap();
    assert_eq!(shown.enrollment_count, 2);
}

#[test]
fn another_users_enrollment_is_not_found_but_course_staff_read_it() {
    let mut w = World::new();
    let cast = w.cast();
    for outsider in cast.outsiders() {
        expect_not_found(get_enrollment(&mut w.conn, &outsider, cast.enrollment_id));
    }
    for reader in [cast.enrolled, cast.instructor, cast.admin] {
        let enrollment = get_enrollment(&mut w.conn, &reader, cast.enrollment_id).unwrap();
        assert_eq!(enrollment.id, cast.enrollment_id);
        assert_eq!(enrollment.user_id, cast.enrolled.user_id);
    }
    expect_not_found(get_enrollment(&mut w.conn, &cast.admin, 999_999));
}

#[test]
fn a_cancelled_student_may_enroll_again() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course = w.course(&instructor, "Second chance");
    let first = w.enroll(&student, course.id);

    w.clock.advance(Duration::days(1));
    let cancelled = cancel_enrollment(&mut w.conn, &student, &w.clock, first.id).unwrap();
    assert_eq!(cancelled.status, EnrollmentStatus::Cancelled);
    assert!(!is_enrolled(&mut w.conn, student.user_id, course.id).unwrap());
    expect_err(
        cancel_enrollment(&mut w.conn, &student, &w.clock, first.id),
        ErrorKind::Conflict,
        "ENROLLMENT_CANCELLED",
    );

    w.clock.advance(Duration::days(1));
    let second = w.enroll(&student, course.id);
    assert_ne!(second.id, first.id);
    assert_eq!(second.status, EnrollmentStatus::Active);
    assert_eq!(second.enrolled_at.to_rfc3339(), "2026-01-17T10:00:00+00:00");
    assert!(is_enrolled(&mut w.conn, student.user_id, course.id).unwrap());

    let mine = list_my_enrollments(&mut w.conn, &student, PageParams::default()).unwrap();
    let listed: Vec<_> = mine.data.iter().map(|e| (e.id, e.status)).collect();
    assert_eq!(
        listed,
        [
            (second.id, EnrollmentStatus::Active),
            (first.id, EnrollmentStatus::Cancelled)
        ]
    );
    assert_eq!(mine.pagination.total, 2);
}

#[test]
fn only_the_student_cancels_their_enrollment() {
    let mut w = World::new();
    let cast = w.cast();
    expect_only_the_student(&mut w, &cast, |w, actor| {
        cancel_enrollment(&mut w.conn, actor, &w.clock, cast.enrollment_id)
    });
    let still = get_enrollment(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert_eq!(still.status, EnrollmentStatus::Active);
    assert_eq!(w.enrollment_count(cast.course_id), 1);
}

#[test]
fn a_completed_enrollment_cannot_be_cancelled() {
    let mut w = World::new();
    let cast = w.cast();
    let done = w.finish(&cast);
    assert_eq!(done.status, EnrollmentStatus::Completed);
    expect_err(
        cancel_enrollment(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id),
        ErrorKind::Conflict,
        "ENROLLMENT_COMPLETED",
    );
    let still = get_enrollment(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert_eq!(still.status, EnrollmentStatus::Completed);
    assert_eq!(w.enrollment_count(cast.course_id), 1);
}

#[test]
fn my_enrollments_are_mine_only_newest_first_and_paginated() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let someone_else = w.student();
    let mut ids = Vec::new();
    for n in 1..=3 {
        let course = w.course(&instructor, &format!("Course {n}"));
        ids.push(w.enroll(&student, course.id).id);
        w.enroll(&someone_else, course.id);
        w.clock.advance(Duration::hours(1));
    }
    let page = |page| PageParams {
        page: Some(page),
        limit: Some(2),
    };
    let first = list_my_enrollments(&mut w.conn, &student, page(1)).unwrap();
    let listed: Vec<_> = first.data.iter().map(|e| e.id).collect();
    assert_eq!(listed, [ids[2], ids[1]]);
    assert!(first.data.iter().all(|e| e.user_id == student.user_id));
    assert_eq!(
        first.data[0].course.as_ref().map(|c| c.title.as_str()),
        Some("Course 3")
    );
    assert_eq!(
        (first.pagination.total, first.pagination.total_pages),
        (3, 2)
    );
    let second = list_my_enrollments(&mut w.conn, &student, page(2)).unwrap();
    let listed: Vec<_> = second.data.iter().map(|e| e.id).collect();
    assert_eq!(listed, [ids[0]]);
}

#[test]

fn concurrent_cancellations_decrement_the_count_once() {
    let mut w = World::new();
    let cast = w.cast();
    let (student, enrollment_id) = (cast.enrolled, cast.enrollment_id);
    let results = race(&w.db.pool(), 8, move |_, conn| {
        let clock = ManualClock::starting_at(START);
        cancel_enrollment(conn, &student, &clock, enrollment_id)
    });
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1, "exactly one cancellation succeeds");
    for result in failed {
        expect_err(result, ErrorKind::Conflict, "ENROLLMENT_CANCELLED");
    }
    assert_eq!(w.enrollment_count(cast.course_id), 0);
}
