//! Generating and reading schedules: the items a course gives, who may see
//! them, the preferences they follow, and enrollment with a schedule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use common::*;
use mdsc_core::ErrorKind;
use mdsc_course::enrollment::{EnrollInput, cancel_enrollment};
use mdsc_course::progress::complete_lesson;
use mdsc_schedule::enroll::enroll_with_schedule;
use mdsc_schedule::model::ItemRow;
use mdsc_schedule::service::PreferencesInput;
use mdsc_schedule::update::UpdateScheduleInput;

fn by_key(items: &[ItemRow]) -> BTreeMap<String, ItemRow> {
    items
        .iter()
        .map(|item| (item.item_key.clone(), item.clone()))
        .collect()
}

#[test]
fn generation_plans_every_lesson_quiz_milestone_and_live_session() {
    let mut w = World::new();
    let cast = w.cast(1);
    let first = w.session(&cast, utc("2026-01-20T16:00:00Z"), Duration::hours(1));
    let second = w.session(&cast, utc("2026-02-03T16:00:00Z"), Duration::minutes(90));

    let generated = w
        .generate_with(
            &cast.student(),
            cast.enrollment(),
            PreferencesInput::default(),
        )
        .unwrap();
    assert!(generated.created, "the first call creates the schedule");
    let schedule = generated.schedule;
    assert_eq!(schedule.enrollment_id, cast.enrollment());
    assert_eq!(schedule.user_id, cast.student().user_id);
    assert_eq!(schedule.course_id, cast.course.id);

    let mut expected: BTreeSet<String> = BTreeSet::new();
    expected.extend(cast.course.lessons.iter().map(|&id| lesson_key(id)));
    expected.extend(cast.course.quizzes.iter().map(|&id| quiz_key(id)));
    expected.extend(
        [
            "milestone:25",
            "milestone:50",
            "milestone:75",
            "milestone:100",
        ]
        .map(String::from),
    );
    expected.extend([first.id, second.id].map(live_key));
    let items = w.items(cast.enrollment());
    let keys: BTreeSet<String> = items.iter().map(|i| i.item_key.clone()).collect();
    assert_eq!(keys, expected);
    assert_eq!(items.len(), expected.len(), "one item per key");
    assert_eq!(schedule.items.len(), expected.len());
    assert_eq!(schedule.total_items, expected.len());
    assert_eq!(schedule.completed_items, 0);

    let now = w.now();
    for item in &items {
        assert_eq!(item.status, "pending", "{item:?}");
        assert_eq!(item.sequence, 0, "{item:?}");
        assert!(!item.is_moved);
        match item.item_type.as_str() {
            "lesson" => {
                let (start, end) = (item.start_time.unwrap(), item.end_time.unwrap());
                assert!(start >= now, "nothing pending planned in the past");
                assert_eq!(end - start, Duration::minutes(60), "{item:?}");
                assert!(item.lesson_id.is_some() && item.module_id.is_some());
            }
            "quiz" => {
                let (start, end) = (item.start_time.unwrap(), item.end_time.unwrap());
                assert_eq!(end - start, Duration::minutes(30), "{item:?}");
                assert!(item.quiz_id.is_some());
            }
            "milestone" => assert!(item.due_date.is_some() && item.start_time.is_none()),
            "live_session" => {
                let session = [&first, &second]
                    .into_iter()
                    .find(|s| Some(s.id) == item.live_session_id)
                    .expect("the item's session");
                assert_eq!(item.start_time, Some(naive(session.scheduled_start_time)));
                assert_eq!(item.end_time, Some(naive(session.scheduled_end_time)));
                assert_eq!(item.title, session.title);
            }
            other => panic!("unexpected item type {other}"),
        }
    }
    // The 100 % milestone is reached when the last lesson ends.
    let last_lesson_end = items
        .iter()
        .filter(|i| i.item_type == "lesson")
        .filter_map(|i| i.end_time)
        .max();
    assert_eq!(
        w.item(cast.enrollment(), "milestone:100").due_date,
        last_lesson_end
    );
    // Each quiz follows its module's lessons.
    for (m, quiz) in cast.course.quizzes.iter().enumerate() {
        let quiz = w.item(cast.enrollment(), &quiz_key(*quiz));
        for lesson in &cast.course.lessons[m * 2..m * 2 + 2] {
            let lesson = w.item(cast.enrollment(), &lesson_key(*lesson));
            assert!(
                quiz.start_time >= lesson.end_time,
                "{quiz:?} after {lesson:?}"
            );
        }
    }
}

#[test]
fn generating_again_re_plans_in_place_and_is_deterministic() {
    let mut w = World::new();
    let cast = w.cast(2);
    w.session(&cast, utc("2026-01-22T17:00:00Z"), Duration::hours(2));
    let first = w
        .generate_with(
            &cast.student(),
            cast.enrollment(),
            PreferencesInput::default(),
        )
        .unwrap();
    assert!(first.created);
    let before = w.items(cast.enrollment());

    // Same input, same clock: the same schedule, nothing rewritten.
    let again = w
        .generate_with(
            &cast.student(),
            cast.enrollment(),
            PreferencesInput::default(),
        )
        .unwrap();
    assert!(!again.created, "the second call re-plans");
    assert_eq!(again.schedule.id, first.schedule.id);
    assert_eq!(w.items(cast.enrollment()), before);
    assert_eq!(w.schedule_rows(cast.enrollment()), 1);

    // Another student enrolled at the same instant gets the same times.
    w.generate(&cast.students[1], cast.enrollments[1]);
    let other = by_key(&w.items(cast.enrollments[1]));
    for item in &before {
        let twin = &other[&item.item_key];
        assert_eq!(
            (twin.start_time, twin.end_time, twin.due_date),
            (item.start_time, item.end_time, item.due_date),
            "{}",
            item.item_key
        );
    }

    // Days later the pending lessons are spread again from now, in place.
    w.clock.advance(Duration::days(9));
    let later = w
        .generate_with(
            &cast.student(),
            cast.enrollment(),
            PreferencesInput::default(),
        )
        .unwrap();
    assert!(!later.created);
    let after = by_key(&w.items(cast.enrollment()));
    assert_eq!(after.len(), before.len());
    let now = w.now();
    let mut moved = 0;
    for item in &before {
        let same = &after[&item.item_key];
        assert_eq!(same.id, item.id, "{} keeps its id", item.item_key);
        if item.item_type == "lesson" {
            assert!(same.start_time.unwrap() >= now, "{same:?}");
            if same.start_time != item.start_time {
                moved += 1;
                assert_eq!(
                    same.sequence,
                    item.sequence + 1,
                    "a moved event bumps SEQUENCE"
                );
            }
        }
    }
    assert!(moved > 0, "lessons planned before now were moved");
}

#[test]
fn students_and_staff_see_the_schedule_and_nobody_else_does() {
    let mut w = World::new();
    let cast = w.cast(1);
    let e = cast.enrollment();
    expect_err(
        w.get(&cast.student(), e),
        ErrorKind::NotFound,
        "SCHEDULE_NOT_FOUND",
    );

    // The course's instructor may generate it for the student.
    let made = w
        .generate_with(&cast.instructor, e, PreferencesInput::default())
        .unwrap();
    assert!(made.created);
    assert_eq!(made.schedule.user_id, cast.student().user_id);
    for who in [cast.student(), cast.instructor, cast.admin] {
        let seen = w.get(&who, e).unwrap();
        assert_eq!(seen.id, made.schedule.id);
        assert_eq!(seen.items.len(), made.schedule.items.len());
    }
    // Planning it again would move the student's events: staff may not.
    for staff in [cast.instructor, cast.admin] {
        expect_forbidden(w.try_generate(&staff, e, PreferencesInput::default()));
    }
    let by_student = w
        .generate_with(&cast.student(), e, PreferencesInput::default())
        .unwrap();
    assert!(!by_student.created);

    for stranger in [cast.other_instructor, cast.outsider] {
        expect_not_found(w.get(&stranger, e));
        expect_not_found(w.try_generate(&stranger, e, PreferencesInput::default()));
        expect_not_found(w.update(&stranger, e, UpdateScheduleInput::default()));
    }
    expect_not_found(w.get(&cast.student(), e + 1000));
    expect_not_found(w.try_generate(&cast.admin, e + 1000, PreferencesInput::default()));

    // Only the student changes it: staff get 403.
    for staff in [cast.instructor, cast.admin] {
        let hours = UpdateScheduleInput {
            preferences: Some(PreferencesInput {
                hours_per_week: Some(9),
                ..PreferencesInput::default()
            }),
            ..UpdateScheduleInput::default()
        };
        expect_forbidden(w.update(&staff, e, hours));
    }
    assert_eq!(
        w.get(&cast.student(), e)
            .unwrap()
            .preferences
            .hours_per_week,
        5
    );
}

#[test]
fn a_cancelled_enrollment_gets_no_schedule() {
    let mut w = World::new();
    let cast = w.cast(2);
    cancel_enrollment(&mut w.conn, &cast.student(), &w.clock, cast.enrollment()).unwrap();
    for who in [cast.student(), cast.instructor] {
        expect_err(
            w.try_generate(&who, cast.enrollment(), PreferencesInput::default()),
            ErrorKind::Conflict,
            "ENROLLMENT_CANCELLED",
        );
    }
    assert_eq!(w.schedule_rows(cast.enrollment()), 0);

    // Cancelled after generation: re-planning is refused too.
    w.generate(&cast.students[1], cast.enrollments[1]);
    cancel_enrollment(
        &mut w.conn,
        &cast.students[1],
        &w.clock,
        cast.enrollments[1],
    )
    .unwrap();
    expect_err(
        w.try_generate(
            &cast.students[1],
            cast.enrollments[1],
            PreferencesInput::default(),
        ),
        ErrorKind::Conflict,
        "ENROLLMENT_CANCELLED",
    );
}

#[test]
fn invalid_preferences_name_their_field_and_change_nothing() {
    let mut w = World::new();
    let cast = w.cast(1);
    let e = cast.enrollment();
    let original = w.generate(&cast.student(), e);
    let items = w.items(e);
    // Later, so a re-plan that slipped through would move lessons.
    w.clock.advance(Duration::days(10));

    let cases: Vec<(PreferencesInput, &str)> = vec![
        (
            PreferencesInput {
                timezone: Some("Mars/Olympus_Mons".into()),
                ..PreferencesInput::default()
            },
            "timezone",
        ),
        (
            PreferencesInput {
                study_days: Some(vec![]),
                ..PreferencesInput::default()
            },
            "study_days",
        ),
        (
            PreferencesInput {
                study_days: Some(vec![1, 8]),
                ..PreferencesInput::default()
            },
            "study_days",
        ),
        (
            PreferencesInput {
                study_days: Some(vec![0]),
                ..PreferencesInput::default()
            },
            "study_days",
        ),
        (
            PreferencesInput {
                hours_per_week: Some(0),
                ..PreferencesInput::default()
            },
            "hours_per_week",
        ),
        (
            PreferencesInput {
                hours_per_week: Some(61),
                ..PreferencesInput::default()
            },
            "hours_per_week",
        ),
        (
            PreferencesInput {
                hours_per_week: Some(-3),
                ..PreferencesInput::default()
            },
            "hours_per_week",
        ),
        (
            PreferencesInput {
                preferred_time: Some("noon".into()),
                ..PreferencesInput::default()
            },
            "preferred_time",
        ),
        (
            // A valid field does not save an invalid one.
            PreferencesInput {
                timezone: Some("Asia/Tokyo".into()),
                preferred_time: Some("noon".into()),
                ..PreferencesInput::default()
            },
            "preferred_time",
        ),
    ];
    for (input, field) in cases {
        let err = expect_invalid_field(w.try_generate(&cast.student(), e, input.clone()), field);
        assert_eq!(err.kind, ErrorKind::Validation);
        expect_invalid_field(
            w.update(
                &cast.student(),
                e,
                UpdateScheduleInput {
                    preferences: Some(input),
                    ..UpdateScheduleInput::default()
                },
            ),
            field,
        );
    }
    let after = w.get(&cast.student(), e).unwrap();
    assert_eq!(after.preferences, original.preferences);
    assert_eq!(after.generated_at, original.generated_at);
    assert_eq!(after.updated_at, original.updated_at);
    assert_eq!(w.items(e), items);

    // 1 and 60 hours are the accepted bounds.
    for hours in [1, 60] {
        let ok = w
            .generate_with(
                &cast.student(),
                e,
                PreferencesInput {
                    hours_per_week: Some(hours),
                    ..PreferencesInput::default()
                },
            )
            .unwrap();
        assert_eq!(ok.schedule.preferences.hours_per_week, hours);
    }
}

/// Lesson starts in the zone: (weekday, local time).
fn local_lesson_starts(items: &[ItemRow], zone: Tz) -> Vec<(Weekday, NaiveTime)> {
    items
        .iter()
        .filter(|i| i.item_type == "lesson")
        .map(|i| {
            let local = zone.from_utc_datetime(&i.start_time.unwrap());
            (local.weekday(), local.time())
        })
        .collect()
}

#[test]
fn lessons_fall_on_the_chosen_days_at_the_chosen_local_time() {
    let mut w = World::new();
    let cast = w.cast(1);
    let e = cast.enrollment();
    let paris = w
        .generate_with(
            &cast.student(),
            e,
            PreferencesInput {
                timezone: Some("Europe/Paris".into()),
                study_days: Some(vec![2, 4]),
                hours_per_week: Some(4),
                preferred_time: Some("evening".into()),
            },
        )
        .unwrap()
        .schedule;
    assert_eq!(paris.preferences.timezone, "Europe/Paris");
    assert_eq!(paris.preferences.study_days, vec![2, 4]);
    assert_eq!(paris.preferences.hours_per_week, 4);
    assert_eq!(paris.preferences.preferred_time, "evening");
    let starts = local_lesson_starts(&w.items(e), chrono_tz::Europe::Paris);
    assert_eq!(starts.len(), 4);
    for (day, time) in &starts {
        assert!(matches!(day, Weekday::Tue | Weekday::Thu), "{day} {time}");
        assert_eq!(*time, NaiveTime::from_hms_opt(19, 0, 0).unwrap(), "{day}");
    }
    // 19:00 in Paris in January is 18:00 UTC.
    let first = w.item(e, &lesson_key(cast.course.lessons[0]));
    assert_eq!(first.start_time, Some(utc("2026-01-15T18:00:00Z")));

    // Changed through PUT: weekend mornings in New York; the other
    // preferences are kept.
    let ny = w
        .update(
            &cast.student(),
            e,
            UpdateScheduleInput {
                preferences: Some(PreferencesInput {
                    timezone: Some("America/New_York".into()),
                    study_days: Some(vec![6, 7]),
                    preferred_time: Some("morning".into()),
                    hours_per_week: None,
                }),
                ..UpdateScheduleInput::default()
            },
        )
        .unwrap();
    assert_eq!(ny.preferences.hours_per_week, 4, "unchanged field kept");
    let items = w.items(e);
    for (day, time) in local_lesson_starts(&items, chrono_tz::America::New_York) {
        assert!(matches!(day, Weekday::Sat | Weekday::Sun), "{day} {time}");
        assert_eq!(time, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), "{day}");
    }
    let utc_hours: BTreeSet<u32> = items
        .iter()
        .filter(|i| i.item_type == "lesson")
        .map(|i| chrono::Timelike::hour(&i.start_time.unwrap()))
        .collect();
    assert_eq!(utc_hours, BTreeSet::from([14]), "09:00 EST is 14:00 UTC");
}

#[test]
fn study_blocks_never_overlap_a_live_session() {
    let mut w = World::new();
    let cast = w.cast(1);
    // Over the first sitting (19:00 in Paris, 18:00 UTC) and the next ones.
    let sessions = [
        w.session(&cast, utc("2026-01-15T17:30:00Z"), Duration::minutes(90)),
        w.session(&cast, utc("2026-01-29T17:00:00Z"), Duration::hours(3)),
        w.session(&cast, utc("2026-02-12T18:15:00Z"), Duration::minutes(30)),
    ];
    w.generate(&cast.student(), cast.enrollment());
    let items = w.items(cast.enrollment());
    let blocks: Vec<&ItemRow> = items
        .iter()
        .filter(|i| matches!(i.item_type.as_str(), "lesson" | "quiz"))
        .collect();
    assert_eq!(blocks.len(), 6);
    for session in &sessions {
        let live = (
            Some(naive(session.scheduled_start_time)),
            Some(naive(session.scheduled_end_time)),
        );
        for block in &blocks {
            assert!(
                !overlaps((block.start_time, block.end_time), live),
                "{block:?} overlaps session {}",
                session.id
            );
        }
    }
    // The first lesson waits for the end of the session, the same evening.
    let first = w.item(cast.enrollment(), &lesson_key(cast.course.lessons[0]));
    assert_eq!(first.start_time, Some(utc("2026-01-15T19:00:00Z")));
}

#[test]
fn a_completed_lesson_is_done_after_re_planning() {
    let mut w = World::new();
    let cast = w.cast(1);
    let e = cast.enrollment();
    w.generate(&cast.student(), e);
    let lesson = cast.course.lessons[1];
    let before = w.item(e, &lesson_key(lesson));
    assert_eq!(before.status, "pending");

    w.clock.advance(Duration::hours(2));
    complete_lesson(&mut w.conn, &cast.student(), &w.clock, e, lesson).unwrap();
    let schedule = w.generate(&cast.student(), e);
    let after = w.item(e, &lesson_key(lesson));
    assert_eq!(after.status, "done");
    assert_eq!(after.id, before.id);
    assert_eq!(
        after.start_time, before.start_time,
        "a done lesson keeps its time"
    );
    assert!(
        after.sequence > before.sequence,
        "the status change reaches calendars"
    );
    assert_eq!(schedule.completed_items, 1);
    for other in &cast.course.lessons {
        if *other != lesson {
            assert_eq!(w.item(e, &lesson_key(*other)).status, "pending");
        }
    }
}

#[test]
fn enrolling_generates_the_schedule_unless_asked_not_to() {
    let mut w = World::new();
    let cast = w.cast(0);
    let (a, b) = (
        w.user(mdsc_auth::Role::Student),
        w.user(mdsc_auth::Role::Student),
    );
    let with = enroll_with_schedule(
        &mut w.conn,
        &a,
        &w.clock,
        &w.settings,
        EnrollInput {
            course_id: cast.course.id,
            payment_id: None,
            auto_generate_schedule: None,
        },
    )
    .unwrap();
    assert!(with.schedule_generated);
    assert_eq!(w.schedule_rows(with.enrollment.id), 1);
    let schedule = w.get(&a, with.enrollment.id).unwrap();
    assert_eq!(schedule.items.len(), 4 + 2 + 4);

    let without = enroll_with_schedule(
        &mut w.conn,
        &b,
        &w.clock,
        &w.settings,
        EnrollInput {
            course_id: cast.course.id,
            payment_id: None,
            auto_generate_schedule: Some(false),
        },
    )
    .unwrap();
    assert!(!without.schedule_generated);
    assert_eq!(w.schedule_rows(without.enrollment.id), 0);
    expect_err(
        w.get(&b, without.enrollment.id),
        ErrorKind::NotFound,
        "SCHEDULE_NOT_FOUND",
    );
    // A failed enrollment is still an error, with no schedule.
    expect_err(
        enroll_with_schedule(
            &mut w.conn,
            &a,
            &w.clock,
            &w.settings,
            EnrollInput {
                course_id: cast.course.id,
                payment_id: None,
                auto_generate_schedule: None,
            },
        ),
        ErrorKind::Conflict,
        "ALREADY_ENROLLED",
    );
}
