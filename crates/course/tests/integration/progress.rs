//! Progress: lesson completion by the enrolled student, staff grades of
//! quizzes without questions,
//! the percentage they add up to, and completion of the enrollment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_core::schema::{lesson_completions, quiz_attempts};
use mdsc_core::{ErrorKind, ManualClock};
use mdsc_course::EnrollmentStatus;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_course::progress::{complete_lesson, get_progress};

fn completions(w: &mut World, enrollment_id: i32) -> i64 {
    lesson_completions::table
        .filter(lesson_completions::enrollment_id.eq(enrollment_id))
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

fn attempts(w: &mut World, enrollment_id: i32) -> i64 {
    quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq(enrollment_id))
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

/// Asserts that nothing was recorded for the cast's enrollment.
fn assert_no_progress(w: &mut World, cast: &Cast) {
    assert_eq!(completions(w, cast.enrollment_id), 0);
    assert_eq!(attempts(w, cast.enrollment_id), 0);
    let progress = get_progress(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert_eq!(progress.progress_percentage, 0.0);
}

#[test]
fn only_the_enrolled_student_records_progress() {
    let mut w = World::new();
    let cast = w.cast();
    expect_only_the_student(&mut w, &cast, |w, actor| {
        w.complete(actor, cast.enrollment_id, cast.lesson_ids[0])
    });
    assert_no_progress(&mut w, &cast);
}

#[test]
fn only_course_staff_grade_a_quiz_without_questions() {
    let mut w = World::new();
    let cast = w.cast();
    expect_forbidden(w.grade(&cast.enrolled, cast.enrollment_id, cast.quiz_id, 100.0));
    for outsider in cast.outsiders() {
        expect_forbidden(w.grade(&outsider, cast.enrollment_id, cast.quiz_id, 100.0));
    }
    assert_no_progress(&mut w, &cast);
    for staff in cast.staff() {
        let graded = w
            .grade(&staff, cast.enrollment_id, cast.quiz_id, 80.0)
            .unwrap();
        assert_eq!(
            graded.attempt.graded_by,
            Some(staff.user_id),
            "who gave the grade"
        );
        assert_eq!(graded.attempt.score, Some(80.0));
    }
    assert_eq!(
        attempts(&mut w, cast.enrollment_id),
        1,
        "grading again replaces the grade"
    );
}

#[test]
fn progress_is_readable_by_the_student_and_course_staff_only() {
    let mut w = World::new();
    let cast = w.cast();
    w.complete(&cast.enrolled, cast.enrollment_id, cast.lesson_ids[0])
        .unwrap();
    for outsider in cast.outsiders() {
        expect_not_found(get_progress(&mut w.conn, &outsider, cast.enrollment_id));
    }
    for reader in [cast.enrolled, cast.instructor, cast.admin] {
        let progress = get_progress(&mut w.conn, &reader, cast.enrollment_id).unwrap();
        assert_eq!(progress.enrollment_id, cast.enrollment_id);
        assert_eq!(progress.completed_lesson_ids, [cast.lesson_ids[0]]);
        assert_eq!(progress.progress_percentage, 33.33);
        assert_eq!((progress.total_lessons, progress.total_quizzes), (2, 1));
    }
}

#[test]
fn a_lesson_or_quiz_of_another_course_is_not_found() {
    let mut w = World::new();
    let cast = w.cast();
    let other_course = w.course(&cast.instructor, "Another course");
    let other_module = w.module(&cast.instructor, other_course.id, "Elsewhere");
    let foreign_lesson = w.lesson(&cast.instructor, other_module.id, "Foreign lesson");
    let foreign_quiz = w.quiz(&cast.instructor, other_module.id, "Foreign quiz");

    let err = expect_not_found(w.complete(&cast.enrolled, cast.enrollment_id, foreign_lesson.id));
    assert_eq!(err.message, "Lesson not found");
    expect_not_found(w.complete(&cast.enrolled, cast.enrollment_id, 999_999));
    let err =
        expect_not_found(w.grade(&cast.instructor, cast.enrollment_id, foreign_quiz.id, 90.0));
    assert_eq!(err.message, "Quiz not found");
    expect_not_found(w.grade(&cast.instructor, cast.enrollment_id, 999_999, 90.0));
    assert_no_progress(&mut w, &cast);
}

#[test]
fn completing_a_lesson_twice_is_idempotent() {
    let mut w = World::new();
    let cast = w.cast();
    let lesson_id = cast.lesson_ids[0];
    let first = w
        .complete(&cast.enrolled, cast.enrollment_id, lesson_id)
        .unwrap();
    w.clock.advance(Duration::hours(1));
    let second = w
        .complete(&cast.enrolled, cast.enrollment_id, lesson_id)
        .unwrap();
    assert_eq!(first.progress_percentage, 33.33);
    assert_eq!(second.progress_percentage, 33.33);
    assert_eq!(second.status, EnrollmentStatus::Active);
    assert_eq!(completions(&mut w, cast.enrollment_id), 1);
    let progress = get_progress(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert_eq!(progress.completed_lesson_ids, [lesson_id]);
}

#[test]
fn progress_is_the_rounded_share_of_lessons_done_and_quizzes_passed() {
    let mut w = World::new();
    let cast = w.cast();
    let (student, id) = (cast.enrolled, cast.enrollment_id);

    let one = w.complete(&student, id, cast.lesson_ids[0]).unwrap();
    assert_eq!(one.progress_percentage, 33.33, "1 of 3");
    let two = w.complete(&student, id, cast.lesson_ids[1]).unwrap();
    assert_eq!(two.progress_percentage, 66.67, "2 of 3, rounded");
    assert_eq!(two.status, EnrollmentStatus::Active);
    assert_eq!(two.completed_at, None);

    let progress = get_progress(&mut w.conn, &student, id).unwrap();
    assert_eq!(progress.progress_percentage, 66.67);
    assert_eq!(progress.completed_lesson_ids, cast.lesson_ids);
    assert!(progress.passed_quiz_ids.is_empty());
    assert_eq!((progress.total_lessons, progress.total_quizzes), (2, 1));
}

#[test]
fn a_failing_grade_does_not_pass_the_quiz_and_a_new_grade_replaces_it() {
    let mut w = World::new();
    let cast = w.cast();
    let (staff, id) = (cast.instructor, cast.enrollment_id);
    // The quiz's passing score is 60.
    let failed = w.grade(&staff, id, cast.quiz_id, 59.5).unwrap();
    assert!(!failed.attempt.passed);
    assert_eq!(failed.attempt.score, Some(59.5));
    assert_eq!(failed.attempt.quiz_id, cast.quiz_id);
    assert_eq!(failed.enrollment.progress_percentage, 0.0);
    let progress = get_progress(&mut w.conn, &cast.enrolled, id).unwrap();
    assert!(progress.passed_quiz_ids.is_empty());

    let passed = w.grade(&staff, id, cast.quiz_id, 60.0).unwrap();
    assert!(passed.attempt.passed, "the passing score itself passes");
    assert_eq!(
        passed.attempt.id, failed.attempt.id,
        "the staff grade is replaced"
    );
    assert_eq!(passed.enrollment.progress_percentage, 33.33);
    assert_eq!(attempts(&mut w, id), 1);
    let progress = get_progress(&mut w.conn, &cast.enrolled, id).unwrap();
    assert_eq!(progress.passed_quiz_ids, [cast.quiz_id]);

    // A correction downwards takes the pass away from an active enrollment.
    let corrected = w.grade(&staff, id, cast.quiz_id, 10.0).unwrap();
    assert!(!corrected.attempt.passed);
    assert_eq!(corrected.enrollment.progress_percentage, 0.0);
}

#[test]
fn a_score_outside_0_to_100_is_invalid() {
    let mut w = World::new();
    let cast = w.cast();
    for score in [-0.5, 100.01, f64::NAN, f64::INFINITY] {
        expect_invalid_field(
            w.grade(&cast.instructor, cast.enrollment_id, cast.quiz_id, score),
            "score",
        );
    }
    assert_no_progress(&mut w, &cast);
    for score in [0.0, 100.0] {
        assert!(
            w.grade(&cast.instructor, cast.enrollment_id, cast.quiz_id, score)
                .is_ok()
        );
    }
}

#[test]
fn at_100_percent_the_enrollment_is_completed_at_the_clocks_time_once() {
    let mut w = World::new();
    let cast = w.cast();
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    w.complete(&student, id, cast.lesson_ids[0]).unwrap();
    w.grade(&cast.instructor, id, cast.quiz_id, 75.0).unwrap();

    w.clock.advance(Duration::days(3));
    let done = w.complete(&student, id, cast.lesson_ids[1]).unwrap();
    assert_eq!(done.progress_percentage, 100.0);
    assert_eq!(done.status, EnrollmentStatus::Completed);
    let completed_at = done.completed_at.expect("completed_at");
    assert_eq!(completed_at.to_rfc3339(), "2026-01-18T10:00:00+00:00");

    // More activity later does not move the completion date.
    w.clock.advance(Duration::days(5));
    let again = w
        .grade(&cast.instructor, id, cast.quiz_id, 95.0)
        .unwrap()
        .enrollment;
    assert_eq!(again.status, EnrollmentStatus::Completed);
    assert_eq!(again.completed_at, Some(completed_at));
    let again = w.complete(&student, id, cast.lesson_ids[0]).unwrap();
    assert_eq!(again.completed_at, Some(completed_at));
    assert_eq!(again.progress_percentage, 100.0);
    let progress = get_progress(&mut w.conn, &cast.instructor, id).unwrap();
    assert_eq!(progress.completed_at, Some(completed_at));
    assert_eq!(progress.progress_percentage, 100.0);
}

#[test]
fn a_cancelled_enrollment_records_no_progress() {
    let mut w = World::new();
    let cast = w.cast();
    cancel_enrollment(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    expect_err(
        w.complete(&cast.enrolled, cast.enrollment_id, cast.lesson_ids[0]),
        ErrorKind::Conflict,
        "ENROLLMENT_CANCELLED",
    );
    expect_err(
        w.grade(&cast.instructor, cast.enrollment_id, cast.quiz_id, 100.0),
        ErrorKind::Conflict,
        "ENROLLMENT_CANCELLED",
    );
    assert_eq!(completions(&mut w, cast.enrollment_id), 0);
    assert_eq!(attempts(&mut w, cast.enrollment_id), 0);
}

#[test]

fn completing_one_lesson_concurrently_is_idempotent() {
    let mut w = World::new();
    let cast = w.cast();
    let (student, id, lesson_id) = (cast.enrolled, cast.enrollment_id, cast.lesson_ids[0]);
    let results = race(&w.db.pool(), 8, move |_, conn| {
        let clock = ManualClock::starting_at(START);
        complete_lesson(conn, &student, &clock, id, lesson_id)
    });
    for result in results {
        assert_eq!(result.unwrap().progress_percentage, 33.33);
    }
    assert_eq!(completions(&mut w, id), 1);
}

#[test]

fn completing_all_lessons_concurrently_completes_the_enrollment() {
    let mut w = World::new();
    let instructor = w.instructor();
    let student = w.student();
    let course = w.course(&instructor, "Many lessons");
    let module = w.module(&instructor, course.id, "Module");
    let lesson_ids: Vec<i32> = (0..6)
        .map(|n| w.lesson(&instructor, module.id, &format!("Lesson {n}")).id)
        .collect();
    let id = w.enroll(&student, course.id).id;
    let lessons = lesson_ids.clone();
    let results = race(&w.db.pool(), lesson_ids.len(), move |i, conn| {
        let clock = ManualClock::starting_at(START);
        complete_lesson(conn, &student, &clock, id, lessons[i])
    });
    for result in results {
        result.unwrap();
    }
    let progress = get_progress(&mut w.conn, &student, id).unwrap();
    assert_eq!(progress.completed_lesson_ids, lesson_ids);
    assert_eq!(progress.progress_percentage, 100.0);
    assert!(progress.completed_at.is_some());
}
