//! One scrape: what is read rather than counted, then the exposition.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use mdsc_core::schema::jobs;
use mdsc_core::{DbConnection, Error};

use crate::state::AppState;

pub const POOL_CONNECTIONS: &str = "mdsc_db_pool_connections";
pub const POOL_MAX: &str = "mdsc_db_pool_max_connections";
pub const JOBS_DUE: &str = "mdsc_jobs_due";
pub const JOBS_OLDEST_DUE_AGE: &str = "mdsc_jobs_oldest_due_age_seconds";
pub const WORKER_BEAT_AGE: &str = "mdsc_worker_last_beat_age_seconds";

/// The exposition text, after reading the gauges; `None` when this process
/// has no Prometheus recorder. A database that does not answer leaves the
/// queue gauges at their last values (the pool gauges say why).
pub async fn render(state: &AppState) -> Option<String> {
    let handle = super::handle()?;
    pool_gauges(state);
    worker_gauge(state);
    let queue = state.db(|conn, st| due_jobs(conn, st.clock().now())).await;
    match queue {
        Ok(due) => queue_gauges(&due, state.clock().now()),
        Err(e) => log::warn!("metrics: the job queue was not read: {}", e.body.message),
    }
    process_metrics();
    Some(handle.render())
}

fn pool_gauges(state: &AppState) {
    let pool = state.pool.state();
    let idle = f64::from(pool.idle_connections);
    let in_use = f64::from(pool.connections.saturating_sub(pool.idle_connections));
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(in_use);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(idle);
    metrics::gauge!(POOL_MAX).set(f64::from(state.pool.max_size()));
}

fn worker_gauge(state: &AppState) {
    if state.config.jobs_poll_seconds == 0 {
        return;
    }
    if let Some(at) = state.worker.last() {
        let age = (state.clock().now() - at).num_milliseconds().max(0) as f64 / 1000.0;
        metrics::gauge!(WORKER_BEAT_AGE).set(age);
    }
}

/// Per kind: how many unfinished jobs are due, and since when the oldest.
type DueJobs = Vec<(String, i64, Option<NaiveDateTime>)>;

fn due_jobs(conn: &mut DbConnection, now: NaiveDateTime) -> Result<DueJobs, Error> {
    // Served by the partial index on unfinished jobs' `run_at`.
    Ok(jobs::table
        .filter(jobs::finished_at.is_null())
        .filter(jobs::run_at.le(now))
        .group_by(jobs::kind)
        .select((jobs::kind, count_star(), min(jobs::run_at)))
        .load(conn)?)
}

fn queue_gauges(due: &DueJobs, now: NaiveDateTime) {
    // Kinds seen before but not due now go back to zero.
    for kind in known_kinds(due) {
        let count = due.iter().find(|(k, _, _)| *k == kind).map_or(0, |d| d.1);
        metrics::gauge!(JOBS_DUE, "kind" => kind).set(count as f64);
    }
    let oldest = due.iter().filter_map(|d| d.2).min();
    let age = oldest.map_or(0.0, |at| {
        (now - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    metrics::gauge!(JOBS_OLDEST_DUE_AGE).set(age);
}

/// The kinds due now and every kind reported before (job kinds are a fixed
/// set written by the code, so this stays small).
fn known_kinds(due: &DueJobs) -> Vec<String> {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    for (kind, _, _) in due {
        if !seen.contains(kind) {
            seen.push(kind.clone());
        }
    }
    seen.clone()
}

/// Resident memory, open files, CPU time… (`process_*`, the names every
/// Prometheus client library uses).
fn process_metrics() {
    use std::sync::OnceLock;
    static COLLECTOR: OnceLock<metrics_process::Collector> = OnceLock::new();
    COLLECTOR
        .get_or_init(|| {
            let collector = metrics_process::Collector::default();
            collector.describe();
            collector
        })
        .collect();
}
