//! JaaS webhooks feed attendance once per delivery, in the events' own
//! order, and never count the same time twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::NaiveDateTime;
use common::*;
use mdsc_live::webhook::{JaasEvent, handle_jaas_event};
use serde_json::json;

const SECRET: &str = "webhook-secret-webhook-secret";

fn event(key: &str, kind: &str, at: NaiveDateTime, room: &str, user_id: i32) -> JaasEvent {
    JaasEvent {
        idempotency_key: key.to_owned(),
        event_type: kind.to_owned(),
        timestamp: at.and_utc().timestamp_millis(),
        fqn: Some(format!("vpaas-magic-cookie-abc/{room}")),
        data: json!({"id": user_id.to_string(), "name": "Student"}),
    }
}

fn send(w: &mut World, e: JaasEvent) -> mdsc_live::recording::HookOutcome {
    handle_jaas_event(&mut w.conn, &w.clock, &w.settings, Some(SECRET), e).unwrap()
}

fn minutes(w: &mut World, cast: &Cast, session_id: i32) -> Option<i32> {
    mdsc_live::attendance::list_participants(&mut w.conn, &cast.instructor, session_id).unwrap()[0]
        .attendance_duration
}

#[test]
fn a_late_join_event_after_the_leave_counts_nothing_twice() {
    let mut w = World::new();
    w.settings.webhook_secret = Some(SECRET.to_owned());
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
    w.settings.webhook_secret = Some(SECRET.to_owned());
    let cast = w.cast(1);
    let session = w.live_session(&cast, None);
    let room = session.jitsi_room_name.clone();
    let student = cast.student();
    let t0 = w.now();
    w.join(&student, session.id).unwrap();
    w.leave(&student, session.id).unwrap();

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
    w.settings.webhook_secret = Some(SECRET.to_owned());
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
    let list = mdsc_live::attendance::list_participants(&mut w.conn, &cast.instructor, session.id)
        .unwrap();
    assert!(!list[0].is_present);
    assert_eq!(list[0].attendance_duration, Some(45));
}
