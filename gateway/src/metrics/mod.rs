//! Prometheus metrics at `GET /metrics` (text exposition format).
//!
//! The crates record through the `metrics` facade (jobs and e-mails in
//! `mdsc-notify`, pool waits in `mdsc-core`, requests and streams here);
//! this module installs the Prometheus recorder once per process and, at
//! each scrape, adds what is read rather than counted: the pool's
//! connections, the job queue, the worker's last beat, the process's
//! memory, files and CPU. `metrics-exporter-prometheus` writes the text.

pub mod http;
pub mod route;
mod scrape;
pub mod streams;

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use scrape::render;

/// Latency buckets (seconds), from a cached read to a slow report.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often histogram data is folded in when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use; `None` when another
/// recorder was installed first (an embedding program's own).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(install).as_ref()
}

fn install() -> Option<PrometheusHandle> {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
        .ok()?;
    let handle = match builder.install_recorder() {
        Ok(handle) => handle,
        Err(e) => {
            log::warn!("metrics are off: {e}");
            return None;
        }
    };
    describe();
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        log::warn!("metrics upkeep thread not started ({e}): histograms fold in at scrapes");
    }
    metrics::gauge!("mdsc_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Some(handle)
}

/// The help text of each metric, in the exposition's `# HELP` lines.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_gauge!("mdsc_build_info", "The running version (value 1)");
    describe_counter!(
        http::REQUESTS,
        "HTTP requests by method, route pattern and status"
    );
    describe_histogram!(
        http::DURATION,
        Unit::Seconds,
        "HTTP request latency to the response head, by method and route pattern"
    );
    describe_gauge!(
        scrape::POOL_CONNECTIONS,
        "Database connections open, by state (in_use, idle)"
    );
    describe_gauge!(scrape::POOL_MAX, "Database connections the pool may open");
    describe_counter!(
        mdsc_core::pool_metrics::CHECKOUTS,
        "Connections taken from the database pool"
    );
    describe_histogram!(
        mdsc_core::pool_metrics::CHECKOUT_WAIT,
        Unit::Seconds,
        "Time spent waiting for a pooled database connection"
    );
    describe_counter!(
        mdsc_core::pool_metrics::CHECKOUT_TIMEOUTS,
        "Requests for a pooled connection that timed out"
    );
    describe_counter!(
        mdsc_notify::jobs::JOBS_METRIC,
        "Jobs run by this process, by kind and outcome"
    );
    describe_gauge!(scrape::JOBS_DUE, "Unfinished jobs due now, by kind");
    describe_gauge!(
        scrape::JOBS_OLDEST_DUE_AGE,
        Unit::Seconds,
        "How long the oldest due job has waited (0: none due)"
    );
    describe_gauge!(
        scrape::WORKER_BEAT_AGE,
        Unit::Seconds,
        "Seconds since this process's job worker last made progress (absent: no worker here)"
    );
    describe_counter!(
        mdsc_notify::email::EMAILS_METRIC,
        "Notification e-mails by outcome (sent, deferred, failed)"
    );
    describe_gauge!(streams::OPEN, "Event streams open, by channel");
    describe_counter!(
        streams::DELIVERED,
        "Events written to event streams, by channel"
    );
}
