//! JaaS webhooks feed attendance once per delivery, in the events' own
//! order, and never count the same time twice; events dated outside a
//! window around now are refused; both hooks accept only this app's rooms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::NaiveDateTime;
use common::*;
use mdsc_core::{ErrorKind, PageParams};
use mdsc_live::recording::{RecordingHookInput, report_recording};
use mdsc_live::settings::JitsiProvider;
use mdsc_live::webhook::{JaasEvent, handle_jaas_event};
use serde_json::json;

const SECRET: &str = "webhook-secret-webhook-secret";
const APP_ID: &str = "vpaas-magic-cookie-abc";

/// JaaS as the provider (app `APP_ID`), with the hooks' secret.
fn with_hooks(w: &mut World) {
    w.settings.provider = JitsiProvider::Jaas {
        app_id: APP_ID.to_owned(),
        key_id: "test-key".to_owned(),
        private_key_pem: include_str!("../fixtures/jaas_test_private.pem").to_owned(),
    };
    w.settings.webhook_secret = Some(SECRET.to_owned());
}

fn event(key: &str, kind: &str, at: NaiveDateTime, room: &str, user_id: i32) -> JaasEvent {
    JaasEvent {
        idempotency_key: key.to_owned(),
        event_type: kind.to_owned(),
        timestamp: at.and_utc().timestamp_millis(),
        fqn: Some(format!("{APP_ID}/{room}")),
        data: json!({"id": user_id.to_string(), "name": "Student"}),
    }
}

fn send(w: &mut World, e: JaasEvent) -> mdsc_live::recording::HookOutcome {
    handle_jaas_event(&mut w.conn, &w.clock, &w.settings, Some(SECRET), e).unwrap()
}

fn minutes(w: &mut World, cast: &Cast, session_id: i32) -> Option<i32> {
    mdsc_live::attendance::list_participants(
        &mut w.conn,
        &cast.instructor,
        session_id,
        PageParams::default(),
    )
    .unwrap()
    .data[0]
        .attendance_duration
}

#[test]
fn a_late_join_event_after_the_leave_counts_nothing_twice() {
    let mut w = World::new();
    with_hooks(&mut w);
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let student = cast.student();
    let t0 = w.now();
    w.join(&student, session.id).unwrap();
    w.clock.advance(Duration::minutes(30));
    w.leave(&student, session.id).unwrap();
    assert_eq!(minutes(&mut w, &cast, session.id), Some(30));

    // Jitsi's own join (a few seconds after the API call) arrives late.
    let late = send(
        &mut w,
        event(
            "k1",
            "PARTICIPANT_JOINED",
            t0 + Duration::seconds(5),
            &room,
            student.user_id,
        ),
    );
    assert!(late.applied);
    let left = send(
        &mut w,
        event(
            "k2",
            "PARTICIPANT_LEFT",
            t0 + Duration::minutes(30),
            &room,
            student.user_id,
        ),
    );
    assert!(left.applied);
    assert_eq!(minutes(&mut w, &cast, session.id), Some(30), "not 60");
}

#[test]
fn deliveries_apply_once_and_older_events_are_ignored() {
    let mut w = World::new();
    with_hooks(&mut w);
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let student = cast.student();
    let t0 = w.now();
    w.join(&student, session.id).unwrap();
    w.leave(&student, session.id).unwrap();
    // Jitsi reports later: every event below is in the past.
    w.clock.advance(Duration::minutes(30));

    let joined = event(
        "a",
        "PARTICIPANT_JOINED",
        t0 + Duration::minutes(1),
        &room,
        student.user_id,
    );
    assert!(send(&mut w, joined.clone()).applied);
    let again = send(&mut w, joined);
    assert!(!again.applied);
    assert_eq!(again.reason.as_deref(), Some("duplicate delivery"));

    let left = event(
        "b",
        "PARTICIPANT_LEFT",
        t0 + Duration::minutes(21),
        &room,
        student.user_id,
    );
    assert!(send(&mut w, left).applied);
    assert_eq!(minutes(&mut w, &cast, session.id), Some(20));

    // An older leave arriving now changes nothing.
    let stale = send(
        &mut w,
        event(
            "c",
            "PARTICIPANT_LEFT",
            t0 + Duration::minutes(11),
            &room,
            student.user_id,
        ),
    );
    assert_eq!(stale.reason.as_deref(), Some("older event"));
    assert_eq!(minutes(&mut w, &cast, session.id), Some(20));

    let stranger = send(
        &mut w,
        event("d", "PARTICIPANT_JOINED", t0, &room, cast.outsider.user_id),
    );
    assert!(!stranger.applied);
    let unknown_room = send(
        &mut w,
        event("e", "PARTICIPANT_JOINED", t0, "nope", student.user_id),
    );
    assert_eq!(unknown_room.reason.as_deref(), Some("unknown room"));
}

#[test]
fn no_join_event_reopens_an_ended_session() {
    let mut w = World::new();
    with_hooks(&mut w);
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let student = cast.student();
    w.join(&student, session.id).unwrap();
    w.clock.advance(Duration::minutes(45));
    mdsc_live::lifecycle::end_session(&mut w.conn, &cast.instructor, &w.clock, session.id).unwrap();
    let after_end = w.now() + Duration::minutes(1);
    send(
        &mut w,
        event("z", "PARTICIPANT_JOINED", after_end, &room, student.user_id),
    );
    let list = mdsc_live::attendance::list_participants(
        &mut w.conn,
        &cast.instructor,
        session.id,
        PageParams::default(),
    )
    .unwrap()
    .data;
    assert!(!list[0].is_present);
    assert_eq!(list[0].attendance_duration, Some(45));
}

#[test]
fn events_dated_outside_the_window_are_refused_and_freeze_nothing() {
    let mut w = World::new();
    with_hooks(&mut w);
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let student = cast.student();
    w.join(&student, session.id).unwrap();
    let now = w.now();
    // Year 10000: once "newer" than every real event, it froze attendance.
    let far = chrono::NaiveDate::from_ymd_opt(10000, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let refused = [
        far,
        now + Duration::minutes(11),
        now - Duration::hours(24) - Duration::seconds(1),
    ];
    for (i, at) in refused.into_iter().enumerate() {
        let e = event(
            &format!("bad-{i}"),
            "PARTICIPANT_JOINED",
            at,
            &room,
            student.user_id,
        );
        let err = expect_err(
            handle_jaas_event(&mut w.conn, &w.clock, &w.settings, Some(SECRET), e),
            ErrorKind::Validation,
            "TIMESTAMP_OUT_OF_RANGE",
        );
        assert_eq!(err.field_errors[0].field, "timestamp");
    }
    // Nothing was recorded: the same key is accepted later.
    let e = event("bad-0", "PARTICIPANT_JOINED", now, &room, student.user_id);
    assert!(send(&mut w, e).applied);
    // Real events keep applying, at the window's edge too.
    let left = event(
        "left",
        "PARTICIPANT_LEFT",
        now + Duration::minutes(10),
        &room,
        student.user_id,
    );
    assert!(send(&mut w, left).applied);
    assert_eq!(minutes(&mut w, &cast, session.id), Some(10));
    w.clock.advance(Duration::minutes(30));
    // Within the window but older than the last event: ignored, not refused.
    let late = event(
        "late",
        "PARTICIPANT_JOINED",
        w.now() - Duration::hours(24) + Duration::minutes(1),
        &room,
        student.user_id,
    );
    assert_eq!(send(&mut w, late).reason.as_deref(), Some("older event"));
}

#[test]
fn a_room_of_another_app_is_no_room_of_ours_for_either_hook() {
    let mut w = World::new();
    with_hooks(&mut w);
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let student = cast.student();
    w.join(&student, session.id).unwrap();
    let now = w.now();

    let mut foreign = event("f", "PARTICIPANT_LEFT", now, &room, student.user_id);
    foreign.fqn = Some(format!("vpaas-magic-cookie-other/{room}"));
    assert_eq!(
        send(&mut w, foreign).reason.as_deref(),
        Some("unknown room")
    );
    let mut nested = event("n", "PARTICIPANT_LEFT", now, &room, student.user_id);
    nested.fqn = Some(format!("{APP_ID}/x/{room}"));
    assert_eq!(send(&mut w, nested).reason.as_deref(), Some("unknown room"));

    let hook = |w: &mut World, room_name: String| {
        report_recording(
            &mut w.conn,
            &w.clock,
            &w.settings,
            Some(SECRET),
            RecordingHookInput {
                room_name,
                recording_url: "https://r.example.org/a.mp4".to_owned(),
            },
        )
    };
    for name in [
        format!("vpaas-magic-cookie-other/{room}"),
        format!("anything/{room}"),
        format!("{APP_ID}/x/{room}"),
    ] {
        expect_err(hook(&mut w, name), ErrorKind::NotFound, "NOT_FOUND");
    }
    assert!(hook(&mut w, format!("{APP_ID}/{room}")).unwrap().applied);
    assert!(hook(&mut w, room.clone()).unwrap().applied);
    // A room name is one line.
    expect_invalid_field(hook(&mut w, format!("{room}\n")), "room_name");

    // Without JaaS, no prefix names a room at all.
    w.settings.provider = mdsc_live::JitsiProvider::Public;
    expect_err(
        hook(&mut w, format!("{APP_ID}/{room}")),
        ErrorKind::NotFound,
        "NOT_FOUND",
    );
}

#[test]
fn an_events_stored_texts_are_one_line_within_their_columns() {
    let mut w = World::new();
    with_hooks(&mut w);
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let now = w.now();
    let student = cast.student().user_id;
    let long_type = "E".repeat(65);
    let cases = [
        ("key\u{1b}[2J", "PARTICIPANT_JOINED", "idempotencyKey"),
        ("key-1", "PARTICIPANT\nJOINED", "eventType"),
        ("key-2", long_type.as_str(), "eventType"),
        ("key-3", "", "eventType"),
    ];
    for (key, kind, field) in cases {
        let e = event(key, kind, now, &room, student);
        expect_invalid_field(
            handle_jaas_event(&mut w.conn, &w.clock, &w.settings, Some(SECRET), e),
            field,
        );
    }
}
