//! Reminders before live sessions (issue 7): jobs scheduled with the
//! session, moved, cancelled or dropped with it, sent once when due by the
//! job worker, also with two workers racing on one database; failed jobs
//! retried with back-off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::{Arc, Barrier};

use chrono::{Duration, NaiveDateTime};
use common::{TestApp, id_of};
use diesel::prelude::*;
use mdsc_auth::Role;
use mdsc_core::schema::{jobs, notifications};
use mdsc_core::{Clock, DbConnection};
use mdsc_notify::deadlines;
use mdsc_notify::jobs::{LOCK_FOR, MAX_ATTEMPTS, RunReport, claim, run_due, schedule};
use serde_json::json;

struct Cast {
    instructor: String,
    course_id: i64,
    /// Two enrolled students and the instructor: who hears of a session.
    audience: usize,
}

async fn cast(app: &TestApp) -> Cast {
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    for email in ["a@example.com", "b@example.com"] {
        let (student, _) = app.user(email, Role::Student).await;
        app.enroll(&student, fixture.course_id).await;
    }
    Cast {
        instructor,
        course_id: fixture.course_id,
        audience: 3,
    }
}

async fn create_session(app: &TestApp, cast: &Cast, start: &str, end: &str) -> i64 {
    let res = app
        .post(
            &format!("/api/courses/{}/live-sessions", cast.course_id),
            Some(&cast.instructor),
            json!({"title": "Atelier", "scheduled_start_time": start, "scheduled_end_time": end}),
        )
        .await;
    id_of(res.assert_ok(201))
}

fn reminders_sent(conn: &mut DbConnection) -> i64 {
    notifications::table
        .filter(notifications::kind.eq("live_session_reminder"))
        .count()
        .get_result(conn)
        .unwrap()
}

fn pending_jobs(conn: &mut DbConnection) -> Vec<(String, NaiveDateTime)> {
    jobs::table
        .filter(jobs::finished_at.is_null())
        // The notifications' e-mails (the email module) and the course's
        // re-plans (its lessons were created) are jobs too.
        .filter(jobs::kind.eq("live_reminder"))
        .order(jobs::run_at)
        .select((jobs::job_key, jobs::run_at))
        .load(conn)
        .unwrap()
}

fn at(rfc3339: &str) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .naive_utc()
}

#[actix_web::test]
async fn a_session_is_reminded_a_day_and_a_quarter_hour_before_once_each() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let id = create_session(&app, &cast, "2026-01-20T10:00:00Z", "2026-01-20T11:00:00Z").await;
    let mut conn = app.db.conn();
    assert_eq!(
        pending_jobs(&mut conn),
        [
            (
                format!("live_reminder:{id}:1440"),
                at("2026-01-19T10:00:00Z")
            ),
            (format!("live_reminder:{id}:15"), at("2026-01-20T09:45:00Z")),
        ]
    );
    // Not due yet.
    let report = run_due(&mut conn, "w1", at("2026-01-19T09:59:00Z"), 50).unwrap();
    assert_eq!(report, RunReport::default());
    assert_eq!(reminders_sent(&mut conn), 0);
    // The day before: once, to each of the audience.
    let report = run_due(&mut conn, "w1", at("2026-01-19T10:00:30Z"), 50).unwrap();
    assert_eq!(report.done, 1);
    assert_eq!(reminders_sent(&mut conn), cast.audience as i64);
    let again = run_due(&mut conn, "w1", at("2026-01-19T10:05:00Z"), 50).unwrap();
    assert_eq!(again, RunReport::default());
    assert_eq!(reminders_sent(&mut conn), cast.audience as i64);
    let title: String = notifications::table
        .filter(notifications::kind.eq("live_session_reminder"))
        .select(notifications::title)
        .first(&mut conn)
        .unwrap();
    assert_eq!(title, "Rappel : Atelier commence demain");
    // A quarter of an hour before.
    run_due(&mut conn, "w2", at("2026-01-20T09:46:00Z"), 50).unwrap();
    assert_eq!(reminders_sent(&mut conn), 2 * cast.audience as i64);
    assert!(pending_jobs(&mut conn).is_empty());
}

#[actix_web::test]
async fn a_worker_back_after_the_start_sends_no_stale_reminder() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    create_session(&app, &cast, "2026-01-20T10:00:00Z", "2026-01-20T11:00:00Z").await;
    let mut conn = app.db.conn();
    // The worker was down from before the day-before reminder until after
    // the start: both jobs finish, nobody is told of a session already begun.
    let report = run_due(&mut conn, "w1", at("2026-01-20T10:05:00Z"), 50).unwrap();
    assert_eq!(report.done, 2);
    assert_eq!(reminders_sent(&mut conn), 0);
}

#[actix_web::test]
async fn rescheduling_moves_reminders_and_cancelling_or_deleting_drops_them() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    let moved = create_session(&app, &cast, "2026-01-20T10:00:00Z", "2026-01-20T11:00:00Z").await;
    app.put(
        &format!("/api/live-sessions/{moved}"),
        Some(&cast.instructor),
        json!({"scheduled_start_time": "2026-01-22T14:00:00Z", "scheduled_end_time": "2026-01-22T15:00:00Z"}),
    )
    .await
    .assert_ok(200);
    let cancelled =
        create_session(&app, &cast, "2026-01-21T10:00:00Z", "2026-01-21T11:00:00Z").await;
    app.put(
        &format!("/api/live-sessions/{cancelled}"),
        Some(&cast.instructor),
        json!({"status": "cancelled"}),
    )
    .await
    .assert_ok(200);
    let deleted = create_session(&app, &cast, "2026-01-23T10:00:00Z", "2026-01-23T11:00:00Z").await;
    app.delete(
        &format!("/api/live-sessions/{deleted}"),
        Some(&cast.instructor),
    )
    .await
    .assert_ok(200);
    // A session a few minutes away gets no late reminder.
    let soon = create_session(&app, &cast, "2026-01-15T10:10:00Z", "2026-01-15T11:00:00Z").await;

    let mut conn = app.db.conn();
    assert_eq!(
        pending_jobs(&mut conn),
        [
            (
                format!("live_reminder:{moved}:1440"),
                at("2026-01-21T14:00:00Z")
            ),
            (
                format!("live_reminder:{moved}:15"),
                at("2026-01-22T13:45:00Z")
            ),
        ],
        "session {soon} has none"
    );
    // The old times pass quietly; the new ones remind.
    run_due(&mut conn, "w1", at("2026-01-20T09:50:00Z"), 50).unwrap();
    assert_eq!(reminders_sent(&mut conn), 0);
    run_due(&mut conn, "w1", at("2026-01-22T13:50:00Z"), 50).unwrap();
    assert_eq!(reminders_sent(&mut conn), 2 * cast.audience as i64);
}

#[actix_web::test]
async fn two_workers_send_each_reminder_exactly_once() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    const SESSIONS: usize = 12;
    // All at one time: at `due`, both reminders of every session are due
    // and none has begun.
    for _ in 0..SESSIONS {
        create_session(&app, &cast, "2026-02-01T10:00:00Z", "2026-02-01T11:00:00Z").await;
    }
    let due = at("2026-02-01T09:50:00Z");
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = ["w1", "w2"]
        .into_iter()
        .map(|name| {
            let pool = app.db.pool();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                let mut total = RunReport::default();
                // Small batches so both workers keep claiming while the other runs.
                loop {
                    let report = run_due(&mut conn, name, due, 2).unwrap();
                    if report == RunReport::default() {
                        return total;
                    }
                    total.done += report.done;
                    total.skipped += report.skipped;
                }
            })
        })
        .collect();
    let reports: Vec<RunReport> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let done: usize = reports.iter().map(|r| r.done).sum();
    assert_eq!(done, 2 * SESSIONS, "{reports:?}");
    let mut conn = app.db.conn();
    assert_eq!(
        reminders_sent(&mut conn),
        (2 * SESSIONS * cast.audience) as i64
    );
    // Every (user, session) pair got exactly its two reminders.
    let per_user_and_data: Vec<(i32, String, i64)> = notifications::table
        .filter(notifications::kind.eq("live_session_reminder"))
        .group_by((notifications::user_id, notifications::data))
        .select((
            notifications::user_id,
            notifications::data,
            diesel::dsl::count_star(),
        ))
        .load(&mut conn)
        .unwrap();
    assert!(
        per_user_and_data.iter().all(|(_, _, n)| *n == 1),
        "{per_user_and_data:?}"
    );
}

#[actix_web::test]
async fn a_failing_job_is_retried_with_back_off_then_given_up() {
    let app = TestApp::new();
    let mut conn = app.db.conn();
    let now = app.clock.now();
    schedule(&mut conn, "no_such_kind", "broken:1", &json!({}), now, now).unwrap();
    let first = run_due(&mut conn, "w1", now, 50).unwrap();
    assert_eq!(first.retried, 1);
    let (attempts, run_at, error): (i32, NaiveDateTime, Option<String>) = jobs::table
        .select((jobs::attempts, jobs::run_at, jobs::last_error))
        .first(&mut conn)
        .unwrap();
    assert_eq!((attempts, run_at), (1, now + Duration::minutes(1)));
    assert!(error.unwrap().contains("no_such_kind"));
    // Not before the back-off has passed.
    assert_eq!(
        run_due(&mut conn, "w1", now + Duration::seconds(30), 50).unwrap(),
        RunReport::default()
    );
    let second = run_due(&mut conn, "w1", now + Duration::minutes(1), 50).unwrap();
    assert_eq!(second.retried, 1);
    let run_at: NaiveDateTime = jobs::table.select(jobs::run_at).first(&mut conn).unwrap();
    assert_eq!(run_at, now + Duration::minutes(3));
    // The last attempt gives up.
    diesel::update(jobs::table)
        .set(jobs::attempts.eq(MAX_ATTEMPTS - 1))
        .execute(&mut conn)
        .unwrap();
    let last = run_due(&mut conn, "w1", now + Duration::hours(1), 50).unwrap();
    assert_eq!(last.failed, 1);
    let outcome: Option<String> = jobs::table.select(jobs::outcome).first(&mut conn).unwrap();
    assert_eq!(outcome.as_deref(), Some("failed"));
}

#[actix_web::test]
async fn a_claim_that_outlives_its_worker_is_taken_over_once() {
    let app = TestApp::new();
    let cast = cast(&app).await;
    create_session(&app, &cast, "2026-01-20T10:00:00Z", "2026-01-20T11:00:00Z").await;
    let mut conn = app.db.conn();
    let due = at("2026-01-19T10:00:00Z");
    // A worker claims the day-before reminder, then dies.
    let claimed = claim(&mut conn, "dead", due, 1).unwrap();
    assert_eq!(claimed.len(), 1);
    // Meanwhile it is nobody else's.
    assert_eq!(
        run_due(&mut conn, "alive", due, 50).unwrap(),
        RunReport::default()
    );
    // Once the claim lapses, another worker sends it, once.
    let later = due + LOCK_FOR + Duration::seconds(1);
    assert_eq!(run_due(&mut conn, "alive", later, 50).unwrap().done, 1);
    assert_eq!(reminders_sent(&mut conn), cast.audience as i64);
}

fn deadline_reminders(conn: &mut DbConnection) -> Vec<(i32, String)> {
    notifications::table
        .filter(notifications::kind.eq("quiz_deadline"))
        .order(notifications::id)
        .select((notifications::user_id, notifications::data))
        .load(conn)
        .unwrap()
}

#[actix_web::test]
async fn students_who_have_not_passed_a_quiz_are_reminded_once_a_day_before() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    let mut students = Vec::new();
    for email in [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ] {
        let (token, id) = app.user(email, Role::Student).await;
        let enrollment = app.enroll(&token, fixture.course_id).await;
        students.push((token, id, enrollment));
    }
    app.put(
        &format!("/api/quizzes/{}", fixture.quiz_id),
        Some(&instructor),
        json!({"due_date": "2026-01-16T12:00:00Z"}),
    )
    .await
    .assert_ok(200);
    // b passes the quiz, c leaves the course: neither is reminded.
    app.answer_quiz(&students[1].0, students[1].2, &fixture, true)
        .await
        .assert_ok(200);
    app.delete(
        &format!("/api/enrollments/{}", students[2].2),
        Some(&students[2].0),
    )
    .await
    .assert_ok(200);
    // d failed it: still reminded.
    app.answer_quiz(&students[3].0, students[3].2, &fixture, false)
        .await
        .assert_ok(200);

    let mut conn = app.db.conn();
    // More than a day ahead: nothing yet.
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T11:59:00Z")).unwrap(),
        0
    );
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T12:00:30Z")).unwrap(),
        2
    );
    let sent = deadline_reminders(&mut conn);
    let reminded: Vec<i32> = sent.iter().map(|(user, _)| *user).collect();
    assert_eq!(reminded, [students[0].1 as i32, students[3].1 as i32]);
    let data: serde_json::Value = serde_json::from_str(&sent[0].1).unwrap();
    assert_eq!(data["quiz_id"], fixture.quiz_id);
    assert_eq!(data["due_date"], "2026-01-16T12:00:00+00:00");
    // Once only.
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T18:00:00Z")).unwrap(),
        0
    );
    assert_eq!(deadline_reminders(&mut conn).len(), 2);
    // Past the deadline, nothing more.
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-16T12:00:01Z")).unwrap(),
        0
    );
}

#[actix_web::test]
async fn a_deadline_counted_from_enrollment_is_reminded_per_student() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    app.put(
        &format!("/api/quizzes/{}", fixture.quiz_id),
        Some(&instructor),
        json!({"due_offset_days": 2}),
    )
    .await
    .assert_ok(200);
    let (early, early_id) = app.user("early@example.com", Role::Student).await;
    app.enroll(&early, fixture.course_id).await;
    app.clock.advance(Duration::hours(6));
    let (late, late_id) = app.user("late@example.com", Role::Student).await;
    app.enroll(&late, fixture.course_id).await;

    let mut conn = app.db.conn();
    // early is due 2026-01-17T10:00, late 2026-01-17T16:00.
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-16T09:59:00Z")).unwrap(),
        0
    );
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-16T10:00:30Z")).unwrap(),
        1
    );
    assert_eq!(deadline_reminders(&mut conn)[0].0, early_id as i32);
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-16T16:00:30Z")).unwrap(),
        1
    );
    assert_eq!(deadline_reminders(&mut conn)[1].0, late_id as i32);
}

#[actix_web::test]
async fn concurrent_deadline_sweeps_remind_each_student_once() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    for n in 0..10 {
        let (token, _) = app.user(&format!("s{n}@example.com"), Role::Student).await;
        app.enroll(&token, fixture.course_id).await;
    }
    app.put(
        &format!("/api/quizzes/{}", fixture.quiz_id),
        Some(&instructor),
        json!({"due_date": "2026-01-15T20:00:00Z"}),
    )
    .await
    .assert_ok(200);
    let barrier = Arc::new(Barrier::new(2));
    let sweeps: Vec<_> = (0..2)
        .map(|_| {
            let pool = app.db.pool();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                deadlines::sweep(&mut conn, at("2026-01-15T10:00:00Z")).unwrap()
            })
        })
        .collect();
    let sent: usize = sweeps.into_iter().map(|s| s.join().unwrap()).sum();
    assert_eq!(sent, 10);
    let mut conn = app.db.conn();
    assert_eq!(deadline_reminders(&mut conn).len(), 10);
}

#[actix_web::test]
async fn a_moved_deadline_is_reminded_once_more_an_unchanged_one_is_not() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    let (student, student_id) = app.user("a@example.com", Role::Student).await;
    app.enroll(&student, fixture.course_id).await;
    let set_deadline = |due: &'static str| {
        let (app, instructor) = (&app, &instructor);
        async move {
            app.put(
                &format!("/api/quizzes/{}", fixture.quiz_id),
                Some(instructor),
                json!({ "due_date": due }),
            )
            .await
            .assert_ok(200);
        }
    };
    set_deadline("2026-01-16T08:00:00Z").await;
    let mut conn = app.db.conn();
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T10:00:30Z")).unwrap(),
        1
    );
    // Unchanged: not again.
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T12:00:00Z")).unwrap(),
        0
    );
    // Put off by twelve hours: reminded once more, a day before the new one.
    set_deadline("2026-01-16T20:00:00Z").await;
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T19:59:00Z")).unwrap(),
        0
    );
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T20:00:30Z")).unwrap(),
        1
    );
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-16T08:00:00Z")).unwrap(),
        0
    );
    let sent = deadline_reminders(&mut conn);
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|(user, _)| *user == student_id as i32));
    let second: serde_json::Value = serde_json::from_str(&sent[1].1).unwrap();
    assert_eq!(second["due_date"], "2026-01-16T20:00:00+00:00");
}

#[actix_web::test]
async fn a_reminder_recorded_under_the_old_key_is_not_sent_again() {
    let app = TestApp::new();
    let (instructor, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&instructor).await;
    let (student, _) = app.user("a@example.com", Role::Student).await;
    let enrollment = app.enroll(&student, fixture.course_id).await;
    app.put(
        &format!("/api/quizzes/{}", fixture.quiz_id),
        Some(&instructor),
        json!({ "due_date": "2026-01-16T08:00:00Z" }),
    )
    .await
    .assert_ok(200);
    let mut conn = app.db.conn();
    {
        let now = at("2026-01-15T09:00:00Z");
        // What a sweep before keys named the deadline recorded.
        diesel::insert_into(jobs::table)
            .values((
                jobs::kind.eq("quiz_deadline"),
                jobs::job_key.eq(format!("quiz_deadline:{}:{enrollment}", fixture.quiz_id)),
                jobs::payload.eq("{}"),
                jobs::run_at.eq(now),
                jobs::attempts.eq(1),
                jobs::outcome.eq("done"),
                jobs::finished_at.eq(now),
                jobs::created_at.eq(now),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    assert_eq!(
        deadlines::sweep(&mut conn, at("2026-01-15T10:00:30Z")).unwrap(),
        0
    );
}
