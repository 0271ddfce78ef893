//! The study-schedule planner, rule by rule (seed §2.4).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use mdsc_schedule::item::ItemType;
use mdsc_schedule::plan::{
    CourseOutline, KeptItem, LessonOutline, LiveOutline, ModuleOutline, PlanInput, PlannedItem,
    Preferences, QuizOutline, TimeOfDay, keys, plan,
};

fn utc(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
}

fn tz(name: &str) -> Tz {
    Preferences::parse_timezone(name).unwrap()
}

fn lessons(first_id: i32, count: i32, minutes: i32) -> Vec<LessonOutline> {
    (first_id..first_id + count)
        .map(|id| LessonOutline {
            id,
            title: format!("Leçon {id}"),
            duration_minutes: minutes,
        })
        .collect()
}

fn module(id: i32, lessons: Vec<LessonOutline>, quizzes: Vec<QuizOutline>) -> ModuleOutline {
    ModuleOutline {
        id,
        title: format!("Module {id}"),
        lessons,
        quizzes,
    }
}

fn quiz(id: i32, due_at: Option<DateTime<Utc>>) -> QuizOutline {
    QuizOutline {
        id,
        title: format!("Quiz {id}"),
        due_at,
    }
}

fn live(id: i32, start: &str, end: &str, cancelled: bool) -> LiveOutline {
    LiveOutline {
        id,
        title: format!("Direct {id}"),
        start: utc(start),
        end: utc(end),
        cancelled,
    }
}

/// Monday 2025-03-03 08:00 UTC, Dakar (UTC+0), evenings, Monday to Friday.
fn input(modules: Vec<ModuleOutline>) -> PlanInput {
    let enrolled_at = utc("2025-03-03 08:00");
    PlanInput {
        outline: CourseOutline {
            modules,
            ..CourseOutline::default()
        },
        enrolled_at,
        now: enrolled_at,
        preferences: Preferences {
            timezone: tz("Africa/Dakar"),
            ..Preferences::default()
        },
        kept: Vec::new(),
    }
}

fn item<'a>(items: &'a [PlannedItem], key: &str) -> &'a PlannedItem {
    items
        .iter()
        .find(|item| item.key == key)
        .unwrap_or_else(|| panic!("no {key}"))
}

fn start_of(items: &[PlannedItem], key: &str) -> DateTime<Utc> {
    item(items, key).start.unwrap()
}

fn lesson_starts(items: &[PlannedItem]) -> Vec<DateTime<Utc>> {
    items
        .iter()
        .filter(|i| i.item_type == ItemType::Lesson)
        .map(|i| i.start.unwrap())
        .collect()
}

fn study_blocks(items: &[PlannedItem]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    items
        .iter()
        .filter(|i| matches!(i.item_type, ItemType::Lesson | ItemType::Quiz))
        .map(|i| (i.start.unwrap(), i.end.unwrap()))
        .collect()
}

fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

// Rule 1: the window.

#[test]
fn window_opens_at_the_first_sitting_after_enrollment_course_start_and_now() {
    let mut input = input(vec![module(1, lessons(1, 1, 60), vec![])]);
    assert_eq!(
        start_of(&plan(&input).unwrap(), "lesson:1"),
        utc("2025-03-03 19:00")
    );

    input.outline.start = Some(utc("2025-03-05 00:00"));
    assert_eq!(
        start_of(&plan(&input).unwrap(), "lesson:1"),
        utc("2025-03-05 19:00")
    );

    input.now = utc("2025-03-06 20:00");
    assert_eq!(
        start_of(&plan(&input).unwrap(), "lesson:1"),
        utc("2025-03-07 19:00")
    );
}

#[test]
fn window_without_end_lasts_the_estimated_weeks() {
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
    input.outline.estimated_weeks = Some(4);
    // 20 sittings: the second lesson goes to sitting 10, two weeks later.
    assert_eq!(
        lesson_starts(&plan(&input).unwrap()),
        [utc("2025-03-03 19:00"), utc("2025-03-17 19:00")]
    );
}

#[test]
fn replanning_later_keeps_the_estimated_weeks_end() {
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
    input.outline.estimated_weeks = Some(4);
    // Two weeks later, nothing done: the window still ends on March 31,
    // 10 sittings remain and the second lesson goes to sitting 5.
    input.now = utc("2025-03-17 08:00");
    assert_eq!(
        lesson_starts(&plan(&input).unwrap()),
        [utc("2025-03-17 19:00"), utc("2025-03-24 19:00")]
    );
    // The estimate counts from the course start when it is after enrollment:
    // until April 7, 15 sittings remain, the second lesson goes to sitting 7.
    input.outline.start = Some(utc("2025-03-10 00:00"));
    assert_eq!(
        lesson_starts(&plan(&input).unwrap()),
        [utc("2025-03-17 19:00"), utc("2025-03-26 19:00")]
    );
    // Past the estimated end: compressed, as for a past course end.
    input.now = utc("2025-05-05 08:00");
    assert_eq!(
        lesson_starts(&plan(&input).unwrap()),
        [utc("2025-05-05 19:00"), utc("2025-05-05 20:00")]
    );
}

#[test]
fn window_without_end_or_estimate_keeps_the_weekly_hours() {
    let mut input = input(vec![module(1, lessons(1, 10, 60), vec![])]);
    input.preferences.hours_per_week = 2;
    let starts = lesson_starts(&plan(&input).unwrap());
    let first = starts[0];
    for week in 0..5 {
        let (from, to) = (
            first + Duration::weeks(week),
            first + Duration::weeks(week + 1),
        );
        let in_week = starts.iter().filter(|s| (from..to).contains(*s)).count();
        assert_eq!(in_week, 2, "week {week}: 2 hours of lessons");
    }
}

#[test]
fn course_end_already_past_compresses_several_lessons_a_day() {
    let mut input = input(vec![module(1, lessons(1, 7, 60), vec![])]);
    input.outline.end = Some(utc("2025-03-01 00:00"));
    let starts = lesson_starts(&plan(&input).unwrap());
    let monday: Vec<_> = (19..24)
        .map(|h| utc(&format!("2025-03-03 {h}:00")))
        .collect();
    assert_eq!(starts[..5], monday[..]);
    // The fifth ends at local midnight; lessons do not run past it, so the
    // sixth and seventh wait for Tuesday's sitting.
    assert_eq!(
        starts[5..],
        ["2025-03-04 19:00", "2025-03-04 20:00"].map(utc)
    );
}

// Rule 2: study blocks.

#[test]
fn lessons_are_spread_evenly_over_the_window() {
    let mut input = input(vec![module(1, lessons(1, 4, 60), vec![])]);
    input.outline.start = Some(utc("2025-03-03 00:00"));
    input.outline.end = Some(utc("2025-03-31 00:00"));
    assert_eq!(
        lesson_starts(&plan(&input).unwrap()),
        [
            "2025-03-03 19:00",
            "2025-03-10 19:00",
            "2025-03-17 19:00",
            "2025-03-24 19:00"
        ]
        .map(utc)
    );
}

#[test]
fn lessons_sharing_a_sitting_follow_each_other() {
    let mut input = input(vec![module(1, lessons(1, 3, 45), vec![])]);
    input.preferences.study_days = vec![Weekday::Wed];
    input.outline.end = Some(utc("2025-03-06 00:00"));
    assert_eq!(
        lesson_starts(&plan(&input).unwrap()),
        ["2025-03-05 19:00", "2025-03-05 19:45", "2025-03-05 20:30"].map(utc)
    );
}

#[test]
fn short_zero_and_negative_durations_become_15_minute_blocks() {
    let mut input = input(vec![module(1, lessons(1, 3, 0), vec![])]);
    input.outline.modules[0].lessons[1].duration_minutes = -20;
    input.outline.modules[0].lessons[2].duration_minutes = 5;
    for lesson in plan(&input)
        .unwrap()
        .iter()
        .filter(|i| i.item_type == ItemType::Lesson)
    {
        assert_eq!(
            lesson.end.unwrap() - lesson.start.unwrap(),
            Duration::minutes(15)
        );
    }
}

#[test]
fn sittings_keep_local_time_across_the_paris_dst_change() {
    let mut input = input(vec![module(1, lessons(1, 10, 60), vec![])]);
    input.preferences.timezone = tz("Europe/Paris");
    input.outline.start = Some(utc("2025-03-24 00:00"));
    input.outline.end = Some(utc("2025-04-07 00:00"));
    let starts = lesson_starts(&plan(&input).unwrap());
    let paris = tz("Europe/Paris");
    assert!(starts.iter().all(|s| s.with_timezone(&paris).hour() == 19));
    assert_eq!(
        starts[4],
        utc("2025-03-28 18:00"),
        "Friday before the change: UTC+1"
    );
    assert_eq!(
        starts[5],
        utc("2025-03-31 17:00"),
        "Monday after the change: UTC+2"
    );
}

#[test]
fn sittings_follow_montreal_and_dakar_wall_clocks() {
    let mut montreal = input(vec![module(1, lessons(1, 10, 60), vec![])]);
    montreal.preferences.timezone = tz("America/Montreal");
    montreal.preferences.time_of_day = TimeOfDay::Afternoon;
    montreal.outline.end = Some(utc("2025-03-17 00:00"));
    let starts = lesson_starts(&plan(&montreal).unwrap());
    assert_eq!(starts[0], utc("2025-03-03 19:00"), "14:00 EST");
    assert_eq!(
        starts[5],
        utc("2025-03-10 18:00"),
        "14:00 EDT (DST from March 9)"
    );

    let mut dakar = input(vec![module(1, lessons(1, 2, 60), vec![])]);
    dakar.preferences.time_of_day = TimeOfDay::Morning;
    dakar.now = utc("2025-03-03 10:00");
    assert_eq!(
        lesson_starts(&plan(&dakar).unwrap())[0],
        utc("2025-03-04 09:00")
    );
}

// Rule 3: live sessions.

#[test]
fn live_sessions_are_listed_at_their_times_with_the_cancelled_flag() {
    let mut input = input(vec![]);
    input.outline.live_sessions = vec![
        live(7, "2025-03-10 15:00", "2025-03-10 16:00", false),
        live(8, "2025-03-11 15:00", "2025-03-11 16:00", true),
    ];
    let items = plan(&input).unwrap();
    let held = item(&items, "live:7");
    assert_eq!(
        (held.item_type, held.start, held.end),
        (
            ItemType::LiveSession,
            Some(utc("2025-03-10 15:00")),
            Some(utc("2025-03-10 16:00"))
        )
    );
    assert_eq!((held.live_session_id, held.cancelled), (Some(7), false));
    assert!(item(&items, "live:8").cancelled);
}

#[test]
fn a_block_overlapping_a_live_session_moves_after_it_the_same_day() {
    let mut input = input(vec![module(1, lessons(1, 1, 60), vec![])]);
    input.outline.live_sessions = vec![live(1, "2025-03-03 19:30", "2025-03-03 20:30", false)];
    assert_eq!(
        start_of(&plan(&input).unwrap(), "lesson:1"),
        utc("2025-03-03 20:30")
    );
}

#[test]
fn a_block_that_no_longer_fits_the_day_moves_to_the_next_sitting() {
    let mut input = input(vec![module(1, lessons(1, 1, 60), vec![])]);
    input.outline.live_sessions = vec![live(1, "2025-03-03 18:00", "2025-03-03 23:30", false)];
    assert_eq!(
        start_of(&plan(&input).unwrap(), "lesson:1"),
        utc("2025-03-04 19:00")
    );
}

#[test]
fn cancelled_live_sessions_do_not_block_study_time() {
    let mut input = input(vec![module(1, lessons(1, 1, 60), vec![])]);
    input.outline.live_sessions = vec![live(1, "2025-03-03 19:00", "2025-03-03 20:00", true)];
    assert_eq!(
        start_of(&plan(&input).unwrap(), "lesson:1"),
        utc("2025-03-03 19:00")
    );
}

#[test]
fn blocks_go_around_kept_items() {
    let mut input = input(vec![module(1, lessons(1, 1, 60), vec![])]);
    input.kept = vec![KeptItem {
        key: "custom:3".into(),
        start: Some(utc("2025-03-03 18:30")),
        end: Some(utc("2025-03-03 20:00")),
        due: None,
    }];
    let items = plan(&input).unwrap();
    assert_eq!(start_of(&items, "lesson:1"), utc("2025-03-03 20:00"));
    assert!(
        items.iter().all(|i| i.key != "custom:3"),
        "custom items belong to the caller"
    );
}

// Rule 4: quizzes.

#[test]
fn a_quiz_follows_the_last_lesson_of_its_module() {
    let input = input(vec![
        module(1, lessons(1, 2, 60), vec![quiz(1, None)]),
        module(2, lessons(3, 2, 60), vec![]),
    ]);
    let items = plan(&input).unwrap();
    let quiz = item(&items, "quiz:1");
    assert_eq!(quiz.start, item(&items, "lesson:2").end);
    assert_eq!(quiz.end, Some(utc("2025-03-04 20:30")));
    assert_eq!(
        quiz.due, quiz.end,
        "without a fixed date, due when the block ends"
    );
    assert_eq!((quiz.module_id, quiz.quiz_id), (Some(1), Some(1)));
}

fn lesson_ends_of_module(items: &[PlannedItem], module_id: i32) -> Vec<DateTime<Utc>> {
    items
        .iter()
        .filter(|i| i.item_type == ItemType::Lesson && i.module_id == Some(module_id))
        .map(|i| i.end.unwrap())
        .collect()
}

#[test]
fn a_quiz_due_date_is_a_deadline_for_the_lessons_of_its_module() {
    let due = utc("2025-03-05 12:00");
    let mut input = input(vec![
        module(1, lessons(1, 2, 60), vec![quiz(1, Some(due))]),
        module(2, lessons(3, 2, 60), vec![]),
    ]);
    input.outline.end = Some(utc("2025-03-31 00:00"));
    let items = plan(&input).unwrap();
    let planned = item(&items, "quiz:1");
    let last_lesson_end = *lesson_ends_of_module(&items, 1).iter().max().unwrap();
    assert!(planned.start.unwrap() >= last_lesson_end, "{items:#?}");
    assert!(planned.end.unwrap() <= due, "{items:#?}");
    assert_eq!(planned.due, Some(due));
    // Module 1 is spread over the sittings before the deadline (Monday and
    // Tuesday), module 2 over the rest of the window.
    assert_eq!(
        lesson_starts(&items),
        [
            "2025-03-03 19:00",
            "2025-03-04 19:00",
            "2025-03-05 19:00",
            "2025-03-18 19:00"
        ]
        .map(utc)
    );
}

#[test]
fn lessons_spread_past_their_deadline_are_compressed_inside_the_sub_window() {
    // Due Tuesday 20:00: spread, lesson 2 would be Tuesday 19:00–20:00.
    let due = utc("2025-03-04 20:00");
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![quiz(1, Some(due))])]);
    input.outline.end = Some(utc("2025-03-31 00:00"));
    let items = plan(&input).unwrap();
    assert_eq!(
        lesson_starts(&items),
        ["2025-03-03 19:00", "2025-03-03 20:00"].map(utc)
    );
    assert_eq!(start_of(&items, "quiz:1"), utc("2025-03-03 21:00"));
}

#[test]
fn a_quiz_due_too_soon_for_its_lessons_takes_the_last_free_half_hour_before_it() {
    let due = utc("2025-03-05 12:00");
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![quiz(1, Some(due))])]);
    input.outline.end = Some(utc("2025-03-31 00:00"));
    // No sitting is left before the due date.
    input.now = utc("2025-03-05 08:00");
    let items = plan(&input).unwrap();
    let planned = item(&items, "quiz:1");
    assert_eq!(
        (planned.start, planned.due),
        (Some(due - Duration::minutes(30)), Some(due))
    );

    input.outline.live_sessions = vec![live(1, "2025-03-05 11:00", "2025-03-05 12:00", false)];
    assert_eq!(
        start_of(&plan(&input).unwrap(), "quiz:1"),
        utc("2025-03-05 10:30")
    );
}

#[test]
fn a_quiz_due_before_the_next_sitting_is_not_planned_before_now_nor_overdue() {
    // Monday 20:00, after Monday's 19:00 sitting; the lessons are done.
    let due = utc("2025-03-04 12:00");
    let mut input = input(vec![module(1, lessons(1, 1, 45), vec![quiz(1, Some(due))])]);
    input.now = utc("2025-03-03 20:00");
    input.kept = vec![KeptItem {
        key: "lesson:1".into(),
        start: Some(utc("2025-03-03 19:00")),
        end: Some(utc("2025-03-03 19:45")),
        due: None,
    }];
    let items = plan(&input).unwrap();
    let planned = item(&items, "quiz:1");
    assert!(planned.start.unwrap() >= input.now, "{planned:?}");
    assert!(planned.end.unwrap() <= due, "{planned:?}");
    assert_eq!(planned.due, Some(due));
}

#[test]
fn a_quiz_comes_before_the_next_modules_lessons_in_a_shared_sitting() {
    let mut input = input(vec![
        module(1, lessons(1, 2, 45), vec![quiz(1, None)]),
        module(2, lessons(3, 2, 45), vec![]),
    ]);
    input.preferences.study_days = vec![Weekday::Wed];
    input.outline.end = Some(utc("2025-03-06 00:00"));
    let items = plan(&input).unwrap();
    let planned = item(&items, "quiz:1");
    assert_eq!(planned.start, item(&items, "lesson:2").end);
    assert!(planned.end.unwrap() <= start_of(&items, "lesson:3"));
    assert_eq!(
        (planned.start, start_of(&items, "lesson:3")),
        (Some(utc("2025-03-05 20:30")), utc("2025-03-05 21:00"))
    );
}

#[test]
fn a_quiz_due_later_stays_after_its_lessons_with_its_fixed_due_date() {
    let due = utc("2025-03-20 12:00");
    let input = input(vec![module(1, lessons(1, 1, 60), vec![quiz(1, Some(due))])]);
    let items = plan(&input).unwrap();
    assert_eq!(start_of(&items, "quiz:1"), utc("2025-03-03 20:00"));
    assert_eq!(item(&items, "quiz:1").due, Some(due));
}

// Rule 5: milestones.

#[test]
fn milestones_fall_at_the_end_of_the_lesson_reaching_each_quarter() {
    let items = plan(&input(vec![module(1, lessons(1, 5, 60), vec![])])).unwrap();
    // ceil(p * 5 / 100): lessons 2, 3, 4 and 5.
    for (percent, lesson, title) in [
        (25, 2, "25 % du cours"),
        (50, 3, "50 % du cours"),
        (75, 4, "75 % du cours"),
        (100, 5, "Fin du cours"),
    ] {
        let milestone = item(&items, &keys::milestone(percent));
        assert_eq!(milestone.item_type, ItemType::Milestone);
        assert_eq!(milestone.title, title);
        assert_eq!(milestone.due, item(&items, &keys::lesson(lesson)).end);
    }
}

#[test]
fn a_single_lesson_still_gives_four_milestones() {
    let items = plan(&input(vec![module(1, lessons(1, 1, 60), vec![])])).unwrap();
    let milestones: Vec<_> = items
        .iter()
        .filter(|i| i.item_type == ItemType::Milestone)
        .collect();
    assert_eq!(milestones.len(), 4);
    assert!(
        milestones
            .iter()
            .all(|m| m.due == item(&items, "lesson:1").end)
    );
}

#[test]
fn a_course_without_lessons_has_no_milestones() {
    let items = plan(&input(vec![module(1, vec![], vec![quiz(1, None)])])).unwrap();
    assert!(items.iter().all(|i| i.item_type != ItemType::Milestone));
    assert_eq!(start_of(&items, "quiz:1"), utc("2025-03-03 19:00"));
}

// Rule 6: determinism and order.

#[test]
fn the_same_input_gives_the_same_sorted_plan() {
    let mut input = input(vec![
        module(1, lessons(1, 6, 40), vec![quiz(1, None)]),
        module(
            2,
            lessons(7, 6, 50),
            vec![quiz(2, Some(utc("2025-03-12 12:00")))],
        ),
    ]);
    input.outline.live_sessions = vec![live(1, "2025-03-05 19:00", "2025-03-05 20:00", false)];
    let first = plan(&input).unwrap();
    assert_eq!(first, plan(&input).unwrap());
    let order: Vec<_> = first
        .iter()
        .map(|i| (i.start.or(i.due), i.key.clone()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn study_blocks_never_overlap_each_other_or_live_sessions() {
    let mut input = input(vec![
        module(1, lessons(1, 12, 50), vec![quiz(1, None), quiz(2, None)]),
        module(
            2,
            lessons(13, 12, 70),
            vec![quiz(3, Some(utc("2025-03-06 19:10")))],
        ),
    ]);
    input.outline.end = Some(utc("2025-03-10 00:00"));
    input.outline.live_sessions = (3..8)
        .map(|day| {
            live(
                day,
                &format!("2025-03-0{day} 19:20"),
                &format!("2025-03-0{day} 20:00"),
                false,
            )
        })
        .collect();
    let items = plan(&input).unwrap();
    let blocks = study_blocks(&items);
    for (i, a) in blocks.iter().enumerate() {
        assert!(
            blocks[i + 1..].iter().all(|b| !overlaps(*a, *b)),
            "{a:?} overlaps a block"
        );
        assert!(
            input
                .outline
                .live_sessions
                .iter()
                .all(|l| !overlaps(*a, (l.start, l.end)))
        );
    }
}

// Rule 7: kept items and re-planning.

#[test]
fn replanning_after_the_first_lessons_are_done_keeps_them_in_place() {
    let mut input = input(vec![module(1, lessons(1, 6, 60), vec![quiz(1, None)])]);
    input.preferences.timezone = tz("Europe/Paris");
    let first = plan(&input).unwrap();
    input.kept = ["lesson:1", "lesson:2"]
        .map(|key| {
            let done = item(&first, key);
            KeptItem {
                key: key.into(),
                start: done.start,
                end: done.end,
                due: done.due,
            }
        })
        .to_vec();
    input.now = item(&first, "lesson:2").end.unwrap() + Duration::hours(1);

    let again = plan(&input).unwrap();
    assert_eq!(again, plan(&input).unwrap());
    for key in ["lesson:1", "lesson:2"] {
        assert_eq!(item(&again, key), item(&first, key));
    }
    for key in ["lesson:3", "lesson:4", "lesson:5", "lesson:6", "quiz:1"] {
        assert!(
            start_of(&again, key) >= input.now,
            "{key} is planned from now on"
        );
    }
}

#[test]
fn a_lesson_moved_by_the_student_is_not_planned_again() {
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
    let moved = KeptItem {
        key: "lesson:2".into(),
        start: Some(utc("2025-03-03 19:00")),
        end: Some(utc("2025-03-03 20:00")),
        due: None,
    };
    input.kept = vec![moved.clone()];
    let items = plan(&input).unwrap();
    assert_eq!(items.iter().filter(|i| i.key == "lesson:2").count(), 1);
    assert_eq!(
        (item(&items, "lesson:2").start, item(&items, "lesson:2").end),
        (moved.start, moved.end)
    );
    assert_eq!(
        start_of(&items, "lesson:1"),
        utc("2025-03-03 20:00"),
        "around the moved lesson"
    );
}

// Rule 8: bad input.

#[test]
fn invalid_preferences_and_dates_are_field_errors() {
    let base = input(vec![module(1, lessons(1, 1, 60), vec![])]);
    let mut no_days = base.clone();
    no_days.preferences.study_days.clear();
    assert_eq!(plan(&no_days).unwrap_err().field, "study_days");
    for hours in [0, 61] {
        let mut bad_hours = base.clone();
        bad_hours.preferences.hours_per_week = hours;
        assert_eq!(plan(&bad_hours).unwrap_err().field, "hours_per_week");
    }
    let mut reversed = base.clone();
    reversed.outline.start = Some(utc("2025-04-01 00:00"));
    reversed.outline.end = Some(utc("2025-03-01 00:00"));
    let error = plan(&reversed).unwrap_err();
    assert_eq!(error.field, "end");
    assert!(error.to_string().starts_with("end: "));
    assert_eq!(
        Preferences::parse_timezone("Mars/Olympus")
            .unwrap_err()
            .field,
        "timezone"
    );
    assert_eq!(
        Preferences::parse_timezone(" America/Montreal ").unwrap(),
        tz("America/Montreal")
    );
}

// Rule 9: extreme input never panics nor runs away.

#[test]
fn estimated_weeks_out_of_range_are_errors_or_ignored() {
    for weeks in [521, i32::MAX] {
        let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
        input.outline.estimated_weeks = Some(weeks);
        assert_eq!(plan(&input).unwrap_err().field, "estimated_weeks");
    }
    for weeks in [0, -1, i32::MIN] {
        let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
        input.outline.estimated_weeks = Some(weeks);
        assert_eq!(
            lesson_starts(&plan(&input).unwrap())[0],
            utc("2025-03-03 19:00")
        );
    }
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
    input.outline.estimated_weeks = Some(520);
    assert!(plan(&input).is_ok());
}

#[test]
fn a_far_course_end_is_clamped_to_ten_years() {
    let mut input = input(vec![module(1, lessons(1, 2, 60), vec![])]);
    input.outline.end = Some(DateTime::<Utc>::MAX_UTC);
    let starts = lesson_starts(&plan(&input).unwrap());
    assert_eq!(starts[0], utc("2025-03-03 19:00"));
    assert!(starts[1] < utc("2035-03-04 00:00"), "{starts:?}");
    assert!(starts[1] > utc("2030-01-01 00:00"), "{starts:?}");

    input.outline.end = Some(utc("9999-12-31 00:00"));
    assert_eq!(lesson_starts(&plan(&input).unwrap()), starts);
}

#[test]
fn huge_lesson_durations_are_clamped_to_a_day() {
    let mut input = input(vec![module(
        1,
        lessons(1, 2, i32::MAX),
        vec![quiz(1, None)],
    )]);
    input.outline.modules[0].lessons[1].duration_minutes = i32::MIN;
    let items = plan(&input).unwrap();
    let first = item(&items, "lesson:1");
    assert_eq!(
        first.end.unwrap() - first.start.unwrap(),
        Duration::hours(24)
    );
    let second = item(&items, "lesson:2");
    assert_eq!(
        second.end.unwrap() - second.start.unwrap(),
        Duration::minutes(15)
    );
}

#[test]
fn dates_at_chronos_limits_give_errors_or_plans_never_panics() {
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    let base = input(vec![
        module(1, lessons(1, 3, 60), vec![quiz(1, Some(min))]),
        module(2, lessons(4, 2, 60), vec![quiz(2, Some(max))]),
    ]);
    let mut cases = Vec::new();
    for instant in [min, max, max - Duration::minutes(10)] {
        let mut at_now = base.clone();
        at_now.now = instant;
        at_now.enrolled_at = instant;
        cases.push(at_now);
        let mut at_start = base.clone();
        at_start.outline.start = Some(instant);
        cases.push(at_start);
        let mut kept = base.clone();
        kept.kept = vec![KeptItem {
            key: "custom:1".into(),
            start: Some(instant),
            end: None,
            due: None,
        }];
        cases.push(kept);
        let mut live = base.clone();
        live.outline.live_sessions = vec![LiveOutline {
            id: 1,
            title: "Direct".into(),
            start: utc("2025-03-03 18:00"),
            end: instant,
            cancelled: false,
        }];
        cases.push(live);
    }
    for mut case in cases {
        for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"] {
            case.preferences.timezone = tz(zone);
            match plan(&case) {
                Ok(items) => assert!(!items.is_empty()),
                Err(error) => assert!(!error.field.is_empty()),
            }
        }
    }
}

// Stored preferences.

#[test]
fn time_of_day_round_trips_through_its_name() {
    for time in [TimeOfDay::Morning, TimeOfDay::Afternoon, TimeOfDay::Evening] {
        assert_eq!(time.as_str().parse::<TimeOfDay>().unwrap(), time);
        assert_eq!(time.to_string(), time.as_str());
    }
    assert_eq!(TimeOfDay::Morning.as_str(), "morning");
    assert_eq!(
        " evening ".parse::<TimeOfDay>().unwrap(),
        TimeOfDay::Evening
    );
    for bad in ["", "Morning", "night"] {
        assert_eq!(
            bad.parse::<TimeOfDay>().unwrap_err().field,
            "preferred_time"
        );
    }
}

#[test]
fn study_days_round_trip_through_iso_weekday_numbers() {
    let weekdays = Preferences::default().study_days;
    assert_eq!(Preferences::format_study_days(&weekdays), "1,2,3,4,5");
    assert_eq!(
        Preferences::parse_study_days("1,2,3,4,5").unwrap(),
        weekdays
    );
    assert_eq!(
        Preferences::parse_study_days(" 7, 3 ").unwrap(),
        [Weekday::Sun, Weekday::Wed]
    );
    assert_eq!(Preferences::format_study_days(&[Weekday::Sun]), "7");
    for bad in [
        "", " ", "0", "8", "1,,2", "1,2,", "mon", "1;2", "2,2", "-1", "256",
    ] {
        assert_eq!(
            Preferences::parse_study_days(bad).unwrap_err().field,
            "study_days",
            "{bad:?}"
        );
    }
}
