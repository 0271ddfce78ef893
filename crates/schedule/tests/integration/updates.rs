//! `PUT /api/enrollments/:id/schedule`: the student marks, moves and adds
//! items; re-planning respects those choices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::NaiveDateTime;
use common::*;
use mdsc_schedule::update::{CustomItemInput, ItemChange, UpdateScheduleInput};

fn change(id: i32) -> ItemChange {
    ItemChange {
        id,
        status: None,
        start_time: None,
        end_time: None,
    }
}

fn items_input(changes: Vec<ItemChange>) -> UpdateScheduleInput {
    UpdateScheduleInput {
        items: Some(changes),
        ..UpdateScheduleInput::default()
    }
}

fn status(id: i32, status: &str) -> ItemChange {
    ItemChange {
        status: Some(status.to_owned()),
        ..change(id)
    }
}

fn moved(id: i32, start: NaiveDateTime, end: Option<NaiveDateTime>) -> ItemChange {
    ItemChange {
        start_time: Some(at(start)),
        end_time: end.map(at),
        ..change(id)
    }
}

fn custom(title: &str, start: NaiveDateTime, end: NaiveDateTime) -> CustomItemInput {
    CustomItemInput {
        title: title.to_owned(),
        description: Some("Relire mes notes".to_owned()),
        start_time: at(start),
        end_time: at(end),
    }
}

/// A custom item of one hour from `start` with this description.
fn described(description: &str, start: NaiveDateTime) -> CustomItemInput {
    CustomItemInput {
        description: Some(description.to_owned()),
        ..custom("Révisions", start, start + Duration::hours(1))
    }
}

#[test]
fn a_custom_items_description_keeps_its_lines_and_tabs() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let start = utc("2026-01-24T13:00:00Z");
    let text = "Chapitre 1\r\n\t- relire\n\t- refaire le quiz";
    w.update(
        &student,
        e,
        UpdateScheduleInput {
            add_items: Some(vec![described(text, start)]),
            ..UpdateScheduleInput::default()
        },
    )
    .unwrap();
    let item = w
        .items(e)
        .into_iter()
        .find(|i| i.item_type == "custom")
        .unwrap();
    assert_eq!(item.description.as_deref(), Some(text));
}

#[test]
fn done_and_skipped_survive_re_generation_and_skipped_leave_calendars() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let done = w.item(e, &lesson_key(cast.course.lessons[0]));
    let skipped = w.item(e, &lesson_key(cast.course.lessons[1]));

    let schedule = w
        .update(
            &student,
            e,
            items_input(vec![status(done.id, "done"), status(skipped.id, "skipped")]),
        )
        .unwrap();
    assert_eq!(schedule.completed_items, 1);
    let events: Vec<i32> = schedule
        .calendar_events
        .iter()
        .map(|ev| ev.schedule_item_id)
        .collect();
    assert!(events.contains(&done.id), "a done item stays in calendars");
    assert!(
        !events.contains(&skipped.id),
        "a skipped item is not in calendars"
    );
    assert!(events.contains(&w.item(e, &lesson_key(cast.course.lessons[2])).id));

    w.clock.advance(Duration::days(6));
    w.generate(&student, e);
    let done_after = w.item(e, &lesson_key(cast.course.lessons[0]));
    let skipped_after = w.item(e, &lesson_key(cast.course.lessons[1]));
    assert_eq!(done_after.status, "done");
    assert_eq!(skipped_after.status, "skipped");
    assert_eq!(done_after.start_time, done.start_time, "kept where it was");
    assert_eq!(skipped_after.start_time, skipped.start_time);
    assert_eq!(
        done_after.sequence,
        done.sequence + 1,
        "only the status change counted"
    );

    // The feed agrees: the skipped lesson is absent, the done one present.
    let feed = w.feed(&student);
    assert!(by_uid(&feed, &expected_uid(e, &skipped.item_key)).is_none());
    assert!(by_uid(&feed, &expected_uid(e, &done.item_key)).is_some());
    let schedule = w.get(&student, e).unwrap();
    assert!(
        schedule
            .calendar_events
            .iter()
            .all(|ev| ev.schedule_item_id != skipped.id)
    );

    // Back to pending: re-planned like any other lesson, into calendars again.
    let schedule = w
        .update(
            &student,
            e,
            items_input(vec![status(skipped.id, "pending")]),
        )
        .unwrap();
    let back = w.item(e, &skipped.item_key);
    assert_eq!(back.status, "pending");
    assert!(back.start_time.unwrap() >= w.now());
    assert!(
        schedule
            .calendar_events
            .iter()
            .any(|ev| ev.schedule_item_id == skipped.id)
    );
}

#[test]
fn a_moved_item_stays_where_the_student_put_it() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let lesson = w.item(e, &lesson_key(cast.course.lessons[2]));
    assert!(!lesson.is_moved);

    // A Saturday afternoon, not a study day: only the student can put it there.
    let start = utc("2026-01-24T13:00:00Z");
    w.update(
        &student,
        e,
        items_input(vec![moved(lesson.id, start, None)]),
    )
    .unwrap();
    let placed = w.item(e, &lesson.item_key);
    assert!(placed.is_moved);
    assert_eq!(placed.id, lesson.id);
    assert_eq!(placed.start_time, Some(start));
    assert_eq!(
        placed.end_time,
        Some(start + Duration::hours(1)),
        "keeps its length"
    );
    assert_eq!(placed.sequence, lesson.sequence + 1);

    // With an explicit end.
    let quiz = w.item(e, &quiz_key(cast.course.quizzes[0]));
    let quiz_start = utc("2026-01-25T08:00:00Z");
    w.update(
        &student,
        e,
        items_input(vec![moved(
            quiz.id,
            quiz_start,
            Some(quiz_start + Duration::minutes(45)),
        )]),
    )
    .unwrap();
    let quiz = w.item(e, &quiz.item_key);
    assert!(quiz.is_moved);
    assert_eq!(quiz.end_time, Some(quiz_start + Duration::minutes(45)));

    // Re-planning later moves the other lessons, not these.
    w.clock.advance(Duration::days(5));
    w.generate(&student, e);
    let after = w.item(e, &lesson.item_key);
    assert_eq!(
        (after.start_time, after.end_time),
        (placed.start_time, placed.end_time)
    );
    assert!(after.is_moved);
    assert_eq!(after.sequence, placed.sequence);
    let quiz_after = w.item(e, &quiz.item_key);
    assert_eq!(quiz_after.start_time, quiz.start_time);
    // And nothing else is planned over them.
    for other in w.items(e) {
        if other.id != after.id && matches!(other.item_type.as_str(), "lesson" | "quiz") {
            assert!(
                !overlaps(
                    (other.start_time, other.end_time),
                    (after.start_time, after.end_time)
                ),
                "{other:?}"
            );
        }
    }
}

#[test]
fn invalid_changes_name_their_field_and_write_nothing() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    let session = w.session(&cast, utc("2026-01-21T09:00:00Z"), Duration::hours(1));
    w.generate(&student, e);
    let lesson = w.item(e, &lesson_key(cast.course.lessons[0]));
    let live = w.item(e, &live_key(session.id));
    let milestone = w.item(e, "milestone:50");
    let before = w.items(e);
    let start = utc("2026-01-24T13:00:00Z");

    let cases: Vec<(Vec<ItemChange>, &str)> = vec![
        (vec![status(999_999, "done")], "items[0].id"),
        // An item of another schedule is no item of this one.
        (
            vec![status(lesson.id, "done"), status(-1, "done")],
            "items[1].id",
        ),
        (vec![moved(live.id, start, None)], "items[0].start_time"),
        (vec![status(live.id, "done")], "items[0].status"),
        (
            vec![moved(milestone.id, start, None)],
            "items[0].start_time",
        ),
        (vec![status(lesson.id, "cancelled")], "items[0].status"),
        (vec![status(lesson.id, "finished")], "items[0].status"),
        (
            vec![moved(lesson.id, start, Some(start - Duration::minutes(1)))],
            "items[0].end_time",
        ),
        (
            vec![moved(lesson.id, start, Some(start))],
            "items[0].end_time",
        ),
        (
            vec![moved(lesson.id, start, Some(start + Duration::hours(25)))],
            "items[0].end_time",
        ),
        (
            vec![ItemChange {
                end_time: Some(at(start)),
                ..change(lesson.id)
            }],
            "items[0].start_time",
        ),
    ];
    for (changes, field) in cases {
        expect_invalid_field(w.update(&student, e, items_input(changes)), field);
    }
    let bad_custom = [
        (
            custom("Révisions", start, start - Duration::hours(1)),
            "add_items[0].end_time",
        ),
        (
            custom("   ", start, start + Duration::hours(1)),
            "add_items[0].title",
        ),
        // A title is one line; a description refuses control characters
        // other than newline and tab (ESC, BEL, NUL: NUL reaches SQLite).
        (
            custom("Révisions\r\nBcc: x", start, start + Duration::hours(1)),
            "add_items[0].title",
        ),
        (
            described("échap\u{1b}[2J", start),
            "add_items[0].description",
        ),
        (described("cloche\u{7}", start), "add_items[0].description"),
        (described("nul\0", start), "add_items[0].description"),
    ];
    for (item, field) in bad_custom {
        expect_invalid_field(
            w.update(
                &student,
                e,
                UpdateScheduleInput {
                    // A valid change with it is rolled back too.
                    items: Some(vec![status(lesson.id, "done")]),
                    add_items: Some(vec![item]),
                    ..UpdateScheduleInput::default()
                },
            ),
            field,
        );
    }
    assert_eq!(w.items(e), before, "nothing written");

    // Another student's item id is unknown here.
    let other = w.user(mdsc_auth::Role::Student);
    let other_e = w.enroll(&other, cast.course.id);
    w.generate(&other, other_e);
    expect_invalid_field(
        w.update(
            &other,
            other_e,
            items_input(vec![status(lesson.id, "done")]),
        ),
        "items[0].id",
    );
    assert_eq!(w.item(e, &lesson.item_key).status, "pending");
}

#[test]
fn custom_items_are_added_kept_and_cancelled_by_the_student() {
    let mut w = World::new();
    let cast = w.cast(1);
    let (student, e) = (cast.student(), cast.enrollment());
    w.generate(&student, e);
    let lesson = w.item(e, &lesson_key(cast.course.lessons[0]));
    let (start, end) = (lesson.start_time.unwrap(), lesson.end_time.unwrap());

    // Over the first lesson's slot: the lesson makes way.
    let schedule = w
        .update(
            &student,
            e,
            UpdateScheduleInput {
                add_items: Some(vec![custom("  Révisions  ", start, end)]),
                ..UpdateScheduleInput::default()
            },
        )
        .unwrap();
    let customs: Vec<_> = w
        .items(e)
        .into_iter()
        .filter(|i| i.item_type == "custom")
        .collect();
    assert_eq!(customs.len(), 1);
    let item = customs[0].clone();
    assert_eq!(item.title, "Révisions");
    assert_eq!(item.description.as_deref(), Some("Relire mes notes"));
    assert_eq!((item.start_time, item.end_time), (Some(start), Some(end)));
    assert_eq!(item.status, "pending");
    assert!(item.is_moved);
    assert!(item.item_key.starts_with("custom:"));
    assert!(
        schedule
            .calendar_events
            .iter()
            .any(|ev| ev.schedule_item_id == item.id && ev.event_type == "custom")
    );
    let lesson_now = w.item(e, &lesson.item_key);
    assert!(
        !overlaps(
            (lesson_now.start_time, lesson_now.end_time),
            (item.start_time, item.end_time)
        ),
        "{lesson_now:?}"
    );

    // Re-planning keeps it as it is.
    w.clock.advance(Duration::days(3));
    w.generate(&student, e);
    assert_eq!(w.item(e, &item.item_key), item);

    // The student cancels it: calendars see the cancellation.
    w.update(&student, e, items_input(vec![status(item.id, "cancelled")]))
        .unwrap();
    let cancelled = w.item(e, &item.item_key);
    assert_eq!(cancelled.status, "cancelled");
    assert_eq!(cancelled.cancelled_at, Some(w.now()));
    assert_eq!(cancelled.sequence, item.sequence + 1);
    let feed = w.feed(&student);
    let event = by_uid(&feed, &expected_uid(e, &item.item_key)).expect("kept as cancelled");
    assert_eq!(event.status, "CANCELLED");
    assert_eq!(event.alarms, 0);
}
