//! What happens to students when staff change a course under them: progress
//! follows added and removed content, and unpublishing hides the course from
//! newcomers but not from its enrolled students.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_course::EnrollmentStatus;
use mdsc_course::course::{CourseUpdate, delete_course, get_course, update_course};
use mdsc_course::enrollment::{cancel_enrollment, get_enrollment};
use mdsc_course::structure::{delete_lesson, delete_quiz, get_structure};

fn progress_of(w: &mut World, cast: &Cast) -> (f64, EnrollmentStatus) {
    let e = get_enrollment(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    (e.progress_percentage, e.status)
}

#[test]
fn progress_follows_added_and_removed_content() {
    let mut w = World::new();
    let cast = w.cast();
    w.complete(&cast.enrolled, cast.enrollment_id, cast.lesson_ids[0])
        .unwrap();
    assert_eq!(progress_of(&mut w, &cast).0, 33.33);

    let extra = w.lesson(&cast.instructor, cast.module_id, "Extra");
    assert_eq!(
        progress_of(&mut w, &cast).0,
        25.0,
        "1 of 4 after a lesson is added"
    );
    let extra_quiz = w.quiz(&cast.instructor, cast.module_id, "Extra quiz");
    assert_eq!(
        progress_of(&mut w, &cast).0,
        20.0,
        "1 of 5 after a quiz is added"
    );

    delete_lesson(&mut w.conn, &cast.instructor, &w.clock, extra.id).unwrap();
    delete_quiz(&mut w.conn, &cast.instructor, &w.clock, extra_quiz.id).unwrap();
    assert_eq!(progress_of(&mut w, &cast).0, 33.33);
}

#[test]
fn removing_the_last_missing_item_completes_the_enrollment() {
    let mut w = World::new();
    let cast = w.cast();
    for lesson_id in cast.lesson_ids.clone() {
        w.complete(&cast.enrolled, cast.enrollment_id, lesson_id)
            .unwrap();
    }
    assert_eq!(
        progress_of(&mut w, &cast),
        (66.67, EnrollmentStatus::Active)
    );
    delete_quiz(&mut w.conn, &cast.instructor, &w.clock, cast.quiz_id).unwrap();
    assert_eq!(
        progress_of(&mut w, &cast),
        (100.0, EnrollmentStatus::Completed)
    );
}

#[test]
fn a_completed_enrollment_stays_completed_when_content_is_added() {
    let mut w = World::new();
    let cast = w.cast();
    w.finish(&cast);
    w.lesson(&cast.instructor, cast.module_id, "Bonus");
    assert_eq!(
        progress_of(&mut w, &cast),
        (100.0, EnrollmentStatus::Completed)
    );
}

#[test]
fn an_unpublished_course_stays_visible_to_its_enrolled_students_only() {
    let mut w = World::new();
    let cast = w.cast();
    let unpublish = CourseUpdate {
        is_published: Some(false),
        ..CourseUpdate::default()
    };
    update_course(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        cast.course_id,
        unpublish,
    )
    .unwrap();

    let id = cast.course_id.to_string();
    assert!(get_course(&mut w.conn, Some(&cast.enrolled), &id).is_ok());
    let structure = get_structure(&mut w.conn, Some(&cast.enrolled), cast.course_id).unwrap();
    assert_eq!(structure.total_lessons, 2);
    for outsider in [Some(&cast.outsider), Some(&cast.other_instructor), None] {
        expect_not_found(get_course(&mut w.conn, outsider, &id));
        expect_not_found(get_structure(&mut w.conn, outsider, cast.course_id));
    }
    let newcomer = w.student();
    expect_not_found(w.try_enroll(&newcomer, cast.course_id));
}

#[test]
fn staff_actions_on_a_hidden_draft_are_404_not_403() {
    let mut w = World::new();
    let cast = w.cast();
    let draft = w.draft(&cast.instructor, "Brouillon");
    let change = CourseUpdate {
        level: Some("advanced".into()),
        ..CourseUpdate::default()
    };
    // The draft does not exist for another instructor: no 403 that would reveal it.
    expect_not_found(update_course(
        &mut w.conn,
        &cast.other_instructor,
        &w.clock,
        draft.id,
        change.clone(),
    ));
    expect_not_found(delete_course(&mut w.conn, &cast.other_instructor, draft.id));
    // A published course is visible: there the answer is 403.
    let err = update_course(
        &mut w.conn,
        &cast.other_instructor,
        &w.clock,
        cast.course_id,
        change,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
}

#[test]
fn a_course_whose_students_all_left_can_be_deleted() {
    let mut w = World::new();
    let cast = w.cast();
    cancel_enrollment(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    delete_course(&mut w.conn, &cast.instructor, cast.course_id).unwrap();
    expect_not_found(get_course(
        &mut w.conn,
        Some(&cast.instructor),
        &cast.course_id.to_string(),
    ));
}
