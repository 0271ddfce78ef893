//! Course-wide re-plans: how long the instructor's change takes (it queues
//! a job) and how long the job worker takes to re-plan every schedule.
//! `cargo bench -p mdsc-schedule --bench replans` (SQLite), or with
//! `TEST_DATABASE_URL=postgres://…` for PostgreSQL; `REPLAN_STUDENTS`
//! (default 500) students, each with a schedule of 100 lessons and 10
//! quizzes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use mdsc_auth::Role;
use mdsc_auth::testing::insert_user;
use mdsc_core::testing::TestDb;
use mdsc_core::{Clock, ManualClock};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::structure::{LessonInput, ModuleInput, QuizInput, create_module, create_quiz};
use mdsc_schedule::hooks;
use mdsc_schedule::replan_jobs::{SLICE, run_due};
use mdsc_schedule::service::{PreferencesInput, generate_schedule};

const MODULES: usize = 10;
const LESSONS: usize = 10;
const CHANGES: usize = 20;

fn lesson(title: String, minutes: i32) -> LessonInput {
    LessonInput {
        title: Some(title),
        duration_minutes: Some(minutes),
        ..LessonInput::default()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

fn main() {
    let students: u32 = std::env::var("REPLAN_STUDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let db = TestDb::new();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let settings = mdsc_schedule::ScheduleSettings::new("http://bench", "http://bench");
    let mut conn = db.conn();
    let seed_start = Instant::now();
    // Inserted without password hashing, which is not what is measured.
    let teacher = insert_user(&mut conn, &clock, Role::Instructor, 0);
    let course = create_course(
        &mut conn,
        &teacher,
        &clock,
        CourseInput {
            title: "Large course".into(),
            estimated_duration_weeks: Some(12),
            ..CourseInput::default()
        },
    )
    .unwrap();
    let mut lessons = Vec::new();
    for m in 0..MODULES {
        let module = create_module(
            &mut conn,
            &teacher,
            &clock,
            course.id,
            ModuleInput {
                title: Some(format!("Module {m}")),
                ..ModuleInput::default()
            },
        )
        .unwrap();
        for l in 0..LESSONS {
            let created = mdsc_course::structure::create_lesson(
                &mut conn,
                &teacher,
                &clock,
                module.id,
                lesson(format!("Lesson {m}.{l}"), 45),
            )
            .unwrap();
            lessons.push(created.id);
        }
        create_quiz(
            &mut conn,
            &teacher,
            &clock,
            module.id,
            QuizInput {
                title: Some(format!("Quiz {m}")),
                ..QuizInput::default()
            },
        )
        .unwrap();
    }
    for n in 1..=students {
        let student = insert_user(&mut conn, &clock, Role::Student, n);
        let enrollment = enroll(
            &mut conn,
            &student,
            &clock,
            EnrollInput {
                course_id: course.id,
                payment_id: None,
                auto_generate_schedule: Some(false),
            },
        )
        .unwrap();
        generate_schedule(
            &mut conn,
            &student,
            &clock,
            &settings,
            enrollment.id,
            PreferencesInput::default(),
        )
        .unwrap();
    }
    println!(
        "{:?}: {students} schedules of {} lessons seeded in {:.1} s",
        db.backend(),
        lessons.len(),
        seed_start.elapsed().as_secs_f64()
    );

    // The instructor's change: a lesson's new length (re-plans the course).
    let mut requests = Vec::new();
    for i in 0..CHANGES {
        let started = Instant::now();
        hooks::update_lesson(
            &mut conn,
            &teacher,
            &clock,
            lessons[i % lessons.len()],
            lesson(format!("Lesson {i}"), 46 + i32::try_from(i).unwrap()),
        )
        .unwrap();
        requests.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    requests.sort_by(f64::total_cmp);
    println!(
        "update_lesson (new length), {students} students: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        percentile(&requests, 0.5),
        percentile(&requests, 0.95),
        requests[requests.len() - 1]
    );

    // The worker: the last change supersedes the others, then slices.
    let started = Instant::now();
    let mut passes = 0;
    let mut total = mdsc_notify::jobs::RunReport::default();
    loop {
        let report = run_due(&mut conn, "bench", clock.now(), 50).unwrap();
        if report == mdsc_notify::jobs::RunReport::default() {
            break;
        }
        passes += 1;
        total += report;
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!((total.done, total.failed), (1, 0), "{total:?}");
    println!(
        "worker re-plan of {students} schedules: {elapsed:.2} s in {passes} pass(es), {} slices of {SLICE}, \
         {:.2} ms per schedule, {:.0} ms per slice (one transaction); {} superseded jobs",
        total.stepped,
        elapsed * 1000.0 / f64::from(students),
        elapsed * 1000.0 / total.stepped.max(1) as f64,
        total.superseded
    );
}
