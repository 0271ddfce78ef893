//! Calendars out of the API: the secret feed of all a student's courses,
//! one enrollment's `.ics` file, and the subscribe links, all read back
//! with the independent `icalendar` parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use common::*;
use mdsc_auth::Role;
use mdsc_core::ErrorKind;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_schedule::feed::{
    FEED_NAME, FileAccess, SyncCalendarInput, enrollment_calendar, get_feed, rotate_feed_token,
    sync_calendar, user_feed,
};
use mdsc_schedule::hooks;

fn feed_of(w: &mut World, token: &str) -> Result<String, mdsc_core::Error> {
    user_feed(&mut w.conn, &w.clock, &w.settings, token)
}

fn sync(
    w: &mut World,
    who: &mdsc_auth::Principal,
    e: i32,
    kind: &str,
) -> Result<mdsc_schedule::CalendarSync, mdsc_core::Error> {
    sync_calendar(
        &mut w.conn,
        who,
        &w.clock,
        &w.settings,
        e,
        SyncCalendarInput {
            calendar_type: kind.to_owned(),
        },
    )
}

/// UIDs a calendar of these enrollments must hold: every dated item that
/// is neither skipped nor cancelled, computed from the stored items.
fn expected_uids(w: &mut World, enrollments: &[i32]) -> BTreeSet<String> {
    let mut uids = BTreeSet::new();
    for &e in enrollments {
        for item in w.items(e) {
            let dated = item.start_time.or(item.due_date).is_some();
            if dated && item.status != "skipped" && item.status != "cancelled" {
                uids.insert(expected_uid(e, &item.item_key));
            }
        }
    }
    uids
}

#[test]
fn the_feed_token_is_a_stable_256_bit_secret_until_rotated() {
    let mut w = World::new();
    let cast = w.cast(2);
    let student = cast.student();
    w.generate(&student, cast.enrollment());

    let first = get_feed(&mut w.conn, &student, &w.clock, &w.settings).unwrap();
    let token = token_of(&first.feed_url);
    assert_eq!(token.len(), 64);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(
        first.webcal_url,
        format!("webcal://api.mdsc.example/api/calendar/feed/{token}.ics")
    );
    w.clock.advance(Duration::hours(3));
    let again = get_feed(&mut w.conn, &student, &w.clock, &w.settings).unwrap();
    assert_eq!(again.feed_url, first.feed_url, "stable across calls");
    assert_eq!(again.created_at, first.created_at);
    let other = w.token(&cast.students[1]);
    assert_ne!(other, token);

    assert!(!parse_calendar(&feed_of(&mut w, &token).unwrap()).is_empty());
    assert!(
        feed_of(&mut w, &format!("{token}.ics")).is_ok(),
        "the URL's .ics suffix"
    );

    let rotated = rotate_feed_token(&mut w.conn, &student, &w.clock, &w.settings).unwrap();
    let new_token = token_of(&rotated.feed_url);
    assert_ne!(new_token, token);
    assert_eq!(new_token.len(), 64);
    assert_eq!(rotated.created_at.naive_utc(), w.now());
    expect_not_found(feed_of(&mut w, &token));
    assert!(feed_of(&mut w, &new_token).is_ok());
    assert_eq!(
        w.token(&student),
        new_token,
        "get_feed now answers the new one"
    );
    assert_eq!(w.token(&cast.students[1]), other, "other users keep theirs");

    let malformed = [
        String::new(),
        "abc".to_owned(),
        "g".repeat(64),
        "0".repeat(64),
        format!("{new_token}0"),
    ];
    for bad in malformed {
        expect_not_found(feed_of(&mut w, &bad));
    }
}

#[test]
fn the_feed_holds_every_course_of_the_student_but_not_cancelled_enrollments() {
    let mut w = World::new();
    let cast = w.cast(2);
    let student = cast.student();
    let session = w.session(&cast, utc("2026-01-21T09:00:00Z"), Duration::hours(1));
    let second = w.course(&cast.instructor, "Planning Rust", 6);
    let third = w.course(&cast.other_instructor, "Planning Go", 4);
    let e1 = cast.enrollment();
    let e2 = w.enroll(&student, second.id);
    let e3 = w.enroll(&student, third.id);
    for e in [e1, e2, e3] {
        w.generate(&student, e);
    }
    w.generate(&cast.students[1], cast.enrollments[1]);
    cancel_enrollment(&mut w.conn, &student, &w.clock, e3).unwrap();

    let feed = w.feed(&student);
    assert_eq!(uids(&feed), expected_uids(&mut w, &[e1, e2]));
    assert_eq!(feed.len(), uids(&feed).len(), "no UID twice");
    assert!(feed.iter().all(|e| !e.uid.contains(&format!(".{e3}@"))));
    assert!(
        feed.iter()
            .all(|e| !e.uid.contains(&format!(".{}@", cast.enrollments[1])))
    );

    // Each event carries its item's times, SEQUENCE, status and alarms.
    for e in [e1, e2] {
        for item in w.items(e) {
            let event = by_uid(&feed, &expected_uid(e, &item.item_key)).unwrap();
            assert_eq!(event.status, "CONFIRMED");
            assert_eq!(i64::from(event.sequence), i64::from(item.sequence));
            match item.item_type.as_str() {
                "milestone" => {
                    let due = item.due_date.unwrap();
                    assert_eq!(naive(event.start), due);
                    assert_eq!(naive(event.end), due + Duration::minutes(15));
                    assert_eq!(event.alarms, 0);
                }
                kind => {
                    assert_eq!(naive(event.start), item.start_time.unwrap(), "{kind}");
                    assert_eq!(naive(event.end), item.end_time.unwrap(), "{kind}");
                    let alarms = if kind == "live_session" { 2 } else { 1 };
                    assert_eq!(event.alarms, alarms, "{kind}");
                }
            }
        }
    }
    let live = by_uid(&feed, &expected_uid(e1, &live_key(session.id))).unwrap();
    assert_eq!(naive(live.start), naive(session.scheduled_start_time));
    // Events are written in time order.
    let starts: Vec<_> = feed.iter().map(|e| e.start).collect();
    assert!(starts.windows(2).all(|pair| pair[0] <= pair[1]));
}

#[test]
fn uids_are_stable_between_renders_and_re_plans() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let token = w.token(&student);
    let first = feed_of(&mut w, &token).unwrap();
    let second = feed_of(&mut w, &token).unwrap();
    assert_eq!(first, second, "identical data, identical bytes");
    let before = parse_calendar(&first);
    let lesson = expected_uid(e, &lesson_key(cast.course.lessons[0]));
    assert!(by_uid(&before, &lesson).is_some());

    w.clock.advance(Duration::days(4));
    w.generate(&student, e);
    let after = parse_calendar(&feed_of(&mut w, &token).unwrap());
    assert_eq!(uids(&after), uids(&before));
    let (old, new) = (
        by_uid(&before, &lesson).unwrap(),
        by_uid(&after, &lesson).unwrap(),
    );
    assert_ne!(old.start, new.start, "the lesson was re-planned");
    assert!(new.sequence > old.sequence, "and its SEQUENCE grew");
    assert!(naive(new.start) >= w.now());
}

#[test]
fn a_cancelled_item_leaves_the_feed_after_fourteen_days() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let key = lesson_key(cast.course.lessons[3]);
    let uid = expected_uid(e, &key);
    hooks::delete_lesson(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        cast.course.lessons[3],
    )
    .unwrap();
    let feed = w.feed(&student);
    assert_eq!(by_uid(&feed, &uid).unwrap().status, "CANCELLED");
    assert!(
        w.get(&student, e)
            .unwrap()
            .calendar_events
            .iter()
            .any(|ev| ev.uid == uid && ev.status == "cancelled")
    );

    // Fourteen days on, it is still there (and survives a re-plan).
    w.clock.advance(Duration::days(14));
    w.generate(&student, e);
    assert!(w.try_item(e, &key).is_some());
    assert_eq!(by_uid(&w.feed(&student), &uid).unwrap().status, "CANCELLED");

    // A minute later it is gone from the feed, then from the database.
    w.clock.advance(Duration::minutes(1));
    let feed = w.feed(&student);
    assert!(by_uid(&feed, &uid).is_none());
    assert!(!feed.is_empty());
    assert!(
        w.get(&student, e)
            .unwrap()
            .calendar_events
            .iter()
            .all(|ev| ev.uid != uid)
    );
    assert!(w.try_item(e, &key).is_some(), "not purged before a re-plan");
    w.generate(&student, e);
    assert!(w.try_item(e, &key).is_none(), "purged");
    assert!(by_uid(&w.feed(&student), &uid).is_none());
}

#[test]
fn an_enrollment_calendar_is_for_its_student_staff_or_the_students_token() {
    let mut w = World::new();
    let cast = w.cast(2);
    let (student, e) = (cast.student(), cast.enrollment());
    let other_e = cast.enrollments[1];
    w.generate(&student, e);
    w.generate(&cast.students[1], other_e);
    let second = w.course(&cast.instructor, "Planning Rust", 6);
    let e2 = w.enroll(&student, second.id);
    w.generate(&student, e2);

    for who in [student, cast.instructor, cast.admin] {
        let raw = enrollment_calendar(
            &mut w.conn,
            FileAccess::Principal(&who),
            &w.clock,
            &w.settings,
            e,
        )
        .unwrap();
        assert_eq!(
            uids(&parse_calendar(&raw)),
            expected_uids(&mut w, &[e]),
            "only this enrollment"
        );
    }
    for stranger in [cast.outsider, cast.other_instructor, cast.students[1]] {
        expect_not_found(enrollment_calendar(
            &mut w.conn,
            FileAccess::Principal(&stranger),
            &w.clock,
            &w.settings,
            e,
        ));
    }

    let token = w.token(&student);
    let other_token = w.token(&cast.students[1]);
    let raw = enrollment_calendar(
        &mut w.conn,
        FileAccess::FeedToken(&token),
        &w.clock,
        &w.settings,
        e,
    )
    .unwrap();
    assert_eq!(uids(&parse_calendar(&raw)), expected_uids(&mut w, &[e]));
    let raw2 = enrollment_calendar(
        &mut w.conn,
        FileAccess::FeedToken(&token),
        &w.clock,
        &w.settings,
        e2,
    )
    .unwrap();
    assert_eq!(uids(&parse_calendar(&raw2)), expected_uids(&mut w, &[e2]));
    for (t, enrollment) in [(&token, other_e), (&other_token, e), (&token, e + 1000)] {
        expect_not_found(enrollment_calendar(
            &mut w.conn,
            FileAccess::FeedToken(t),
            &w.clock,
            &w.settings,
            enrollment,
        ));
    }
    expect_not_found(enrollment_calendar(
        &mut w.conn,
        FileAccess::FeedToken(&"a".repeat(64)),
        &w.clock,
        &w.settings,
        e,
    ));
    // A rotated token no longer opens the file.
    rotate_feed_token(&mut w.conn, &student, &w.clock, &w.settings).unwrap();
    expect_not_found(enrollment_calendar(
        &mut w.conn,
        FileAccess::FeedToken(&token),
        &w.clock,
        &w.settings,
        e,
    ));
}

#[test]
fn sync_links_subscribe_each_calendar_to_the_feed() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    assert_eq!(w.schedule_rows(e), 0);

    let google = sync(&mut w, &student, e, "google").unwrap();
    assert_eq!(w.schedule_rows(e), 1, "the schedule is generated first");
    let token = token_of(&google.feed_url);
    let webcal = format!("webcal://api.mdsc.example/api/calendar/feed/{token}.ics");
    assert_eq!(google.webcal_url, webcal);
    let url = google.sync_url.clone().unwrap();
    assert!(url.starts_with("https://calendar.google.com/"), "{url}");
    assert!(
        url.contains("webcal%3A%2F%2Fapi.mdsc.example%2Fapi%2Fcalendar%2Ffeed%2F"),
        "{url}"
    );
    assert_eq!(query_param(&url, "cid").as_deref(), Some(webcal.as_str()));
    assert!(google.calendar_file.is_none());

    let outlook = sync(&mut w, &student, e, "outlook").unwrap();
    let url = outlook.sync_url.clone().unwrap();
    assert!(url.starts_with("https://outlook.live.com/"), "{url}");
    assert_eq!(
        query_param(&url, "url").as_deref(),
        Some(google.feed_url.as_str())
    );
    assert!(google.feed_url.starts_with("https://"));
    assert!(!url.to_ascii_lowercase().contains("webcal"), "{url}");
    assert_eq!(query_param(&url, "name").as_deref(), Some(FEED_NAME));
    let work = outlook.outlook_work_url.clone().unwrap();
    assert!(work.starts_with("https://outlook.office.com/"), "{work}");
    assert_eq!(
        query_param(&work, "url").as_deref(),
        Some(google.feed_url.as_str())
    );

    let ical = sync(&mut w, &student, e, "ical").unwrap();
    let url = ical.sync_url.clone().unwrap();
    assert!(url.starts_with("webcal://"), "{url}");
    assert_eq!(url, webcal);
    let file = ical.calendar_file.clone().unwrap();
    assert!(
        file.ends_with(&format!("/schedule.ics?token={token}")),
        "{file}"
    );
    assert_eq!(
        file,
        format!("https://api.mdsc.example/api/enrollments/{e}/schedule.ics?token={token}")
    );
    // The same feed every time; the file link's token opens the file.
    assert_eq!(outlook.feed_url, google.feed_url);
    assert_eq!(ical.feed_url, google.feed_url);
    let raw = enrollment_calendar(
        &mut w.conn,
        FileAccess::FeedToken(&token),
        &w.clock,
        &w.settings,
        e,
    )
    .unwrap();
    assert!(!parse_calendar(&raw).is_empty());
    assert_eq!(w.schedule_rows(e), 1, "not generated twice");

    expect_invalid_field(sync(&mut w, &student, e, "yahoo"), "calendar_type");
    expect_invalid_field(sync(&mut w, &student, e, ""), "calendar_type");
    for staff in [cast.instructor, cast.admin] {
        expect_forbidden(sync(&mut w, &staff, e, "google"));
    }
    expect_not_found(sync(&mut w, &cast.outsider, e, "google"));
    expect_not_found(sync(&mut w, &student, e + 1000, "google"));
    let other = w.user(Role::Student);
    expect_not_found(sync(&mut w, &other, e, "ical"));
    assert_eq!(
        sync(&mut w, &cast.instructor, e, "nope").unwrap_err().kind,
        ErrorKind::Forbidden,
        "who asks is checked before what they ask"
    );
}
