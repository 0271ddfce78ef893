//! Join and leave: attendance summed over every cycle, closed by the end of
//! the session; who may join when.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_core::{ErrorKind, PageParams};
use mdsc_live::attendance::list_participants;
use mdsc_live::lifecycle::end_session;

#[test]
fn attendance_adds_up_every_join_and_leave_cycle() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let student = cast.student();

    w.join(&student, session.id).unwrap();
    w.clock.advance(Duration::minutes(20));
    let first = w.leave(&student, session.id).unwrap();
    assert_eq!(first.attendance_duration, Some(20));
    assert!(!first.is_present);

    w.clock.advance(Duration::minutes(10));
    w.join(&student, session.id).unwrap();
    w.clock.advance(Duration::seconds(15 * 60 + 40));
    let second = w.leave(&student, session.id).unwrap();
    // 20 min + 15 min 40 s: whole minutes of the total.
    assert_eq!(second.attendance_duration, Some(35));
    assert_eq!(
        second.joined_at.unwrap(),
        (w.now() - Duration::seconds(15 * 60 + 40)).and_utc()
    );
    assert_eq!(second.left_at.unwrap(), w.now().and_utc());
    // The first admission stays.
    assert_eq!(second.enrolled_at, first.enrolled_at);
}

#[test]
fn short_cycles_add_up_instead_of_rounding_to_zero() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let student = cast.student();
    for _ in 0..3 {
        w.join(&student, session.id).unwrap();
        w.clock.advance(Duration::seconds(40));
        w.leave(&student, session.id).unwrap();
    }
    let participant = w.leave(&student, session.id).unwrap();
    assert_eq!(participant.attendance_duration, Some(2), "3 × 40 s = 2 min");
}

#[test]
fn leaving_twice_changes_nothing_and_leaving_unjoined_is_refused() {
    let mut w = World::new();
    let cast = w.cast(2);
    let session = w.live_session(&cast, None);
    w.join(&cast.students[0], session.id).unwrap();
    w.clock.advance(Duration::minutes(7));
    let once = w.leave(&cast.students[0], session.id).unwrap();
    w.clock.advance(Duration::minutes(30));
    let twice = w.leave(&cast.students[0], session.id).unwrap();
    assert_eq!(once.attendance_duration, Some(7));
    assert_eq!(twice.attendance_duration, Some(7));
    assert_eq!(twice.left_at, once.left_at);
    expect_conflict(w.leave(&cast.students[1], session.id), "NOT_A_PARTICIPANT");
}

#[test]
fn ending_the_session_closes_every_open_attendance() {
    let mut w = World::new();
    let cast = w.cast(2);
    let session = w.live_session(&cast, None);
    w.join(&cast.students[0], session.id).unwrap();
    w.join(&cast.instructor, session.id).unwrap();
    w.clock.advance(Duration::minutes(10));
    w.join(&cast.students[1], session.id).unwrap();
    w.clock.advance(Duration::minutes(50));
    let ended = end_session(&mut w.conn, &cast.instructor, &w.clock, session.id).unwrap();
    assert_eq!(ended.actual_end_time.unwrap(), w.now().and_utc());

    let list = list_participants(
        &mut w.conn,
        &cast.instructor,
        session.id,
        PageParams::default(),
    )
    .unwrap()
    .data;
    let minutes: Vec<(i32, Option<i32>, bool)> = list
        .iter()
        .map(|p| (p.user_id, p.attendance_duration, p.is_present))
        .collect();
    assert_eq!(
        minutes,
        vec![
            (cast.students[0].user_id, Some(60), false),
            (cast.instructor.user_id, Some(60), false),
            (cast.students[1].user_id, Some(50), false),
        ]
    );
    assert!(list.iter().all(|p| p.left_at == Some(w.now().and_utc())));
    assert!(list[1].is_instructor && !list[0].is_instructor);
    expect_conflict(w.join(&cast.students[0], session.id), "SESSION_ENDED");
}

#[test]
fn students_join_only_while_live_staff_from_fifteen_minutes_before() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.schedule(&cast, None);
    let start = session.scheduled_start_time.naive_utc();

    w.clock.set(start - Duration::minutes(16));
    expect_conflict(w.join(&cast.instructor, session.id), "SESSION_NOT_OPEN");
    expect_conflict(w.join(&cast.admin, session.id), "SESSION_NOT_OPEN");
    w.clock.set(start - Duration::minutes(15));
    let staff = w.join(&cast.instructor, session.id).unwrap();
    assert!(staff.is_instructor);
    assert!(w.join(&cast.admin, session.id).unwrap().is_instructor);

    // Even at the scheduled start, students wait for the instructor.
    w.clock.set(start);
    expect_conflict(w.join(&cast.student(), session.id), "SESSION_NOT_LIVE");
    mdsc_live::lifecycle::start_session(&mut w.conn, &cast.instructor, &w.clock, session.id)
        .unwrap();
    let student = w.join(&cast.student(), session.id).unwrap();
    assert!(!student.is_instructor);
}

#[test]
fn outsiders_and_other_instructors_cannot_join_and_missing_sessions_are_404() {
    let mut w = World::new();
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    expect_err(
        w.join(&cast.outsider, session.id),
        ErrorKind::Forbidden,
        "NOT_ENROLLED",
    );
    expect_err(
        w.join(&cast.other_instructor, session.id),
        ErrorKind::Forbidden,
        "NOT_ENROLLED",
    );
    expect_err(
        w.join(&cast.student(), session.id + 1000),
        ErrorKind::NotFound,
        "NOT_FOUND",
    );
    assert_eq!(w.counted_and_recounted(session.id), (0, 0));
}

#[test]
fn is_participant_and_the_participant_list() {
    let mut w = World::new();
    let cast = w.cast(2);
    let session = w.live_session(&cast, None);
    assert!(!w.get(&cast.students[0], session.id).unwrap().is_participant);
    w.join(&cast.students[0], session.id).unwrap();
    assert!(w.get(&cast.students[0], session.id).unwrap().is_participant);
    assert!(!w.get(&cast.students[1], session.id).unwrap().is_participant);

    let list = list_participants(&mut w.conn, &cast.admin, session.id, PageParams::default())
        .unwrap()
        .data;
    assert_eq!(list.len(), 1);
    let user = list[0].user.as_ref().unwrap();
    assert_eq!(user.id, cast.students[0].user_id);
    assert!(list[0].is_present);
    assert_eq!(list[0].attendance_duration, None);
    for who in [cast.students[0], cast.other_instructor] {
        expect_err(
            list_participants(&mut w.conn, &who, session.id, PageParams::default()),
            ErrorKind::Forbidden,
            "FORBIDDEN",
        );
    }
}
