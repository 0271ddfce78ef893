//! Certificates: issued once per completed enrollment, to its student only,
//! verifiable by anyone with the code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_core::schema::certificates;
use mdsc_core::{ErrorKind, ManualClock};
use mdsc_course::certificate::{certificate_status, issue_certificate, verify_certificate};

fn certificate_rows(w: &mut World) -> i64 {
    certificates::table
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

fn is_code(code: &str) -> bool {
    code.len() == 32
        && code
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[test]
fn no_certificate_before_the_course_is_completed() {
    let mut w = World::new();
    let cast = w.cast();
    // Two of three items done: 66.67 %.
    for lesson_id in cast.lesson_ids.clone() {
        w.complete(&cast.enrolled, cast.enrollment_id, lesson_id)
            .unwrap();
    }
    expect_err(
        issue_certificate(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id),
        ErrorKind::Conflict,
        "COURSE_NOT_COMPLETED",
    );
    assert_eq!(certificate_rows(&mut w), 0);
    let status = certificate_status(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert!(!status.eligible);
    assert!(status.certificate.is_none());
}

#[test]
fn a_completed_enrollment_gets_one_certificate_however_often_it_asks() {
    let mut w = World::new();
    let cast = w.cast();
    w.finish(&cast);
    w.clock.advance(Duration::days(2));
    let first =
        issue_certificate(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    assert!(
        is_code(&first.verification_code),
        "{}",
        first.verification_code
    );
    assert_eq!(first.enrollment_id, cast.enrollment_id);
    assert_eq!(first.user_id, cast.enrolled.user_id);
    assert_eq!(first.student.id, cast.enrolled.user_id);
    assert_eq!(first.course_id, cast.course_id);
    assert_eq!(first.course.title, "Rust for beginners");
    assert_eq!(first.issued_at.to_rfc3339(), "2026-01-17T10:00:00+00:00");

    w.clock.advance(Duration::days(30));
    let again =
        issue_certificate(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.verification_code, first.verification_code);
    assert_eq!(again.issued_at, first.issued_at);
    assert_eq!(certificate_rows(&mut w), 1);
}

#[test]
fn every_certificate_has_its_own_code() {
    let mut w = World::new();
    let cast = w.cast();
    w.finish(&cast);
    let second_id = w.enroll(&cast.outsider, cast.course_id).id;
    w.finish_as(&cast, &cast.outsider, second_id);
    let a = issue_certificate(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    let b = issue_certificate(&mut w.conn, &cast.outsider, &w.clock, second_id).unwrap();
    assert_ne!(a.id, b.id);
    assert_ne!(a.verification_code, b.verification_code);
    assert!(is_code(&b.verification_code));
}

#[test]
fn only_the_student_issues_the_certificate() {
    let mut w = World::new();
    let cast = w.cast();
    w.finish(&cast);
    expect_only_the_student(&mut w, &cast, |w, actor| {
        issue_certificate(&mut w.conn, actor, &w.clock, cast.enrollment_id)
    });
    assert_eq!(certificate_rows(&mut w), 0);
}

#[test]
fn anyone_verifies_a_certificate_by_its_code_in_any_case() {
    let mut w = World::new();
    let cast = w.cast();
    w.finish(&cast);
    let certificate =
        issue_certificate(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();

    let typed = format!("  {}  ", certificate.verification_code.to_uppercase());
    let verified = verify_certificate(&mut w.conn, &typed).unwrap();
    assert!(verified.valid);
    assert_eq!(verified.verification_code, certificate.verification_code);
    assert_eq!(verified.issued_at, certificate.issued_at);
    assert_eq!(verified.student.id, cast.enrolled.user_id);
    assert_eq!(verified.student.first_name, certificate.student.first_name);
    assert_eq!(verified.course.id, cast.course_id);
    assert_eq!(verified.course.slug, "rust-for-beginners");

    expect_not_found(verify_certificate(
        &mut w.conn,
        "0123456789abcdef0123456789abcdef",
    ));
    expect_not_found(verify_certificate(&mut w.conn, ""));
}

#[test]
fn certificate_status_reports_eligibility_and_the_certificate() {
    let mut w = World::new();
    let cast = w.cast();
    let before = certificate_status(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert!(!before.eligible);
    assert!(!before.has_rated && !before.should_prompt_rating);

    w.finish(&cast);
    let eligible = certificate_status(&mut w.conn, &cast.enrolled, cast.enrollment_id).unwrap();
    assert!(eligible.eligible);
    assert!(eligible.certificate.is_none(), "not issued yet");

    let issued =
        issue_certificate(&mut w.conn, &cast.enrolled, &w.clock, cast.enrollment_id).unwrap();
    for reader in [cast.enrolled, cast.instructor, cast.admin] {
        let status = certificate_status(&mut w.conn, &reader, cast.enrollment_id).unwrap();
        assert!(status.eligible);
        let shown = status.certificate.expect("certificate");
        assert_eq!(shown.id, issued.id);
        assert_eq!(shown.verification_code, issued.verification_code);
    }
    for outsider in cast.outsiders() {
        expect_not_found(certificate_status(
            &mut w.conn,
            &outsider,
            cast.enrollment_id,
        ));
    }
}

#[test]

fn issuing_concurrently_returns_one_certificate() {
    let mut w = World::new();
    let cast = w.cast();
    w.finish(&cast);
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    let results = race(&w.db.pool(), 8, move |_, conn| {
        let clock = ManualClock::starting_at(START);
        issue_certificate(conn, &student, &clock, id)
    });
    let codes: Vec<String> = results
        .into_iter()
        .map(|r| r.unwrap().verification_code)
        .collect();
    assert!(codes.iter().all(|c| c == &codes[0]), "{codes:?}");
    assert_eq!(certificate_rows(&mut w), 1);
}
