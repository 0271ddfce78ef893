//! Deadline reminders: a student with a quiz due within 24 hours that they
//! have not passed hears of it once. The worker sweeps for such (student,
//! quiz) pairs; each reminder is recorded as a finished job with the key
//! `quiz_deadline:{quiz}:{enrollment}:{deadline}`, whose uniqueness makes
//! it once only, also with several workers. The deadline is part of the
//! key: a deadline moved after its reminder was sent is reminded once
//! more, when the new one comes within 24 hours; an unchanged one is not.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::schema::{courses, enrollments, jobs, quiz_attempts, quizzes};
use mdsc_core::{DbConnection, Error, write_transaction};
use mdsc_course::EnrollmentStatus;
use serde_json::json;

use crate::deliver::{Delivery, notify};
use crate::kind::NotificationKind;
use crate::locale::{Texts, when};

/// How long before its deadline a quiz is reminded.
pub const DEADLINE_NOTICE: Duration = Duration::hours(24);
const DEADLINE_JOB: &str = "quiz_deadline";

/// A quiz whose deadline some active students reach soon.
struct Due {
    quiz_id: i32,
    course_id: i32,
    title: String,
    /// (enrollment id, student id, deadline)
    students: Vec<(i32, i32, NaiveDateTime)>,
}

/// Sends the deadline reminders due at `now`; returns how many students
/// were reminded.
pub fn sweep(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, Error> {
    let horizon = now + DEADLINE_NOTICE;
    let mut sent = 0;
    for due in fixed_deadlines(conn, now, horizon)?
        .into_iter()
        .chain(offset_deadlines(conn, now, horizon)?)
    {
        // One quiz failing must not hold back the others' reminders.
        match remind(conn, &due, now) {
            Ok(count) => sent += count,
            Err(e) => log::error!("deadline reminders of quiz {}: {e}", due.quiz_id),
        }
    }
    Ok(sent)
}

/// Quizzes with a date of their own in `(now, horizon]`.
fn fixed_deadlines(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
) -> Result<Vec<Due>, Error> {
    let quizzes: Vec<(i32, i32, String, Option<NaiveDateTime>)> = quizzes::table
        .filter(quizzes::due_date.gt(now))
        .filter(quizzes::due_date.le(horizon))
        .select((
            quizzes::id,
            quizzes::course_id,
            quizzes::title,
            quizzes::due_date,
        ))
        .load(conn)?;
    let mut found = Vec::new();
    for (quiz_id, course_id, title, due) in quizzes {
        let Some(due) = due else { continue };
        let students: Vec<(i32, i32)> = enrollments::table
            .filter(enrollments::course_id.eq(course_id))
            .filter(enrollments::status.eq(EnrollmentStatus::Active.as_str()))
            .select((enrollments::id, enrollments::user_id))
            .load(conn)?;
        found.push(Due {
            quiz_id,
            course_id,
            title,
            students: students.into_iter().map(|(e, u)| (e, u, due)).collect(),
        });
    }
    Ok(found)
}

/// Quizzes due some days after each enrollment: the enrollments whose
/// deadline falls in `(now, horizon]`.
fn offset_deadlines(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
) -> Result<Vec<Due>, Error> {
    let quizzes: Vec<(i32, i32, String, Option<i32>)> = quizzes::table
        .filter(quizzes::due_date.is_null())
        .filter(quizzes::due_offset_days.is_not_null())
        .select((
            quizzes::id,
            quizzes::course_id,
            quizzes::title,
            quizzes::due_offset_days,
        ))
        .load(conn)?;
    let mut found = Vec::new();
    for (quiz_id, course_id, title, days) in quizzes {
        let Some(offset) = days.and_then(|d| Duration::try_days(i64::from(d))) else {
            continue;
        };
        // enrolled_at + offset in (now, horizon].
        let (Some(from), Some(to)) = (
            now.checked_sub_signed(offset),
            horizon.checked_sub_signed(offset),
        ) else {
            continue;
        };
        let students: Vec<(i32, i32, NaiveDateTime)> = enrollments::table
            .filter(enrollments::course_id.eq(course_id))
            .filter(enrollments::status.eq(EnrollmentStatus::Active.as_str()))
            .filter(enrollments::enrolled_at.gt(from))
            .filter(enrollments::enrolled_at.le(to))
            .select((
                enrollments::id,
                enrollments::user_id,
                enrollments::enrolled_at,
            ))
            .load(conn)?;
        if students.is_empty() {
            continue;
        }
        found.push(Due {
            quiz_id,
            course_id,
            title,
            students: students
                .into_iter()
                .map(|(e, u, enrolled)| (e, u, enrolled + offset))
                .collect(),
        });
    }
    Ok(found)
}

/// The deadline to the second, in UTC (`20260116T120000Z`).
fn job_key(quiz_id: i32, enrollment_id: i32, deadline: NaiveDateTime) -> String {
    format!(
        "{DEADLINE_JOB}:{quiz_id}:{enrollment_id}:{}",
        deadline.format("%Y%m%dT%H%M%SZ")
    )
}

/// The key of reminders recorded before keys named the deadline: such a
/// student was reminded of this quiz already (upgrading sends no repeat).
fn legacy_job_key(quiz_id: i32, enrollment_id: i32) -> String {
    format!("{DEADLINE_JOB}:{quiz_id}:{enrollment_id}")
}

/// Reminds the students of `due` who have neither passed the quiz nor been
/// reminded; each in its own transaction with its record.
fn remind(conn: &mut DbConnection, due: &Due, now: NaiveDateTime) -> Result<usize, Error> {
    let passed: BTreeSet<i32> = quiz_attempts::table
        .filter(quiz_attempts::quiz_id.eq(due.quiz_id))
        .filter(quiz_attempts::passed.eq(true))
        .select(quiz_attempts::enrollment_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    // Exact keys (the unique index), not a LIKE prefix scan.
    let keys: Vec<String> = due
        .students
        .iter()
        .flat_map(|&(enrollment_id, _, deadline)| {
            [
                job_key(due.quiz_id, enrollment_id, deadline),
                legacy_job_key(due.quiz_id, enrollment_id),
            ]
        })
        .collect();
    let mut reminded = BTreeSet::new();
    for chunk in keys.chunks(500) {
        reminded.extend(
            jobs::table
                .filter(jobs::job_key.eq_any(chunk))
                .select(jobs::job_key)
                .load::<String>(conn)?,
        );
    }
    let (course_title, slug): (String, String) = courses::table
        .find(due.course_id)
        .select((courses::title, courses::slug))
        .first(conn)?;
    let mut sent = 0;
    for &(enrollment_id, user_id, deadline) in &due.students {
        let key = job_key(due.quiz_id, enrollment_id, deadline);
        if passed.contains(&enrollment_id)
            || reminded.contains(&key)
            || reminded.contains(&legacy_job_key(due.quiz_id, enrollment_id))
        {
            continue;
        }
        let at = when(deadline);
        let outcome = write_transaction(conn, |conn| -> Result<(), Error> {
            // The record first: a concurrent sweep that got there before
            // makes this insert fail, and nothing is sent twice.
            diesel::insert_into(jobs::table)
                .values((
                    jobs::kind.eq(DEADLINE_JOB),
                    jobs::job_key.eq(&key),
                    jobs::payload.eq(
                        json!({"quiz_id": due.quiz_id, "enrollment_id": enrollment_id, "due_date": deadline})
                            .to_string(),
                    ),
                    jobs::run_at.eq(now),
                    jobs::attempts.eq(1),
                    jobs::outcome.eq("done"),
                    jobs::finished_at.eq(now),
                    jobs::created_at.eq(now),
                ))
                .execute(conn)?;
            notify(
                conn,
                Delivery {
                    kind: NotificationKind::QuizDeadline,
                    actor_id: None,
                    recipients: vec![user_id],
                    title: Texts::new(
                        format!("Quiz à rendre bientôt : {}", due.title),
                        format!("Quiz due soon: {}", due.title),
                    ),
                    body: Texts::new(
                        format!("{course_title} — à rendre avant le {}", at.fr),
                        format!("{course_title} — due by {}", at.en),
                    ),
                    data: json!({
                        "course_id": due.course_id,
                        "quiz_id": due.quiz_id,
                        "enrollment_id": enrollment_id,
                        "due_date": deadline.and_utc().to_rfc3339(),
                        "link": format!("/courses/{slug}/quizzes/{}", due.quiz_id),
                    }),
                    subject: None,
                },
                now,
            )?;
            Ok(())
        });
        match outcome {
            Ok(()) => sent += 1,
            // Another worker reminded this student meanwhile.
            Err(e) if e.code == "ALREADY_EXISTS" => {}
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}
