//! Course-wide re-plans in the job worker. A new lesson, a lesson's new
//! length or new course dates change every schedule of the course; at
//! 5 to 11 ms a schedule, a course of 1,000 students would hold the
//! instructor's request (and SQLite's write lock) for 5 to 11 s. So the
//! change only queues a job, in its own transaction (a rolled-back change
//! queues nothing), and the worker re-plans the schedules in slices of
//! [`SLICE`], one transaction each, in schedule id order.
//!
//! Each request is a job of its own (a unique key: inserting never waits
//! on a job that is running). A job that sees a later request for the same
//! course stops (`cancelled`): the later one re-plans everything from the
//! start, with the course as it is then.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::jobs;
use mdsc_core::{DbConnection, Error};
use mdsc_notify::jobs::{self as job_table, Claimed, Lane, REPLAN_JOB, RunReport, Step};
use serde_json::json;

use crate::propagate::lock_course_schedules_after;
use crate::service::replan;

/// Schedules re-planned per transaction: about half a second of work, so
/// other writers (SQLite's single writer above all) wait no longer.
pub const SLICE: i64 = 50;
/// How long one worker pass keeps re-planning before leaving the rest to
/// the next pass.
const PASS_BUDGET: Duration = Duration::from_secs(5);

fn key_prefix(course_id: i32) -> String {
    format!("{REPLAN_JOB}:{course_id}:")
}

/// Queues the re-plan of every schedule of `course_id`, due now. Call it in
/// the transaction of the change.
pub fn request(conn: &mut DbConnection, course_id: i32, now: NaiveDateTime) -> Result<(), Error> {
    let key = format!(
        "{}{}",
        key_prefix(course_id),
        mdsc_core::random::random_hex(8)?
    );
    let payload = json!({"course_id": course_id, "after": 0});
    job_table::schedule(conn, REPLAN_JOB, &key, &payload, now, now)
}

/// Runs the due re-plans, slice after slice, for up to [`PASS_BUDGET`]
/// (what is left is due at once for the next pass). Several workers share
/// the work through the job claims.
pub fn run_due(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
) -> Result<RunReport, Error> {
    let started = Instant::now();
    let mut total = RunReport::default();
    loop {
        let report = job_table::run_lane(
            conn,
            Lane::Replans,
            worker,
            now,
            limit,
            &|conn, job, payload| run_slice(conn, job, payload, now),
        )?;
        total += report;
        // Only steps leave work due at once; failures wait for their retry.
        if report.stepped == 0 || started.elapsed() >= PASS_BUDGET {
            return Ok(total);
        }
    }
}

/// One slice of a re-plan (the job's row is locked; this commits with the
/// job's next payload).
fn run_slice(
    conn: &mut DbConnection,
    job: &Claimed,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<Step, Error> {
    let number = |name: &str| {
        payload[name]
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| Error::internal(format!("re-plan job {} without {name}", job.id)))
    };
    let (course_id, after) = (number("course_id")?, number("after")?);
    if superseded(conn, job.id, course_id)? {
        return Ok(Step::Superseded);
    }
    let (slice, last) = lock_course_schedules_after(conn, course_id, after, SLICE)?;
    for (schedule, enrollment) in &slice {
        replan(conn, schedule, enrollment, now)?;
    }
    Ok(match last {
        Some(last) => Step::Again(json!({"course_id": course_id, "after": last})),
        None => Step::Done,
    })
}

/// A later re-plan of the same course is queued and unfinished.
fn superseded(conn: &mut DbConnection, job_id: i32, course_id: i32) -> Result<bool, Error> {
    let later: Option<i32> = jobs::table
        .filter(jobs::kind.eq(REPLAN_JOB))
        .filter(jobs::job_key.like(format!("{}%", key_prefix(course_id))))
        .filter(jobs::id.gt(job_id))
        .filter(jobs::finished_at.is_null())
        .select(jobs::id)
        .first(conn)
        .optional()?;
    Ok(later.is_some())
}
