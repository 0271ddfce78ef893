//! Course-wide re-plans in the job worker: a change to the whole plan (a
//! new lesson, a new length, new course dates) queues a job in its own
//! transaction; the worker re-plans every schedule of the course in
//! slices; a later change supersedes a re-plan still to run; two workers
//! on real concurrent connections re-plan each schedule and finish the
//! job once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_core::schema::jobs;
use mdsc_core::testing::race;
use mdsc_course::structure::LessonInput;
use mdsc_notify::jobs::{REPLAN_JOB, RunReport};
use mdsc_schedule::hooks;
use mdsc_schedule::replan_jobs::{SLICE, run_due};

/// The course's students with a generated schedule each.
fn planned_cast(w: &mut World, students: usize) -> Cast {
    let cast = w.cast(students);
    for (student, enrollment) in cast.students.iter().zip(&cast.enrollments) {
        w.generate(student, *enrollment);
    }
    cast
}

fn new_lesson(
    w: &mut World,
    cast: &Cast,
    actor: &mdsc_auth::Principal,
) -> Result<i32, mdsc_core::Error> {
    hooks::create_lesson(
        &mut w.conn,
        actor,
        &w.clock,
        cast.course.modules[0],
        LessonInput {
            title: Some("Hooks".to_owned()),
            duration_minutes: Some(40),
            ..LessonInput::default()
        },
    )
    .map(|lesson| lesson.id)
}

/// The schedules that have an item for `lesson_id`.
fn planned_with(w: &mut World, cast: &Cast, lesson_id: i32) -> usize {
    let key = lesson_key(lesson_id);
    cast.enrollments
        .clone()
        .into_iter()
        .filter(|e| w.try_item(*e, &key).is_some())
        .count()
}

fn replan_outcomes(w: &mut World) -> Vec<Option<String>> {
    jobs::table
        .filter(jobs::kind.eq(REPLAN_JOB))
        .order(jobs::id)
        .select(jobs::outcome)
        .load(&mut w.conn)
        .unwrap()
}

#[test]
fn a_new_lesson_is_planned_by_the_worker_in_slices_not_in_the_request() {
    let mut w = World::new();
    let students = usize::try_from(SLICE).unwrap() + 5;
    let cast = planned_cast(&mut w, students);
    let lesson = new_lesson(&mut w, &cast, &cast.instructor.clone()).unwrap();
    // The request only queued the re-plan.
    assert_eq!(planned_with(&mut w, &cast, lesson), 0);
    assert_eq!(replan_outcomes(&mut w), [None]);

    let now = w.now();
    let report = run_due(&mut w.conn, "w1", now, 10).unwrap();
    // Two slices (50, then 5), then the end.
    assert_eq!(
        report,
        RunReport {
            done: 1,
            stepped: 2,
            ..RunReport::default()
        }
    );
    assert_eq!(planned_with(&mut w, &cast, lesson), students);
    assert_eq!(replan_outcomes(&mut w), [Some("done".to_owned())]);
    // Nothing left to run.
    assert_eq!(
        run_due(&mut w.conn, "w1", now, 10).unwrap(),
        RunReport::default()
    );
}

#[test]
fn a_refused_change_queues_no_replan() {
    let mut w = World::new();
    let cast = planned_cast(&mut w, 1);
    let refused = new_lesson(&mut w, &cast, &cast.other_instructor.clone());
    expect_forbidden(refused);
    assert!(replan_outcomes(&mut w).is_empty());
}

#[test]
fn a_later_change_supersedes_a_replan_still_to_run() {
    let mut w = World::new();
    let cast = planned_cast(&mut w, 3);
    let first = new_lesson(&mut w, &cast, &cast.instructor.clone()).unwrap();
    let second = new_lesson(&mut w, &cast, &cast.instructor.clone()).unwrap();
    let now = w.now();
    let report = run_due(&mut w.conn, "w1", now, 10).unwrap();
    assert_eq!(
        (report.superseded, report.done, report.failed),
        (1, 1, 0),
        "{report:?}"
    );
    // The first stopped without work; the second planned both lessons.
    assert_eq!(
        replan_outcomes(&mut w),
        [Some("cancelled".to_owned()), Some("done".to_owned())]
    );
    assert_eq!(planned_with(&mut w, &cast, first), 3);
    assert_eq!(planned_with(&mut w, &cast, second), 3);
}

#[test]
fn cancelled_enrollments_are_skipped_and_do_not_end_the_replan() {
    let mut w = World::new();
    let students = usize::try_from(SLICE).unwrap() + 2;
    let cast = planned_cast(&mut w, students);
    // A whole first slice of cancelled enrollments: the job goes on.
    diesel::update(
        mdsc_core::schema::enrollments::table
            .filter(mdsc_core::schema::enrollments::id.le(cast.enrollments[students - 3])),
    )
    .set(mdsc_core::schema::enrollments::status.eq("cancelled"))
    .execute(&mut w.conn)
    .unwrap();
    let lesson = new_lesson(&mut w, &cast, &cast.instructor.clone()).unwrap();
    let now = w.now();
    run_due(&mut w.conn, "w1", now, 10).unwrap();
    assert_eq!(planned_with(&mut w, &cast, lesson), 2);
}

#[test]
fn two_workers_replan_every_schedule_and_finish_the_job_once() {
    let mut w = World::new();
    let students = usize::try_from(SLICE).unwrap() * 2 + 10;
    let cast = planned_cast(&mut w, students);
    let lesson = new_lesson(&mut w, &cast, &cast.instructor.clone()).unwrap();
    let now = w.now();
    let reports = race(&w.db.pool(), 2, move |i, conn| {
        run_due(conn, &format!("w{i}"), now, 10)
    });
    let mut total = RunReport::default();
    for report in reports {
        total += report.unwrap();
    }
    assert_eq!(
        (total.done, total.failed, total.retried),
        (1, 0, 0),
        "{total:?}"
    );
    // Three slices, whichever worker ran each.
    assert_eq!(total.stepped, 3, "{total:?}");
    assert_eq!(planned_with(&mut w, &cast, lesson), students);
    assert_eq!(replan_outcomes(&mut w), [Some("done".to_owned())]);
}

/// The instructor keeps editing while a worker re-plans: neither waits on
/// the other in a cycle (no deadlock, no error), and once the worker has
/// caught up every schedule has every new lesson.
#[test]
fn edits_during_a_replan_neither_fail_nor_get_lost() {
    let mut w = World::new();
    let students = usize::try_from(SLICE).unwrap() + 20;
    let cast = planned_cast(&mut w, students);
    new_lesson(&mut w, &cast, &cast.instructor.clone()).unwrap();
    let (now, module, instructor) = (w.now(), cast.course.modules[0], cast.instructor);
    let results = race(&w.db.pool(), 2, move |i, conn| {
        let clock = mdsc_core::ManualClock::new(now);
        if i == 0 {
            return run_due(conn, "w0", now, 10).map(|report| (Vec::new(), Some(report)));
        }
        let added: Result<Vec<i32>, _> = (0..3)
            .map(|n| {
                hooks::create_lesson(
                    conn,
                    &instructor,
                    &clock,
                    module,
                    LessonInput {
                        title: Some(format!("Pendant {n}")),
                        duration_minutes: Some(30),
                        ..LessonInput::default()
                    },
                )
                .map(|lesson| lesson.id)
            })
            .collect();
        added.map(|ids| (ids, None))
    });
    let mut added = Vec::new();
    let mut racing_worker = None;
    for result in results {
        let (ids, report) = result.unwrap();
        added.extend(ids);
        racing_worker = racing_worker.or(report);
    }
    assert_eq!(added.len(), 3);
    // A failed slice waits for its retry (minutes later), so the catch-up
    // below would not finish it: the racing worker must not have failed.
    let racing_worker = racing_worker.unwrap();
    assert_eq!(
        (racing_worker.failed, racing_worker.retried),
        (0, 0),
        "{racing_worker:?}"
    );
    // The worker catches up with the last edit.
    let report = run_due(&mut w.conn, "w1", now, 10).unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    for lesson in added {
        assert_eq!(planned_with(&mut w, &cast, lesson), students);
    }
    assert!(
        replan_outcomes(&mut w)
            .iter()
            .all(|o| matches!(o.as_deref(), Some("done" | "cancelled"))),
        "{:?}",
        replan_outcomes(&mut w)
    );
}
