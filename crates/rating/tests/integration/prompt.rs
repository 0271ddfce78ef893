//! The rating step of the certificate flow: `has_rated`, when the prompt
//! shows, "later", and that rating never withholds the certificate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_auth::Principal;
use mdsc_core::Error;
use mdsc_course::CertificateStatus;
use mdsc_course::certificate::issue_certificate;
use mdsc_rating::prompt::{certificate_status, dismiss_prompt};

fn status(w: &mut World, who: &Principal, enrollment_id: i32) -> Result<CertificateStatus, Error> {
    certificate_status(&mut w.conn, who, &w.clock, &w.settings, enrollment_id)
}

fn dismiss(w: &mut World, who: &Principal, enrollment_id: i32) -> Result<CertificateStatus, Error> {
    dismiss_prompt(&mut w.conn, who, &w.clock, &w.settings, enrollment_id)
}

/// (eligible, has_rated, should_prompt_rating)
fn flags(s: &CertificateStatus) -> (bool, bool, bool) {
    (s.eligible, s.has_rated, s.should_prompt_rating)
}

fn learner_flags(w: &mut World, learner: &Learner) -> (bool, bool, bool) {
    flags(&status(w, &learner.who, learner.enrollment_id).unwrap())
}

#[test]
fn the_prompt_shows_once_the_course_is_complete_and_until_rated() {
    let mut w = World::new();
    let cast = w.cast();
    let course = cast.course;
    let learner = w.enrolled(&course);
    assert_eq!(learner_flags(&mut w, &learner), (false, false, false));
    w.complete_lesson(&learner, &course);
    assert_eq!(learner_flags(&mut w, &learner), (false, false, false));
    w.take_quiz(&learner, &course, 100.0);
    assert_eq!(learner_flags(&mut w, &learner), (true, false, true));

    let rating = w.rate(&learner, course.id, 4);
    assert_eq!(learner_flags(&mut w, &learner), (true, true, false));
    // Admins read the same status; the course's instructor sees the
    // certificate side only (the rating fields stay false for them).
    let seen = status(&mut w, &cast.admin, learner.enrollment_id).unwrap();
    assert_eq!(flags(&seen), (true, true, false));
    let seen = status(&mut w, &cast.instructor, learner.enrollment_id).unwrap();
    assert_eq!(flags(&seen), (true, false, false));
    // Without the rating, the prompt is back.
    w.delete(&learner.who, course.id, rating.id).unwrap();
    assert_eq!(learner_flags(&mut w, &learner), (true, false, true));
}

#[test]
fn a_rating_awaiting_moderation_counts_as_rated() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    w.rate(&cast.student, cast.course_id(), 2);
    assert_eq!(learner_flags(&mut w, &cast.student), (true, true, false));
}

#[test]
fn later_puts_the_prompt_off_for_the_configured_delay() {
    let mut w = World::new();
    w.settings.prompt_delay = Duration::hours(2);
    let cast = w.cast();
    let student = cast.student;
    let answer = dismiss(&mut w, &student.who, student.enrollment_id).unwrap();
    assert_eq!(flags(&answer), (true, false, false));
    assert_eq!(learner_flags(&mut w, &student), (true, false, false));

    w.clock.advance(Duration::hours(2) - Duration::seconds(1));
    assert_eq!(learner_flags(&mut w, &student), (true, false, false));
    w.clock.advance(Duration::seconds(1));
    assert_eq!(
        learner_flags(&mut w, &student),
        (true, false, true),
        "the delay is over"
    );

    // "Later" again starts a new delay from now.
    w.clock.advance(Duration::days(3));
    dismiss(&mut w, &student.who, student.enrollment_id).unwrap();
    w.clock.advance(Duration::hours(1));
    assert_eq!(learner_flags(&mut w, &student), (true, false, false));
    w.clock.advance(Duration::hours(1));
    assert_eq!(learner_flags(&mut w, &student), (true, false, true));
}

#[test]
fn the_default_delay_is_three_days() {
    let mut w = World::new();
    let cast = w.cast();
    let student = cast.student;
    assert_eq!(w.settings.prompt_delay, Duration::hours(72));
    dismiss(&mut w, &student.who, student.enrollment_id).unwrap();
    w.clock.advance(Duration::hours(71));
    assert_eq!(learner_flags(&mut w, &student), (true, false, false));
    w.clock.advance(Duration::hours(1));
    assert_eq!(learner_flags(&mut w, &student), (true, false, true));
}

#[test]
fn a_dismissal_concerns_only_its_enrollment() {
    let mut w = World::new();
    let cast = w.cast();
    let other = w.course(&cast.instructor, "Advanced Rust");
    let second = w.complete_as(&cast.student.who, &other);
    dismiss(&mut w, &cast.student.who, cast.student.enrollment_id).unwrap();
    assert_eq!(learner_flags(&mut w, &cast.student), (true, false, false));
    assert_eq!(learner_flags(&mut w, &second), (true, false, true));
}

#[test]
fn only_the_student_says_later() {
    let mut w = World::new();
    let cast = w.cast();
    let enrollment_id = cast.student.enrollment_id;
    for staff in cast.staff() {
        expect_forbidden(dismiss(&mut w, &staff, enrollment_id));
    }
    for outsider in cast.outsiders() {
        expect_not_found(dismiss(&mut w, &outsider, enrollment_id));
        expect_not_found(status(&mut w, &outsider, enrollment_id));
    }
    expect_not_found(dismiss(&mut w, &cast.student.who, enrollment_id + 1000));
    // Nothing was put off.
    assert_eq!(learner_flags(&mut w, &cast.student), (true, false, true));
}

#[test]
fn saying_later_before_completion_keeps_the_prompt_off_after_it() {
    let mut w = World::new();
    let cast = w.cast();
    let learner = w.enrolled(&cast.course);
    let answer = dismiss(&mut w, &learner.who, learner.enrollment_id).unwrap();
    assert_eq!(flags(&answer), (false, false, false));
    w.finish(&learner, &cast.course);
    assert_eq!(learner_flags(&mut w, &learner), (true, false, false));
    w.clock.advance(w.settings.prompt_delay);
    assert_eq!(learner_flags(&mut w, &learner), (true, false, true));
}

#[test]
fn the_certificate_never_waits_for_a_rating() {
    let mut w = World::new();
    let cast = w.cast();
    let student = cast.student;
    assert_eq!(learner_flags(&mut w, &student), (true, false, true));
    let certificate =
        issue_certificate(&mut w.conn, &student.who, &w.clock, student.enrollment_id).unwrap();
    assert_eq!(certificate.enrollment_id, student.enrollment_id);
    let after = status(&mut w, &student.who, student.enrollment_id).unwrap();
    assert_eq!(
        after.certificate.as_ref().map(|c| c.id),
        Some(certificate.id)
    );
    // Still invited to rate, but with the certificate in hand.
    assert_eq!(flags(&after), (true, false, true));
    // Rating afterwards changes nothing about the certificate.
    w.rate(&student, cast.course_id(), 5);
    let rated = status(&mut w, &student.who, student.enrollment_id).unwrap();
    assert_eq!(flags(&rated), (true, true, false));
    assert_eq!(
        rated.certificate.map(|c| c.verification_code),
        Some(certificate.verification_code)
    );
    assert_eq!(w.rating_rows(cast.course_id()), 1);
}

#[test]
fn saying_later_twice_at_once_is_fine() {
    let mut w = World::new();
    let cast = w.cast();
    let settings = w.settings;
    // The first "later" of an enrollment is the racy one: a few enrollments.
    for round in 0..5 {
        let student = w.completed(&cast.course);
        let results = race(&w.db.pool(), 8, move |_, conn| {
            dismiss_prompt(
                conn,
                &student.who,
                &thread_clock(),
                &settings,
                student.enrollment_id,
            )
        });
        for result in results {
            let answer = result.unwrap_or_else(|e| {
                panic!("round {round}: a double click on \"later\" failed: {e}")
            });
            assert_eq!(flags(&answer), (true, false, false));
        }
        assert_eq!(learner_flags(&mut w, &student), (true, false, false));
    }
}
