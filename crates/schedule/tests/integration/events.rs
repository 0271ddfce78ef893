//! `GET /api/calendar/events`: the signed-in student's events across their
//! courses, for an in-app calendar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::NaiveDateTime;
use common::*;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_schedule::CalendarEvent;
use mdsc_schedule::events::{EventsQuery, list_events};

/// Every event of the range, read page after page of at most 7 (so every
/// test here also walks pages); each page reports the same exact total.
fn events(
    w: &mut World,
    who: &mdsc_auth::Principal,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
) -> Result<Vec<CalendarEvent>, mdsc_core::Error> {
    let mut all = Vec::new();
    for page in 1.. {
        let next = list_events(
            &mut w.conn,
            who,
            &w.clock,
            &w.settings,
            EventsQuery {
                from: from.map(at),
                to: to.map(at),
                page: Some(page),
                limit: Some(7),
            },
        )?;
        assert!(next.data.len() <= 7, "a page holds at most its limit");
        let last = page >= next.pagination.total_pages;
        all.extend(next.data);
        let listed = i64::try_from(all.len()).unwrap();
        assert!(listed <= next.pagination.total);
        if last {
            assert_eq!(listed, next.pagination.total, "the total is exact");
        }
        if last {
            break;
        }
    }
    Ok(all)
}

/// What the range must hold, from the schedules themselves: their calendar
/// events overlapping `[from, to)`, by start then UID.
fn expected(
    w: &mut World,
    who: &mdsc_auth::Principal,
    enrollments: &[i32],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<String> {
    let mut all: Vec<CalendarEvent> = Vec::new();
    for &e in enrollments {
        all.extend(w.get(who, e).unwrap().calendar_events);
    }
    all.retain(|ev| naive(ev.start_time) < to && naive(ev.end_time) > from);
    all.sort_by(|a, b| (a.start_time, &a.uid).cmp(&(b.start_time, &b.uid)));
    all.into_iter().map(|ev| ev.uid).collect()
}

fn uid_list(events: &[CalendarEvent]) -> Vec<String> {
    events.iter().map(|ev| ev.uid.clone()).collect()
}

#[test]
fn only_the_actors_events_in_the_range_in_time_order() {
    let mut w = World::new();
    let cast = w.cast(2);
    let student = cast.student();
    w.session(&cast, utc("2026-01-21T09:00:00Z"), Duration::hours(1));
    let second = w.course(&cast.instructor, "Planning Rust", 3);
    let third = w.course(&cast.instructor, "Planning Go", 3);
    let e1 = cast.enrollment();
    let e2 = w.enroll(&student, second.id);
    let e3 = w.enroll(&student, third.id);
    for e in [e1, e2, e3] {
        w.generate(&student, e);
    }
    w.generate(&cast.students[1], cast.enrollments[1]);
    cancel_enrollment(&mut w.conn, &student, &w.clock, e3).unwrap();

    let from = w.now();
    let to = from + Duration::days(30);
    let listed = events(&mut w, &student, Some(from), Some(to)).unwrap();
    assert!(
        listed.len() > 10,
        "both courses have events: {}",
        listed.len()
    );
    assert_eq!(
        uid_list(&listed),
        expected(&mut w, &student, &[e1, e2], from, to)
    );
    for ev in &listed {
        assert!([e1, e2].contains(&ev.enrollment_id), "{ev:?}");
        assert!(naive(ev.start_time) < to && naive(ev.end_time) > from);
    }
    assert!(listed.iter().any(|ev| ev.enrollment_id == e2));
    assert!(
        listed
            .windows(2)
            .all(|p| p[0].start_time <= p[1].start_time)
    );

    // The other student sees their own only.
    let theirs = events(&mut w, &cast.students[1], Some(from), Some(to)).unwrap();
    assert!(!theirs.is_empty());
    assert!(
        theirs
            .iter()
            .all(|ev| ev.enrollment_id == cast.enrollments[1])
    );
    // Someone without schedules sees nothing.
    assert!(
        events(&mut w, &cast.outsider, Some(from), Some(to))
            .unwrap()
            .is_empty()
    );

    // Without a range: 31 days from now.
    let default = events(&mut w, &student, None, None).unwrap();
    assert_eq!(
        uid_list(&default),
        expected(&mut w, &student, &[e1, e2], from, from + Duration::days(31))
    );
}

#[test]
fn an_event_overlapping_either_end_of_the_range_is_listed() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let lesson = w.item(e, &lesson_key(cast.course.lessons[0]));
    let (start, end) = (lesson.start_time.unwrap(), lesson.end_time.unwrap());
    let uid = expected_uid(e, &lesson.item_key);
    let has = |events: &[CalendarEvent]| events.iter().any(|ev| ev.uid == uid);

    // Started before `from`, still running.
    let inside = events(
        &mut w,
        &student,
        Some(start + Duration::minutes(30)),
        Some(start + Duration::hours(3)),
    )
    .unwrap();
    assert!(has(&inside));
    // Ends exactly at `from`, or starts exactly at `to`: not in the range.
    let after = events(&mut w, &student, Some(end), Some(end + Duration::hours(1))).unwrap();
    assert!(!has(&after));
    let before = events(
        &mut w,
        &student,
        Some(start - Duration::hours(2)),
        Some(start),
    )
    .unwrap();
    assert!(!has(&before));
    let at_start = events(
        &mut w,
        &student,
        Some(start - Duration::hours(2)),
        Some(start + Duration::minutes(1)),
    )
    .unwrap();
    assert!(has(&at_start));
    // A milestone (a deadline) is listed by its due date.
    let milestone = w.item(e, "milestone:100");
    let due = milestone.due_date.unwrap();
    let around = events(
        &mut w,
        &student,
        Some(due - Duration::minutes(1)),
        Some(due + Duration::minutes(1)),
    )
    .unwrap();
    assert!(
        around
            .iter()
            .any(|ev| ev.uid == expected_uid(e, "milestone:100"))
    );
    // Its event lasts 15 minutes: a range starting 5 minutes after the due
    // date still overlaps it, as the feed shows it.
    let shown = w
        .get(&student, e)
        .unwrap()
        .calendar_events
        .into_iter()
        .find(|ev| ev.uid == expected_uid(e, "milestone:100"))
        .unwrap();
    assert_eq!(naive(shown.end_time), due + Duration::minutes(15));
    let late = events(
        &mut w,
        &student,
        Some(due + Duration::minutes(5)),
        Some(due + Duration::hours(1)),
    )
    .unwrap();
    assert!(
        late.iter()
            .any(|ev| ev.uid == expected_uid(e, "milestone:100"))
    );
    let after_it = events(
        &mut w,
        &student,
        Some(due + Duration::minutes(15)),
        Some(due + Duration::hours(1)),
    )
    .unwrap();
    assert!(
        after_it
            .iter()
            .all(|ev| ev.uid != expected_uid(e, "milestone:100"))
    );
}

#[test]
fn a_bad_range_is_refused_on_to() {
    let mut w = World::new();
    let cast = w.cast(1);
    let student = cast.student();
    w.generate(&student, cast.enrollment());
    let from = w.now();
    for to in [from, from - Duration::hours(1), from + Duration::days(367)] {
        expect_invalid_field(events(&mut w, &student, Some(from), Some(to)), "to");
    }
    // A past `from` alone still gives 31 days after it.
    let past = from - Duration::days(400);
    assert!(
        events(&mut w, &student, Some(past), None)
            .unwrap()
            .is_empty()
    );
    let year = events(
        &mut w,
        &student,
        Some(from),
        Some(from + Duration::days(366)),
    )
    .unwrap();
    assert_eq!(
        year.len(),
        w.get(&student, cast.enrollment())
            .unwrap()
            .calendar_events
            .len()
    );
}

#[test]
fn pages_are_capped_and_refused_past_the_documented_depth() {
    let mut w = World::new();
    let cast = w.cast(1);
    let student = cast.students[0];
    w.generate(&student, cast.enrollments[0]);
    let query = |page, limit| EventsQuery {
        page: Some(page),
        limit: Some(limit),
        ..EventsQuery::default()
    };
    let capped = list_events(
        &mut w.conn,
        &student,
        &w.clock,
        &w.settings,
        query(1, 5_000),
    )
    .unwrap();
    assert_eq!(capped.pagination.limit, 100);
    let deep = list_events(
        &mut w.conn,
        &student,
        &w.clock,
        &w.settings,
        query(102, 100),
    );
    mdsc_core::testing::expect_err(deep, mdsc_core::ErrorKind::Validation, "PAGE_TOO_DEEP");
}
