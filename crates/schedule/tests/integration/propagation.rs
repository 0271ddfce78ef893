//! Course changes made through `mdsc_schedule::hooks` reach every schedule
//! of the course, in place, in the same transaction as the change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use mdsc_course::enrollment::cancel_enrollment;
use mdsc_course::structure::QuizInput;
use mdsc_live::SessionStatus;
use mdsc_live::session::UpdateSessionInput;
use mdsc_schedule::hooks;

/// A course with three students, each with a schedule, and a session on
/// Wednesday 21 January at 09:00 UTC (outside every study sitting).
fn planned(w: &mut World) -> (Cast, mdsc_live::LiveSession) {
    let cast = w.cast(3);
    let session = w.session(&cast, utc("2026-01-21T09:00:00Z"), Duration::hours(1));
    for (student, e) in cast.students.iter().zip(&cast.enrollments) {
        w.generate(student, *e);
    }
    (cast, session)
}

fn reschedule(
    w: &mut World,
    who: &mdsc_auth::Principal,
    session_id: i32,
    start: chrono::NaiveDateTime,
    length: Duration,
) -> Result<mdsc_live::LiveSession, mdsc_core::Error> {
    hooks::update_live_session(
        &mut w.conn,
        who,
        &w.clock,
        &w.live,
        session_id,
        UpdateSessionInput {
            scheduled_start_time: Some(at(start)),
            scheduled_end_time: Some(at(start + length)),
            ..UpdateSessionInput::default()
        },
    )
}

#[test]
fn a_rescheduled_session_moves_in_every_schedule_with_a_higher_sequence() {
    let mut w = World::new();
    let (cast, session) = planned(&mut w);
    let key = live_key(session.id);
    let before: Vec<_> = cast.enrollments.iter().map(|&e| w.item(e, &key)).collect();
    // A cancelled enrollment's schedule is left alone.
    cancel_enrollment(
        &mut w.conn,
        &cast.students[2],
        &w.clock,
        cast.enrollments[2],
    )
    .unwrap();

    w.clock.advance(Duration::hours(1));
    let new_start = utc("2026-01-22T08:00:00Z");
    reschedule(
        &mut w,
        &cast.instructor,
        session.id,
        new_start,
        Duration::minutes(90),
    )
    .unwrap();
    for (i, &e) in cast.enrollments[..2].iter().enumerate() {
        let item = w.item(e, &key);
        assert_eq!(item.id, before[i].id, "updated in place");
        assert_eq!(item.start_time, Some(new_start));
        assert_eq!(item.end_time, Some(new_start + Duration::minutes(90)));
        assert!(item.sequence > before[i].sequence);
        assert_eq!(item.status, "pending");
    }
    assert_eq!(w.item(cast.enrollments[2], &key), before[2]);

    // The feed shows the new times with the new SEQUENCE, under the same UID.
    let feed = w.feed(&cast.student());
    let event = by_uid(&feed, &expected_uid(cast.enrollment(), &key)).expect("live event");
    assert_eq!(naive(event.start), new_start);
    assert_eq!(naive(event.end), new_start + Duration::minutes(90));
    assert_eq!(
        i64::from(event.sequence),
        i64::from(w.item(cast.enrollment(), &key).sequence)
    );
    assert!(event.sequence >= 1);
    assert_eq!(event.status, "CONFIRMED");
    assert_eq!(event.alarms, 2, "the day before and 15 minutes before");

    // A renamed session is renamed everywhere, one more SEQUENCE.
    let seq = w.item(cast.enrollment(), &key).sequence;
    hooks::update_live_session(
        &mut w.conn,
        &cast.admin,
        &w.clock,
        &w.live,
        session.id,
        UpdateSessionInput {
            title: Some("Atelier hooks".into()),
            ..UpdateSessionInput::default()
        },
    )
    .unwrap();
    let renamed = w.item(cast.enrollment(), &key);
    assert_eq!(renamed.title, "Atelier hooks");
    assert_eq!(renamed.sequence, seq + 1);
}

#[test]
fn a_cancelled_session_is_cancelled_in_schedules_and_feeds() {
    let mut w = World::new();
    let (cast, session) = planned(&mut w);
    let key = live_key(session.id);
    let before = w.item(cast.enrollment(), &key);
    w.clock.advance(Duration::minutes(10));
    hooks::update_live_session(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        &w.live,
        session.id,
        UpdateSessionInput {
            status: Some(SessionStatus::Cancelled),
            ..UpdateSessionInput::default()
        },
    )
    .unwrap();
    for &e in &cast.enrollments {
        let item = w.item(e, &key);
        assert_eq!(item.status, "cancelled");
        assert_eq!(item.cancelled_at, Some(w.now()));
        assert!(item.sequence > before.sequence);
    }
    let feed = w.feed(&cast.student());
    let event = by_uid(&feed, &expected_uid(cast.enrollment(), &key)).expect("still published");
    assert_eq!(event.status, "CANCELLED");
    assert_eq!(event.alarms, 0, "a cancelled event does not ring");
    assert!(event.summary.starts_with("Annulé"), "{}", event.summary);

    // Re-planning keeps it cancelled, and its slot is free for study again.
    w.generate(&cast.student(), cast.enrollment());
    assert_eq!(w.item(cast.enrollment(), &key).status, "cancelled");
}

#[test]
fn deleting_a_session_a_quiz_or_a_lesson_cancels_its_items() {
    let mut w = World::new();
    let (cast, session) = planned(&mut w);
    let lesson = cast.course.lessons[3];
    let quiz = cast.course.quizzes[1];
    let keys = [live_key(session.id), quiz_key(quiz), lesson_key(lesson)];
    let before: Vec<_> = keys.iter().map(|k| w.item(cast.enrollment(), k)).collect();

    w.clock.advance(Duration::hours(1));
    hooks::delete_live_session(&mut w.conn, &cast.instructor, &w.clock, session.id).unwrap();
    hooks::delete_quiz(&mut w.conn, &cast.instructor, &w.clock, quiz).unwrap();
    hooks::delete_lesson(&mut w.conn, &cast.admin, &w.clock, lesson).unwrap();

    for &e in &cast.enrollments {
        for key in &keys {
            let item = w.item(e, key);
            assert_eq!(item.status, "cancelled", "{key} in {e}");
            assert_eq!(item.cancelled_at, Some(w.now()));
            assert_eq!(item.sequence, 1);
        }
    }
    let feed = w.feed(&cast.student());
    for (key, before) in keys.iter().zip(&before) {
        let event = by_uid(&feed, &expected_uid(cast.enrollment(), key)).expect(key);
        assert_eq!(event.status, "CANCELLED", "{key}");
        assert_eq!(
            naive(event.start),
            before.start_time.unwrap(),
            "{key} keeps its time"
        );
    }
    // Re-planning neither revives nor duplicates them.
    w.generate(&cast.student(), cast.enrollment());
    let items = w.items(cast.enrollment());
    for key in &keys {
        let matching: Vec<_> = items.iter().filter(|i| &i.item_key == key).collect();
        assert_eq!(matching.len(), 1);
        assert_eq!(matching[0].status, "cancelled");
    }
}

#[test]
fn deleting_a_module_cancels_its_lessons_and_quizzes() {
    let mut w = World::new();
    let (cast, _) = planned(&mut w);
    hooks::delete_module(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        cast.course.modules[0],
    )
    .unwrap();
    let gone = [
        lesson_key(cast.course.lessons[0]),
        lesson_key(cast.course.lessons[1]),
        quiz_key(cast.course.quizzes[0]),
    ];
    for &e in &cast.enrollments {
        for key in &gone {
            assert_eq!(w.item(e, key).status, "cancelled", "{key}");
        }
        assert_eq!(
            w.item(e, &lesson_key(cast.course.lessons[2])).status,
            "pending"
        );
    }
}

#[test]
fn a_new_session_appears_in_existing_schedules() {
    let mut w = World::new();
    let (cast, _) = planned(&mut w);
    let start = utc("2026-02-04T07:00:00Z");
    let session = w.session(&cast, start, Duration::hours(2));
    let key = live_key(session.id);
    for &e in &cast.enrollments {
        let item = w.item(e, &key);
        assert_eq!(item.item_type, "live_session");
        assert_eq!(item.live_session_id, Some(session.id));
        assert_eq!(item.start_time, Some(start));
        assert_eq!(item.end_time, Some(start + Duration::hours(2)));
        assert_eq!(item.status, "pending");
        assert_eq!(item.sequence, 0);
    }
    // Re-planning finds the same item, not a second one.
    let before = w.item(cast.enrollment(), &key);
    w.generate(&cast.student(), cast.enrollment());
    assert_eq!(w.item(cast.enrollment(), &key), before);
    let feed = w.feed(&cast.student());
    assert!(by_uid(&feed, &expected_uid(cast.enrollment(), &key)).is_some());
}

#[test]
fn a_session_moved_over_a_study_block_pushes_the_block_away() {
    let mut w = World::new();
    let (cast, session) = planned(&mut w);
    let lesson_key = lesson_key(cast.course.lessons[0]);
    let lessons: Vec<_> = cast
        .enrollments
        .iter()
        .map(|&e| w.item(e, &lesson_key))
        .collect();
    // The first lesson: Thursday 15 January, 19:00 in Paris.
    for lesson in &lessons {
        assert_eq!(lesson.start_time, Some(utc("2026-01-15T18:00:00Z")));
    }
    let untouched = w.item(cast.enrollment(), &quiz_key(cast.course.quizzes[1]));

    let start = utc("2026-01-15T17:45:00Z");
    reschedule(
        &mut w,
        &cast.instructor,
        session.id,
        start,
        Duration::minutes(45),
    )
    .unwrap();
    let live = (Some(start), Some(start + Duration::minutes(45)));
    for (&e, lesson) in cast.enrollments.iter().zip(&lessons) {
        let moved = w.item(e, &lesson_key);
        assert!(
            !overlaps((moved.start_time, moved.end_time), live),
            "{moved:?}"
        );
        assert_eq!(
            moved.start_time,
            Some(utc("2026-01-15T18:30:00Z")),
            "right after it"
        );
        assert_eq!(moved.id, lesson.id);
        assert!(moved.sequence > lesson.sequence);
        for block in w.items(e) {
            if matches!(block.item_type.as_str(), "lesson" | "quiz") {
                assert!(
                    !overlaps((block.start_time, block.end_time), live),
                    "{block:?}"
                );
            }
        }
    }
    // A block far from the session did not move.
    let quiz = w.item(cast.enrollment(), &untouched.item_key);
    assert_eq!(quiz.start_time, untouched.start_time);
    assert_eq!(quiz.sequence, untouched.sequence);
}

#[test]
fn a_new_session_over_a_study_block_pushes_the_block_away() {
    let mut w = World::new();
    let (cast, _) = planned(&mut w);
    let key = lesson_key(cast.course.lessons[0]);
    let before: Vec<_> = cast.enrollments.iter().map(|&e| w.item(e, &key)).collect();
    let start = utc("2026-01-15T17:30:00Z");
    let session = w.session(&cast, start, Duration::hours(1));
    let live = (Some(start), Some(start + Duration::hours(1)));
    for (&e, before) in cast.enrollments.iter().zip(&before) {
        assert!(overlaps((before.start_time, before.end_time), live));
        let lesson = w.item(e, &key);
        assert_eq!(lesson.id, before.id);
        assert_eq!(lesson.start_time, Some(utc("2026-01-15T18:30:00Z")));
        assert_eq!(w.item(e, &live_key(session.id)).start_time, Some(start));
    }
}

#[test]
fn a_quiz_due_earlier_updates_its_items_deadline() {
    let mut w = World::new();
    let cast = w.cast(2);
    let quiz = cast.course.quizzes[1];
    let far = utc("2026-03-01T12:00:00Z");
    hooks::update_quiz(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        quiz,
        QuizInput {
            due_date: Some(at(far)),
            ..QuizInput::default()
        },
    )
    .unwrap();
    for (student, &e) in cast.students.iter().zip(&cast.enrollments) {
        w.generate(student, e);
        assert_eq!(w.item(e, &quiz_key(quiz)).due_date, Some(far));
    }
    let befores: Vec<_> = cast
        .enrollments
        .iter()
        .map(|&e| w.item(e, &quiz_key(quiz)))
        .collect();
    for before in &befores {
        assert!(before.end_time.unwrap() > utc("2026-01-30T00:00:00Z"));
    }

    let due = utc("2026-01-30T12:00:00Z");
    hooks::update_quiz(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        quiz,
        QuizInput {
            due_date: Some(at(due)),
            ..QuizInput::default()
        },
    )
    .unwrap();
    for (&e, before) in cast.enrollments.iter().zip(&befores) {
        let item = w.item(e, &quiz_key(quiz));
        assert_eq!(item.id, before.id);
        assert_eq!(item.due_date, Some(due));
        assert!(
            item.end_time.unwrap() <= due,
            "sat before the deadline: {item:?}"
        );
        assert!(item.sequence > before.sequence);
        // The module's lessons come before it.
        for lesson in &cast.course.lessons[2..] {
            let lesson = w.item(e, &lesson_key(*lesson));
            assert!(lesson.end_time.unwrap() <= due, "{lesson:?}");
        }
    }

    // A later deadline is written in place.
    let later = utc("2026-02-10T12:00:00Z");
    let current = w.item(cast.enrollment(), &quiz_key(quiz));
    hooks::update_quiz(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        quiz,
        QuizInput {
            due_date: Some(at(later)),
            ..QuizInput::default()
        },
    )
    .unwrap();
    let item = w.item(cast.enrollment(), &quiz_key(quiz));
    assert_eq!(item.due_date, Some(later));
    assert_eq!(item.start_time, current.start_time);
    assert_eq!(item.sequence, current.sequence + 1);
}

#[test]
fn a_new_quiz_reaches_existing_schedules() {
    let mut w = World::new();
    let (cast, _) = planned(&mut w);
    let quiz = hooks::create_quiz(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        cast.course.modules[0],
        QuizInput {
            title: Some("Quiz bonus".into()),
            ..QuizInput::default()
        },
    )
    .unwrap();
    for &e in &cast.enrollments {
        let item = w.item(e, &quiz_key(quiz.id));
        assert_eq!(item.title, "Quiz bonus");
        assert_eq!(item.status, "pending");
        assert!(item.start_time.is_some());
    }
}

#[test]
fn a_refused_change_leaves_every_schedule_untouched() {
    let mut w = World::new();
    let (cast, session) = planned(&mut w);
    let snapshot: Vec<_> = cast.enrollments.iter().map(|&e| w.items(e)).collect();
    let over_first_lesson = utc("2026-01-15T17:45:00Z");

    mdsc_core::testing::expect_forbidden(reschedule(
        &mut w,
        &cast.other_instructor,
        session.id,
        over_first_lesson,
        Duration::hours(1),
    ));
    expect_invalid_field(
        reschedule(
            &mut w,
            &cast.instructor,
            session.id,
            over_first_lesson,
            Duration::hours(13),
        ),
        "scheduled_end_time",
    );
    mdsc_core::testing::expect_forbidden(hooks::delete_live_session(
        &mut w.conn,
        &cast.other_instructor,
        &w.clock,
        session.id,
    ));
    mdsc_core::testing::expect_forbidden(hooks::delete_lesson(
        &mut w.conn,
        &cast.other_instructor,
        &w.clock,
        cast.course.lessons[0],
    ));
    mdsc_core::testing::expect_forbidden(hooks::update_quiz(
        &mut w.conn,
        &cast.other_instructor,
        &w.clock,
        cast.course.quizzes[0],
        QuizInput {
            due_date: Some(at(utc("2026-01-16T12:00:00Z"))),
            ..QuizInput::default()
        },
    ));
    mdsc_core::testing::expect_forbidden(hooks::create_live_session(
        &mut w.conn,
        &cast.other_instructor,
        &w.clock,
        &w.live,
        cast.course.id,
        session_input(over_first_lesson, Duration::hours(1)),
    ));
    for (i, &e) in cast.enrollments.iter().enumerate() {
        assert_eq!(w.items(e), snapshot[i], "schedule {e} untouched");
    }
}
