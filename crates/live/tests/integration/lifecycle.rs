//! `scheduled → live → ended`, `scheduled → cancelled`, nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_live::SessionStatus;
use mdsc_live::lifecycle::{end_session, start_session};
use mdsc_live::session::{UpdateSessionInput, update_session};

fn cancel(w: &mut World, cast: &Cast, id: i32) -> Result<mdsc_live::LiveSession, mdsc_core::Error> {
    update_session(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        &w.settings,
        id,
        UpdateSessionInput {
            status: Some(SessionStatus::Cancelled),
            ..UpdateSessionInput::default()
        },
    )
}

#[test]
fn start_from_fifteen_minutes_before_then_end() {
    let mut w = World::new();
    let cast = w.cast(0);
    let session = w.schedule(&cast, None);
    let start = session.scheduled_start_time.naive_utc();
    assert_eq!(session.status, SessionStatus::Scheduled);
    assert_eq!(session.actual_start_time, None);

    w.clock.set(start - Duration::minutes(16));
    expect_conflict(
        start_session(&mut w.conn, &cast.instructor, &w.clock, session.id),
        "SESSION_NOT_OPEN",
    );
    w.clock.set(start - Duration::minutes(15));
    let live = start_session(&mut w.conn, &cast.admin, &w.clock, session.id).unwrap();
    assert_eq!(live.status, SessionStatus::Live);
    assert_eq!(live.actual_start_time.unwrap(), w.now().and_utc());
    assert!(live.revision > session.revision);

    w.clock.advance(Duration::minutes(80));
    let ended = end_session(&mut w.conn, &cast.instructor, &w.clock, session.id).unwrap();
    assert_eq!(ended.status, SessionStatus::Ended);
    assert_eq!(ended.actual_end_time.unwrap(), w.now().and_utc());
    assert_eq!(ended.actual_start_time, live.actual_start_time);
}

#[test]
fn every_other_move_is_a_conflict() {
    let mut w = World::new();
    let cast = w.cast(0);
    let scheduled = w.schedule(&cast, None);
    w.go_to_start(&scheduled);
    expect_conflict(
        end_session(&mut w.conn, &cast.instructor, &w.clock, scheduled.id),
        "INVALID_STATUS_TRANSITION",
    );

    let live = w.live_session(&cast, None);
    expect_conflict(
        start_session(&mut w.conn, &cast.instructor, &w.clock, live.id),
        "INVALID_STATUS_TRANSITION",
    );
    expect_conflict(cancel(&mut w, &cast, live.id), "INVALID_STATUS_TRANSITION");
    for to in [SessionStatus::Scheduled, SessionStatus::Ended] {
        let result = update_session(
            &mut w.conn,
            &cast.instructor,
            &w.clock,
            &w.settings,
            live.id,
            UpdateSessionInput {
                status: Some(to),
                ..UpdateSessionInput::default()
            },
        );
        expect_conflict(result, "INVALID_STATUS_TRANSITION");
    }

    end_session(&mut w.conn, &cast.instructor, &w.clock, live.id).unwrap();
    expect_conflict(
        start_session(&mut w.conn, &cast.instructor, &w.clock, live.id),
        "INVALID_STATUS_TRANSITION",
    );
    expect_conflict(
        end_session(&mut w.conn, &cast.instructor, &w.clock, live.id),
        "INVALID_STATUS_TRANSITION",
    );
}

#[test]
fn a_cancelled_session_cannot_start_or_be_joined() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.schedule(&cast, None);
    let cancelled = cancel(&mut w, &cast, session.id).unwrap();
    assert_eq!(cancelled.status, SessionStatus::Cancelled);
    assert!(cancelled.revision > session.revision);
    // Cancelling again is no move at all.
    assert_eq!(
        cancel(&mut w, &cast, session.id).unwrap().revision,
        cancelled.revision
    );

    w.go_to_start(&session);
    expect_conflict(
        start_session(&mut w.conn, &cast.instructor, &w.clock, session.id),
        "INVALID_STATUS_TRANSITION",
    );
    expect_conflict(w.join(&cast.instructor, session.id), "SESSION_CANCELLED");
    expect_conflict(w.join(&cast.student(), session.id), "SESSION_CANCELLED");
}

#[test]
fn only_the_course_staff_start_and_end() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.schedule(&cast, None);
    w.go_to_start(&session);
    for who in [cast.student(), cast.other_instructor] {
        expect_err(
            start_session(&mut w.conn, &who, &w.clock, session.id),
            ErrorKind::Forbidden,
            "FORBIDDEN",
        );
    }
    start_session(&mut w.conn, &cast.instructor, &w.clock, session.id).unwrap();
    for who in [cast.student(), cast.other_instructor, cast.outsider] {
        expect_err(
            end_session(&mut w.conn, &who, &w.clock, session.id),
            ErrorKind::Forbidden,
            "FORBIDDEN",
        );
    }
    assert_eq!(
        w.get(&cast.instructor, session.id).unwrap().status,
        SessionStatus::Live
    );
}
