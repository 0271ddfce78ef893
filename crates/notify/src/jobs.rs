//! The job table: work to run at a given time (reminders), claimed by one
//! worker at a time and finished in the transaction of its effect.
//!
//! - Claiming: PostgreSQL `FOR UPDATE SKIP LOCKED`, so workers of several
//!   gateways take different jobs without waiting on each other; SQLite
//!   claims under its database write lock (`BEGIN IMMEDIATE`).
//! - A claim lasts [`LOCK_FOR`]: a worker that dies mid-job leaves it to be
//!   claimed again afterwards.
//! - Running: the job's effect and its `done` mark commit together, after
//!   checking (under the job's row lock) that the job is still claimed by
//!   this worker and unfinished. So a job takes effect once, even when a
//!   slow worker's claim expired and another took over.
//! - Failing: retried with exponential back-off (1, 2, 4… minutes, at most
//!   6 hours) until [`MAX_ATTEMPTS`], then marked `failed`.
//! - Three lanes, claimed separately: e-mails ([`Lane::Email`], sent by
//!   `email::send_due`), course-wide schedule re-plans
//!   ([`Lane::Replans`], run by `mdsc_schedule::replan_jobs`) and
//!   everything else ([`Lane::Effects`], run by [`run_due`]), so a burst of
//!   e-mails (a topic to a large course) or of re-plans (a course of
//!   thousands) never holds back a reminder due now, and an SMTP outage
//!   delays only e-mail.
//! - A long job runs in steps ([`Step::Again`]): each step commits with
//!   the job's new payload, and the job is due again at once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use mdsc_core::schema::jobs;
use mdsc_core::{DbConnection, Error, write_transaction};

use crate::email::EMAIL_JOB;
use crate::reminders;

/// How long a claim holds before another worker may take the job.
pub const LOCK_FOR: Duration = Duration::minutes(5);
/// Attempts before a job is given up (`failed`).
pub const MAX_ATTEMPTS: i32 = 8;
const MAX_BACKOFF: Duration = Duration::hours(6);

/// A claimed job.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// The job kind of a course-wide schedule re-plan (run by
/// `mdsc_schedule::replan_jobs`, which depends on this crate).
pub const REPLAN_JOB: &str = "schedule_replan";

/// Which jobs a claim takes (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Jobs whose effect commits with their `done` mark (reminders).
    Effects,
    /// E-mails: sent, then marked done (at least once).
    Email,
    /// Course-wide schedule re-plans, in steps.
    Replans,
}

impl Lane {
    /// The kinds this lane takes, as SQL (a constant: nothing user-given).
    fn filter(self) -> String {
        match self {
            Self::Effects => format!("kind NOT IN ('{EMAIL_JOB}', '{REPLAN_JOB}')"),
            Self::Email => format!("kind = '{EMAIL_JOB}'"),
            Self::Replans => format!("kind = '{REPLAN_JOB}'"),
        }
    }
}

/// What running a job did.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Finished: marked `done`.
    Done,
    /// Nothing to do any more (a later job covers it): marked `cancelled`.
    Superseded,
    /// One step done: the job is due again at once with this payload,
    /// unclaimed, its attempts reset.
    Again(serde_json::Value),
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub done: usize,
    pub retried: usize,
    pub failed: usize,
    /// Claimed, but finished by another worker meanwhile.
    pub skipped: usize,
    /// Claimed, then given back untried (no attempt used): e-mails after
    /// the SMTP server failed, or once the pass ran too long.
    pub deferred: usize,
    /// Ran one step and is due again ([`Step::Again`]).
    pub stepped: usize,
    /// Found covered by a later job ([`Step::Superseded`]).
    pub superseded: usize,
}

/// The code of an error retrying cannot cure (an SMTP server refusing a
/// message for good): the job is marked `failed` at once.
pub const PERMANENT_FAILURE: &str = "PERMANENT_FAILURE";

/// Schedules the job `key` at `run_at`: a new job, or the same job moved
/// (and made pending again if it had finished). Call it in the transaction
/// of the change that needs it.
pub fn schedule(
    conn: &mut DbConnection,
    kind: &str,
    key: &str,
    payload: &serde_json::Value,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let payload = payload.to_string();
    let moved = diesel::update(jobs::table.filter(jobs::job_key.eq(key)))
        .set((
            jobs::kind.eq(kind),
            jobs::payload.eq(&payload),
            jobs::run_at.eq(run_at),
            jobs::attempts.eq(0),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(None::<String>),
            jobs::outcome.eq(None::<String>),
            jobs::finished_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if moved == 0 {
        diesel::insert_into(jobs::table)
            .values((
                jobs::kind.eq(kind),
                jobs::job_key.eq(key),
                jobs::payload.eq(&payload),
                jobs::run_at.eq(run_at),
                jobs::attempts.eq(0),
                jobs::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The columns of a job that ends with `outcome`: finished now, unclaimed.
pub(crate) type Finished<'a> = (
    diesel::dsl::Eq<jobs::outcome, &'a str>,
    diesel::dsl::Eq<jobs::finished_at, NaiveDateTime>,
    diesel::dsl::Eq<jobs::locked_by, Option<String>>,
    diesel::dsl::Eq<jobs::locked_until, Option<NaiveDateTime>>,
);

pub(crate) fn finished(outcome: &str, now: NaiveDateTime) -> Finished<'_> {
    (
        jobs::outcome.eq(outcome),
        jobs::finished_at.eq(now),
        jobs::locked_by.eq(None),
        jobs::locked_until.eq(None),
    )
}

/// Cancels the pending job `key`, if any.
pub fn cancel(conn: &mut DbConnection, key: &str, now: NaiveDateTime) -> Result<usize, Error> {
    Ok(diesel::update(
        jobs::table
            .filter(jobs::job_key.eq(key))
            .filter(jobs::finished_at.is_null()),
    )
    .set(finished("cancelled", now))
    .execute(conn)?)
}

/// Deletes the pending job `key`, if any (its subject is gone).
pub fn forget(conn: &mut DbConnection, key: &str) -> Result<usize, Error> {
    Ok(diesel::delete(
        jobs::table
            .filter(jobs::job_key.eq(key))
            .filter(jobs::finished_at.is_null()),
    )
    .execute(conn)?)
}

/// Claims up to `limit` due jobs of the [`Lane::Effects`] lane for
/// `worker` (committed at once).
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, Error> {
    claim_in(conn, Lane::Effects, worker, now, limit)
}

/// Claims up to `limit` due jobs of `lane` for `worker` (committed at once).
pub fn claim_in(
    conn: &mut DbConnection,
    lane: Lane,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, Error> {
    let due = format!(
        "SELECT id FROM jobs WHERE finished_at IS NULL AND run_at <= $3 \
         AND (locked_until IS NULL OR locked_until < $3) AND {} ORDER BY run_at, id LIMIT $4",
        lane.filter()
    );
    let claim_sql = |skip_locked: &str| {
        format!(
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
             WHERE id IN ({due}{skip_locked}) RETURNING id, kind, payload, attempts"
        )
    };
    let until = now + LOCK_FOR;
    write_transaction(conn, |conn| -> Result<_, Error> {
        let claimed = match conn {
            DbConnection::Pg(pg) => diesel::sql_query(claim_sql(" FOR UPDATE SKIP LOCKED"))
                .bind::<Text, _>(worker)
                .bind::<Timestamp, _>(until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .load::<Claimed>(pg)?,
            // SQLite numbers its parameters `?1`…
            DbConnection::Sqlite(sqlite) => diesel::sql_query(claim_sql("").replace('$', "?"))
                .bind::<Text, _>(worker)
                .bind::<Timestamp, _>(until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .load::<Claimed>(sqlite)?,
        };
        Ok(claimed)
    })
}

/// Claims and runs the due jobs of [`Lane::Effects`] (reminders, and the
/// rest of large deliveries), one transaction each.
pub fn run_due(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
) -> Result<RunReport, Error> {
    run_lane(
        conn,
        Lane::Effects,
        worker,
        now,
        limit,
        &|conn, job, payload| {
            if job.kind == crate::batch::BATCH_JOB {
                return crate::batch::run_step(conn, payload, now);
            }
            reminders::run(conn, &job.kind, payload, now)?;
            Ok(Step::Done)
        },
    )
}

/// The effect of one job: called with the job's row locked, in the
/// transaction that records what it returns.
pub type Effect<'a> =
    dyn Fn(&mut DbConnection, &Claimed, &serde_json::Value) -> Result<Step, Error> + 'a;

/// Claims up to `limit` due jobs of `lane` and runs `effect` on each, in
/// one transaction with its outcome (see [`Step`]); a failure rolls the
/// effect back and is retried with back-off.
pub fn run_lane(
    conn: &mut DbConnection,
    lane: Lane,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
    effect: &Effect<'_>,
) -> Result<RunReport, Error> {
    let mut report = RunReport::default();
    for job in claim_in(conn, lane, worker, now, limit)? {
        let outcome = write_transaction(conn, |conn| -> Result<Option<Step>, Error> {
            if !lock_if_ours(conn, job.id, worker)? {
                return Ok(None);
            }
            let payload: serde_json::Value = serde_json::from_str(&job.payload)
                .map_err(|e| Error::internal(format!("job {} payload: {e}", job.id)))?;
            let step = effect(conn, &job, &payload)?;
            match &step {
                Step::Done => finish(conn, job.id, "done", now)?,
                Step::Superseded => finish(conn, job.id, "cancelled", now)?,
                Step::Again(next) => requeue(conn, job.id, next, now)?,
            }
            Ok(Some(step))
        });
        match outcome {
            Ok(Some(Step::Again(_))) => {
                report.stepped += 1;
                count_outcome(&job.kind, "stepped");
            }
            Ok(Some(Step::Superseded)) => {
                report.superseded += 1;
                count_outcome(&job.kind, "superseded");
            }
            outcome => report.count(conn, &job, worker, outcome.map(|step| step.is_some()), now),
        }
    }
    Ok(report)
}

/// Totals of several passes.
impl std::ops::AddAssign for RunReport {
    fn add_assign(&mut self, other: Self) {
        self.done += other.done;
        self.retried += other.retried;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.deferred += other.deferred;
        self.stepped += other.stepped;
        self.superseded += other.superseded;
    }
}

impl RunReport {
    /// Counts a job's run; a failure is recorded for a retry (or as
    /// `failed` after the last attempt).
    pub(crate) fn count(
        &mut self,
        conn: &mut DbConnection,
        job: &Claimed,
        worker: &str,
        outcome: Result<bool, Error>,
        now: NaiveDateTime,
    ) {
        let error = match outcome {
            Ok(true) => {
                self.done += 1;
                count_outcome(&job.kind, "done");
                return;
            }
            Ok(false) => {
                self.skipped += 1;
                count_outcome(&job.kind, "skipped");
                return;
            }
            Err(e) => e,
        };
        let give_up = job.attempts >= MAX_ATTEMPTS || error.code == PERMANENT_FAILURE;
        if give_up {
            log::error!(
                job_id = job.id, kind = job.kind.as_str(), code = &*error.code;
                "job {} ({}) failed for good: {error}", job.id, job.kind
            );
            self.failed += 1;
            count_outcome(&job.kind, "failed");
        } else {
            log::warn!(
                job_id = job.id, kind = job.kind.as_str(), code = &*error.code;
                "job {} ({}) failed, will retry: {error}", job.id, job.kind
            );
            self.retried += 1;
            count_outcome(&job.kind, "retried");
        }
        let retry_at = (!give_up).then(|| now + backoff(job.attempts));
        // Recording the failure must not stop the rest of the batch.
        if let Err(e) = record_failure(conn, job, worker, &error, retry_at, now) {
            log::error!("job {}: could not record its failure: {e}", job.id);
        }
    }
}

/// Counter: jobs run, by kind and outcome (`done`, `retried`, `failed`,
/// `skipped`, `deferred`, `stepped`, `superseded`).
pub const JOBS_METRIC: &str = "mdsc_jobs_total";

fn count_outcome(kind: &str, outcome: &'static str) {
    metrics::counter!(JOBS_METRIC, "kind" => kind.to_owned(), "outcome" => outcome).increment(1);
}

/// Gives a claimed job back untried: unclaimed, due at `run_at`, its
/// attempt not counted. Only while it is still `worker`'s.
pub(crate) fn put_back(
    conn: &mut DbConnection,
    job: &Claimed,
    worker: &str,
    run_at: NaiveDateTime,
) -> Result<(), Error> {
    diesel::update(
        jobs::table
            .filter(jobs::id.eq(job.id))
            .filter(jobs::locked_by.eq(worker))
            .filter(jobs::finished_at.is_null()),
    )
    .set((
        jobs::attempts.eq(jobs::attempts - 1),
        jobs::run_at.eq(run_at),
        jobs::locked_by.eq(None::<String>),
        jobs::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    count_outcome(&job.kind, "deferred");
    Ok(())
}

/// Locks the job's row and tells whether it is still claimed by `worker`
/// and unfinished (a slow worker's claim may have lapsed and been taken).
fn lock_if_ours(conn: &mut DbConnection, id: i32, worker: &str) -> Result<bool, Error> {
    mdsc_core::lock_row!(conn, jobs, id)?;
    is_ours(conn, id, worker)
}

/// Whether the job is still claimed by `worker` and unfinished (no lock):
/// a job cancelled since its claim is no longer ours.
pub(crate) fn is_ours(conn: &mut DbConnection, id: i32, worker: &str) -> Result<bool, Error> {
    let still_ours: Option<i32> = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::finished_at.is_null())
        .filter(jobs::locked_by.eq(worker))
        .select(jobs::id)
        .first(conn)
        .optional()?;
    Ok(still_ours.is_some())
}

/// Marks the job finished with `outcome` in its own transaction, if it is
/// still `worker`'s; `false` when another worker took it meanwhile.
pub(crate) fn finish_if_ours(
    conn: &mut DbConnection,
    id: i32,
    worker: &str,
    outcome: &str,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    write_transaction(conn, |conn| -> Result<bool, Error> {
        if !lock_if_ours(conn, id, worker)? {
            return Ok(false);
        }
        finish(conn, id, outcome, now)?;
        Ok(true)
    })
}

/// 1, 2, 4… minutes after the n-th attempt, at most [`MAX_BACKOFF`].
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::minutes(1_i64 << exponent).min(MAX_BACKOFF)
}

/// The job's next step: due at `now`, unclaimed, attempts reset (a step
/// that failed and was retried does not count against the next one).
fn requeue(
    conn: &mut DbConnection,
    id: i32,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::payload.eq(payload.to_string()),
            jobs::run_at.eq(now),
            jobs::attempts.eq(0),
            jobs::last_error.eq(None::<String>),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

fn finish(
    conn: &mut DbConnection,
    id: i32,
    outcome: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::update(jobs::table.find(id))
        .set(finished(outcome, now))
        .execute(conn)?;
    Ok(())
}

/// Records a failed run: a retry at `retry_at`, or `failed` without one.
/// Only while the job is still this worker's and unfinished: a worker
/// whose claim lapsed must not undo another's work.
fn record_failure(
    conn: &mut DbConnection,
    job: &Claimed,
    worker: &str,
    error: &Error,
    retry_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), Error> {
    // At most 1,000 characters (server replies may be long and not ASCII).
    let message: String = error.to_string().chars().take(1_000).collect();
    let mine = jobs::table
        .filter(jobs::id.eq(job.id))
        .filter(jobs::locked_by.eq(worker))
        .filter(jobs::finished_at.is_null());
    match retry_at {
        Some(at) => diesel::update(mine)
            .set((
                jobs::last_error.eq(message),
                jobs::run_at.eq(at),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        None => diesel::update(mine)
            .set((
                jobs::last_error.eq(message),
                jobs::outcome.eq("failed"),
                jobs::finished_at.eq(now),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(12), Duration::hours(6));
        assert_eq!(backoff(0), Duration::minutes(1));
    }
}
