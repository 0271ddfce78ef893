//! The job worker inside the gateway process: every `JOBS_POLL_SECONDS` it
//! claims the due jobs (reminders) and runs them on the blocking pool.
//! Several gateways on one PostgreSQL database share the work safely (see
//! `mdsc_notify::jobs`).

use std::time::Duration;

use actix_web::web;
use mdsc_core::Error;
use mdsc_notify::jobs::{self, RunReport};

use crate::state::AppState;

/// Jobs one pass claims at most.
const BATCH: i64 = 50;

/// Starts the worker loop on the current actix runtime; `0` seconds
/// disables it (another process runs the jobs).
pub fn start(state: AppState) -> Result<(), Error> {
    let every = state.config.jobs_poll_seconds;
    if every == 0 {
        log::info!("job worker disabled (JOBS_POLL_SECONDS=0)");
        return Ok(());
    }
    let worker = format!(
        "gateway-{}-{}",
        std::process::id(),
        mdsc_core::random::random_hex(4)?
    );
    log::info!("job worker {worker} polls every {every} s");
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        loop {
            tick.tick().await;
            let (st, name) = (state.clone(), worker.clone());
            let pass = web::block(move || -> Result<RunReport, Error> {
                let mut conn = st.pool.get()?;
                jobs::run_due(&mut conn, &name, st.clock().now(), BATCH)
            })
            .await;
            match pass {
                Ok(Ok(report)) if report != RunReport::default() => {
                    log::info!("jobs: {report:?}");
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => log::error!("job worker pass failed: {e}"),
                Err(e) => log::error!("job worker could not run: {e}"),
            }
        }
    });
    Ok(())
}
