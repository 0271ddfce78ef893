//! Scheduling, reading, changing and deleting sessions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::HashSet;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_live::SessionStatus;
use mdsc_live::lifecycle::end_session;
use mdsc_live::session::{
    SessionListQuery, UpdateSessionInput, delete_session, list_course_sessions, update_session,
};

fn update(
    w: &mut World,
    who: &mdsc_auth::Principal,
    id: i32,
    input: UpdateSessionInput,
) -> Result<mdsc_live::LiveSession, mdsc_core::Error> {
    update_session(&mut w.conn, who, &w.clock, &w.settings, id, input)
}

#[test]
fn a_scheduled_session_has_a_secure_room_its_course_and_instructor() {
    let mut w = World::new();
    let cast = w.cast(0);
    let a = w.schedule(&cast, None);
    let b = w.schedule(&cast, Some(30));
    for s in [&a, &b] {
        let prefix = format!("mdsc-course-{}-session-{}-", cast.course_id, s.id);
        let suffix = s
            .jitsi_room_name
            .strip_prefix(&prefix)
            .expect("room pattern");
        assert_eq!(suffix.len(), 32, "128 bits in hex");
        assert!(suffix.chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_ne!(a.jitsi_room_name, b.jitsi_room_name);
    assert_eq!(a.jitsi_server_url, "https://meet.jit.si");
    assert_eq!(a.max_participants, 100);
    assert_eq!(b.max_participants, 30);
    assert!(a.recording_enabled);
    assert_eq!(a.status, SessionStatus::Scheduled);
    assert_eq!(a.instructor_id, cast.instructor.user_id);
    assert_eq!(a.course.as_ref().unwrap().id, cast.course_id);
    assert_eq!(a.instructor.as_ref().unwrap().id, cast.instructor.user_id);
    assert_eq!(a.participant_count, 0);
    assert!(!a.is_participant);
}

#[test]
fn an_admin_schedules_for_the_course_instructor() {
    let mut w = World::new();
    let cast = w.cast(0);
    let input = session_input(w.now() + Duration::hours(2), Duration::hours(1));
    let session = w.try_schedule(&cast.admin, cast.course_id, input).unwrap();
    assert_eq!(session.instructor_id, cast.instructor.user_id);
}

#[test]
fn invalid_input_names_its_field() {
    let mut w = World::new();
    let cast = w.cast(0);
    let now = w.now();
    let good = || session_input(now + Duration::hours(1), Duration::hours(1));
    let cases = [
        (
            mdsc_live::session::CreateSessionInput {
                title: String::new(),
                ..good()
            },
            "title",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                title: "x".repeat(256),
                ..good()
            },
            "title",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                title: "  ".to_owned(),
                ..good()
            },
            "title",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                title: "bell\u{7}".to_owned(),
                ..good()
            },
            "title",
        ),
        // A title is one line.
        (
            mdsc_live::session::CreateSessionInput {
                title: "Cours\r\n2".to_owned(),
                ..good()
            },
            "title",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                description: Some("échap\u{1b}[2J".to_owned()),
                ..good()
            },
            "description",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                scheduled_end_time: good().scheduled_start_time,
                ..good()
            },
            "scheduled_end_time",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                scheduled_end_time: at(now + Duration::minutes(30)),
                ..good()
            },
            "scheduled_end_time",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                max_participants: Some(0),
                ..good()
            },
            "max_participants",
        ),
        (
            mdsc_live::session::CreateSessionInput {
                max_participants: Some(101),
                ..good()
            },
            "max_participants",
        ),
        (
            session_input(now - Duration::hours(3), Duration::hours(1)),
            "scheduled_end_time",
        ),
        (
            session_input(now + Duration::hours(1), Duration::hours(13)),
            "scheduled_end_time",
        ),
    ];
    for (input, field) in cases {
        expect_invalid_field(
            w.try_schedule(&cast.instructor, cast.course_id, input),
            field,
        );
    }
    assert_eq!(
        w.try_schedule(&cast.instructor, cast.course_id, good())
            .unwrap()
            .title,
        "Introduction à React"
    );
    assert_eq!(
        w.try_schedule(
            &cast.instructor,
            cast.course_id,
            mdsc_live::session::CreateSessionInput {
                title: "x".repeat(255),
                max_participants: Some(100),
                ..good()
            }
        )
        .unwrap()
        .max_participants,
        100
    );
}

#[test]
fn the_participant_cap_is_configurable() {
    let mut w = World::new();
    w.settings.max_participants_cap = 500;
    let cast = w.cast(0);
    assert_eq!(w.schedule(&cast, Some(500)).max_participants, 500);
    assert_eq!(w.schedule(&cast, None).max_participants, 100);
    w.settings.max_participants_cap = 20;
    assert_eq!(w.schedule(&cast, None).max_participants, 20);
    let input = mdsc_live::session::CreateSessionInput {
        max_participants: Some(21),
        ..session_input(w.now() + Duration::hours(1), Duration::hours(1))
    };
    expect_invalid_field(
        w.try_schedule(&cast.instructor, cast.course_id, input),
        "max_participants",
    );
}

#[test]
fn who_may_schedule() {
    let mut w = World::new();
    let cast = w.cast(1);
    let input = || session_input(w_now(), Duration::hours(1));
    fn w_now() -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str("2026-01-15 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap()
    }
    for who in [cast.student(), cast.other_instructor, cast.outsider] {
        expect_err(
            w.try_schedule(&who, cast.course_id, input()),
            ErrorKind::Forbidden,
            "FORBIDDEN",
        );
    }
    expect_err(
        w.try_schedule(&cast.instructor, cast.course_id + 999, input()),
        ErrorKind::NotFound,
        "NOT_FOUND",
    );
    assert!(
        w.try_schedule(&cast.instructor, cast.course_id, input())
            .is_ok()
    );
}

#[test]
fn members_list_a_course_sessions_in_order_outsiders_do_not() {
    let mut w = World::new();
    let cast = w.cast(1);
    let now = w.now();
    let later = w
        .try_schedule(
            &cast.instructor,
            cast.course_id,
            session_input(now + Duration::days(2), Duration::hours(1)),
        )
        .unwrap();
    let sooner = w
        .try_schedule(
            &cast.instructor,
            cast.course_id,
            session_input(now + Duration::days(1), Duration::hours(1)),
        )
        .unwrap();
    for who in [cast.student(), cast.instructor, cast.admin] {
        let ids: Vec<i32> = list_course_sessions(
            &mut w.conn,
            &who,
            cast.course_id,
            SessionListQuery::default(),
        )
        .unwrap()
        .data
        .iter()
        .map(|s| s.id)
        .collect();
        assert_eq!(ids, vec![sooner.id, later.id]);
    }
    let window = SessionListQuery {
        from: Some(at(now + Duration::days(2))),
        ..SessionListQuery::default()
    };
    let ids: Vec<i32> = list_course_sessions(&mut w.conn, &cast.student(), cast.course_id, window)
        .unwrap()
        .data
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, vec![later.id]);
    for who in [cast.outsider, cast.other_instructor] {
        expect_err(
            list_course_sessions(
                &mut w.conn,
                &who,
                cast.course_id,
                SessionListQuery::default(),
            ),
            ErrorKind::Forbidden,
            "NOT_ENROLLED",
        );
        expect_err(w.get(&who, sooner.id), ErrorKind::Forbidden, "NOT_ENROLLED");
    }
}

#[test]
fn moving_a_session_bumps_its_revision_and_only_while_scheduled() {
    let mut w = World::new();
    let cast = w.cast(0);
    let session = w.schedule(&cast, None);
    let new_start = w.now() + Duration::hours(3);
    let moved = update(
        &mut w,
        &cast.instructor,
        session.id,
        UpdateSessionInput {
            scheduled_start_time: Some(at(new_start)),
            scheduled_end_time: Some(at(new_start + Duration::hours(1))),
            ..UpdateSessionInput::default()
        },
    )
    .unwrap();
    assert_eq!(moved.scheduled_start_time, new_start.and_utc());
    assert_eq!(moved.revision, session.revision + 1);
    // The same values again are no change.
    let same = update(
        &mut w,
        &cast.instructor,
        session.id,
        UpdateSessionInput {
            scheduled_start_time: Some(at(new_start)),
            ..UpdateSessionInput::default()
        },
    )
    .unwrap();
    assert_eq!(same.revision, moved.revision);
    // Ending before the (unchanged) start is refused.
    expect_invalid_field(
        update(
            &mut w,
            &cast.instructor,
            session.id,
            UpdateSessionInput {
                scheduled_end_time: Some(at(new_start - Duration::minutes(1))),
                ..UpdateSessionInput::default()
            },
        ),
        "scheduled_end_time",
    );

    let live = w.live_session(&cast, None);
    let far = w.now() + Duration::hours(5);
    expect_conflict(
        update(
            &mut w,
            &cast.instructor,
            live.id,
            UpdateSessionInput {
                scheduled_end_time: Some(at(far)),
                ..UpdateSessionInput::default()
            },
        ),
        "SESSION_NOT_SCHEDULED",
    );
    // A new title is fine at any time.
    let renamed = update(
        &mut w,
        &cast.instructor,
        live.id,
        UpdateSessionInput {
            title: Some("Hooks, part 2".to_owned()),
            ..UpdateSessionInput::default()
        },
    )
    .unwrap();
    assert_eq!(renamed.title, "Hooks, part 2");
    assert_eq!(renamed.revision, live.revision + 1);
    for who in [cast.other_instructor, cast.outsider] {
        expect_err(
            update(&mut w, &who, live.id, UpdateSessionInput::default()),
            ErrorKind::Forbidden,
            "FORBIDDEN",
        );
    }
}

#[test]
fn capacity_never_drops_below_the_students_admitted() {
    let mut w = World::new();
    let cast = w.cast(3);
    let session = w.live_session(&cast, Some(5));
    for s in cast.students.clone() {
        w.join(&s, session.id).unwrap();
    }
    let set = |max| UpdateSessionInput {
        max_participants: Some(max),
        ..UpdateSessionInput::default()
    };
    expect_invalid_field(
        update(&mut w, &cast.instructor, session.id, set(2)),
        "max_participants",
    );
    assert_eq!(
        update(&mut w, &cast.instructor, session.id, set(3))
            .unwrap()
            .max_participants,
        3
    );
}

#[test]
fn a_recording_is_attached_after_the_end_when_enabled() {
    let mut w = World::new();
    let cast = w.cast(0);
    let session = w.live_session(&cast, None);
    let url = || UpdateSessionInput {
        recording_url: Some("https://recordings.example.org/rec.mp4".to_owned()),
        ..UpdateSessionInput::default()
    };
    expect_conflict(
        update(&mut w, &cast.instructor, session.id, url()),
        "SESSION_NOT_ENDED",
    );
    end_session(&mut w.conn, &cast.instructor, &w.clock, session.id).unwrap();
    let with = update(&mut w, &cast.instructor, session.id, url()).unwrap();
    assert_eq!(
        with.recording_url.as_deref(),
        Some("https://recordings.example.org/rec.mp4")
    );
    expect_invalid_field(
        update(
            &mut w,
            &cast.instructor,
            session.id,
            UpdateSessionInput {
                recording_url: Some("not a url".to_owned()),
                ..UpdateSessionInput::default()
            },
        ),
        "recording_url",
    );

    let input = mdsc_live::session::CreateSessionInput {
        recording_enabled: Some(false),
        ..session_input(w.now() + Duration::hours(1), Duration::hours(1))
    };
    let unrecorded = w
        .try_schedule(&cast.instructor, cast.course_id, input)
        .unwrap();
    assert!(!unrecorded.recording_enabled);
    expect_conflict(
        update(&mut w, &cast.instructor, unrecorded.id, url()),
        "RECORDING_DISABLED",
    );
}

#[test]
fn delete_only_what_nobody_attended() {
    let mut w = World::new();
    let cast = w.cast(1);
    let unattended = w.schedule(&cast, None);
    expect_err(
        delete_session(&mut w.conn, &cast.student(), unattended.id),
        ErrorKind::Forbidden,
        "FORBIDDEN",
    );
    delete_session(&mut w.conn, &cast.admin, unattended.id).unwrap();
    expect_err(
        w.get(&cast.instructor, unattended.id),
        ErrorKind::NotFound,
        "NOT_FOUND",
    );

    let attended = w.live_session(&cast, None);
    w.join(&cast.student(), attended.id).unwrap();
    expect_conflict(
        delete_session(&mut w.conn, &cast.instructor, attended.id),
        "SESSION_LIVE",
    );
    end_session(&mut w.conn, &cast.instructor, &w.clock, attended.id).unwrap();
    expect_conflict(
        delete_session(&mut w.conn, &cast.instructor, attended.id),
        "SESSION_ATTENDED",
    );
    assert_eq!(
        w.get(&cast.instructor, attended.id).unwrap().status,
        SessionStatus::Ended
    );
}

#[test]
fn room_names_stay_unique_over_many_sessions() {
    let mut w = World::new();
    let cast = w.cast(0);
    let names: HashSet<String> = (0..40)
        .map(|_| w.schedule(&cast, None).jitsi_room_name)
        .collect();
    assert_eq!(names.len(), 40);
}
