//! The access helpers every feature crate reuses: staff, enrollment and
//! membership checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_course::{
    CourseAccess, EnrollmentStatus, enrollment_of, find_course, is_course_staff, is_enrolled,
    is_staff_of, require_course_member, require_course_staff,
};

fn expect_not_enrolled<T: std::fmt::Debug>(result: Result<T, mdsc_core::Error>) {
    expect_err(result, ErrorKind::Forbidden, "NOT_ENROLLED");
}

#[test]
fn course_staff_are_its_instructor_and_every_admin() {
    let mut w = World::new();
    let cast = w.cast();
    let course = find_course(&mut w.conn, cast.course_id).unwrap();
    for staff in cast.staff() {
        assert!(is_course_staff(&mut w.conn, &staff, cast.course_id).unwrap());
        assert!(is_staff_of(&staff, &course));
        let row = require_course_staff(&mut w.conn, &staff, cast.course_id).unwrap();
        assert_eq!(row.id, cast.course_id);
    }
    for other in [cast.enrolled, cast.outsider, cast.other_instructor] {
        assert!(!is_course_staff(&mut w.conn, &other, cast.course_id).unwrap());
        assert!(!is_staff_of(&other, &course));
        expect_forbidden(require_course_staff(&mut w.conn, &other, cast.course_id));
    }
}

#[test]
fn a_missing_course_is_not_found_whoever_asks() {
    let mut w = World::new();
    let cast = w.cast();
    for actor in [cast.admin, cast.instructor, cast.enrolled] {
        expect_not_found(is_course_staff(&mut w.conn, &actor, 999_999));
        expect_not_found(require_course_member(&mut w.conn, &actor, 999_999));
        expect_not_found(require_course_staff(&mut w.conn, &actor, 999_999));
    }
    expect_not_found(find_course(&mut w.conn, 999_999));
    // Enrollment lookups answer "no" rather than failing.
    assert!(!is_enrolled(&mut w.conn, cast.enrolled.user_id, 999_999).unwrap());
    assert!(
        enrollment_of(&mut w.conn, cast.enrolled.user_id, 999_999)
            .unwrap()
            .is_none()
    );
}

#[test]
fn enrollment_lookups_see_current_enrollments_only() {
    let mut w = World::new();
    let cast = w.cast();
    let row = enrollment_of(&mut w.conn, cast.enrolled.user_id, cast.course_id)
        .unwrap()
        .expect("current enrollment");
    assert_eq!(row.id, cast.enrollment_id);
    assert_eq!(row.status(), EnrollmentStatus::Active);
    assert!(is_enrolled(&mut w.conn, cast.enrolled.user_id, cast.course_id).unwrap());
    for other in [cast.outsider, cast.instructor, cast.admin] {
        assert!(!is_enrolled(&mut w.conn, other.user_id, cast.course_id).unwrap());
        assert!(
            enrollment_of(&mut w.conn, other.user_id, cast.course_id)
                .unwrap()
                .is_none()
        );
    }

    // A completed enrollment still counts.
    w.finish(&cast);
    let completed = enrollment_of(&mut w.conn, cast.enrolled.user_id, cast.course_id)
        .unwrap()
        .expect("completed enrollment");
    assert_eq!(completed.status(), EnrollmentStatus::Completed);
    assert!(completed.is_current());
}

#[test]
fn a_cancelled_enrollment_is_not_an_enrollment() {
    let mut w = World::new();
    let cast = w.cast();
    cancel_enrollment(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    assert!(!is_enrolled(&mut w.conn, cast.enrolled.user_id, cast.course_id).unwrap());
    assert!(
        enrollment_of(&mut w.conn, cast.enrolled.user_id, cast.course_id)
            .unwrap()
            .is_none()
    );
    expect_not_enrolled(require_course_member(
        &mut w.conn,
        &cast.enrolled,
        cast.course_id,
    ));
}

#[test]
fn course_members_are_staff_and_enrolled_students() {
    let mut w = World::new();
    let cast = w.cast();
    for staff in cast.staff() {
        let access = require_course_member(&mut w.conn, &staff, cast.course_id).unwrap();
        assert!(access.is_staff());
    }
    match require_course_member(&mut w.conn, &cast.enrolled, cast.course_id).unwrap() {
        CourseAccess::Enrolled(row) => {
            assert_eq!(row.id, cast.enrollment_id);
            assert_eq!(row.user_id, cast.enrolled.user_id);
        }
        CourseAccess::Staff => panic!("a student is not staff"),
    }
    for outsider in cast.outsiders() {
        expect_not_enrolled(require_course_member(
            &mut w.conn,
            &outsider,
            cast.course_id,
        ));
    }
    // Enrolled in another course of the same instructor is not enough.
    let other_course = w.course(&cast.instructor, "Another course");
    expect_not_enrolled(require_course_member(
        &mut w.conn,
        &cast.enrolled,
        other_course.id,
    ));
}

#[test]
fn a_draft_is_not_found_by_those_it_is_hidden_from() {
    let mut w = World::new();
    let cast = w.cast();
    let draft = w.draft(&cast.instructor, "Brouillon");
    for outsider in cast.outsiders() {
        expect_not_found(require_course_member(&mut w.conn, &outsider, draft.id));
    }
    for staff in cast.staff() {
        assert!(matches!(
            require_course_member(&mut w.conn, &staff, draft.id).unwrap(),
            CourseAccess::Staff
        ));
    }
    // A published course says why: the outsider is not enrolled.
    expect_not_enrolled(require_course_member(
        &mut w.conn,
        &cast.outsider,
        cast.course_id,
    ));
}
