//! The participant limit holds under real concurrent connections.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_live::attendance::join_session;

#[test]
fn fifty_concurrent_joins_on_a_limit_of_ten_admit_exactly_ten() {
    let mut w = World::new();
    let cast = w.cast(50);
    let session = w.live_session(&cast, Some(10));
    let students = cast.students.clone();
    let now = w.now();
    let settings = w.settings.clone();
    let session_id = session.id;
    let results = race(&w.db, 50, move |i, conn| {
        let clock = mdsc_core::ManualClock::new(now);
        join_session(conn, &students[i], &clock, &settings, session_id)
    });
    let admitted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(admitted, 10);
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(refused.kind, ErrorKind::Conflict, "{refused}");
        assert_eq!(refused.code, "SESSION_FULL", "{refused}");
    }
    assert_eq!(w.counted_and_recounted(session.id), (10, 10));
    assert_eq!(
        w.get(&cast.instructor, session.id)
            .unwrap()
            .participant_count,
        10
    );
}

#[test]
fn one_student_joining_from_many_tabs_at_once_counts_once() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.live_session(&cast, Some(5));
    let student = cast.student();
    let now = w.now();
    let settings = w.settings.clone();
    let session_id = session.id;
    let results = race(&w.db, 8, move |_, conn| {
        let clock = mdsc_core::ManualClock::new(now);
        join_session(conn, &student, &clock, &settings, session_id)
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(w.counted_and_recounted(session.id), (1, 1));
}

#[test]
fn admitted_students_come_back_to_a_full_session_and_staff_do_not_count() {
    let mut w = World::new();
    let cast = w.cast(3);
    let session = w.live_session(&cast, Some(2));
    w.join(&cast.students[0], session.id).unwrap();
    w.join(&cast.students[1], session.id).unwrap();
    expect_conflict(w.join(&cast.students[2], session.id), "SESSION_FULL");

    w.clock.advance(Duration::minutes(5));
    w.leave(&cast.students[0], session.id).unwrap();
    // Leaving frees no seat: the seat is the student's for the session.
    expect_conflict(w.join(&cast.students[2], session.id), "SESSION_FULL");
    w.join(&cast.students[0], session.id).unwrap();

    w.join(&cast.instructor, session.id).unwrap();
    w.join(&cast.admin, session.id).unwrap();
    assert_eq!(w.counted_and_recounted(session.id), (2, 2));
}
