//! The job worker inside the gateway process: every `JOBS_POLL_SECONDS` it
//! claims the due jobs (live-session reminders) and runs them on the
//! blocking pool, re-plans the schedules of courses whose plan changed,
//! once a minute it sweeps for quiz deadlines and purges the rate-limit
//! counters whose window is over, and then it sends the due
//! notification e-mails (SMTP or the log; blocking is fine there).
//! Several gateways on one PostgreSQL database share the work safely (see
//! `mdsc_notify::jobs`).

use std::time::Duration;

use actix_web::web;
use mdsc_core::Error;
use mdsc_notify::jobs::{self, RunReport};
use mdsc_notify::{deadlines, email};

use crate::state::AppState;

/// Jobs one pass claims at most.
const BATCH: i64 = 50;
/// Deadline sweeps read every quiz with a deadline: once a minute (or every
/// pass, when passes are further apart) is enough for reminders a day ahead.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

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
    // Built once, so SMTP connections are pooled across passes.
    let mailer = state.config.email.mailer()?;
    let links = email_links(&state);
    log::info!(
        "notification e-mails go to {}",
        state.config.email.describe()
    );
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        let mut last_sweep: Option<std::time::Instant> = None;
        loop {
            tick.tick().await;
            let sweep = last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY);
            if sweep {
                last_sweep = Some(std::time::Instant::now());
            }
            let (st, name, mailer, links) =
                (state.clone(), worker.clone(), mailer.clone(), links.clone());
            let pass = web::block(move || -> Result<(), Error> {
                let mut conn = mdsc_core::checkout::checkout(&st.pool)?;
                let now = st.clock().now();
                // Progress, for readiness: at the start and after each part
                // (each is bounded), so only a stuck part stops the beat.
                let beat = || st.worker.beat(st.clock().now());
                beat();
                // Each part runs whatever happened to the other.
                match jobs::run_due(&mut conn, &name, now, BATCH) {
                    Ok(report) if report != RunReport::default() => {
                        log::info!("jobs: {report:?}");
                    }
                    Ok(_) => {}
                    Err(e) => log::error!("job worker pass failed: {e}"),
                }
                beat();
                match mdsc_schedule::replan_jobs::run_due(&mut conn, &name, now, BATCH) {
                    Ok(report) if report != RunReport::default() => {
                        log::info!("schedule re-plans: {report:?}");
                    }
                    Ok(_) => {}
                    Err(e) => log::error!("schedule re-plan pass failed: {e}"),
                }
                beat();
                // Quiz attempts whose time ran out: graded with what was
                // saved (an indexed read of the open attempts past it).
                match mdsc_schedule::hooks::grade_expired_attempts(&mut conn, st.clock()) {
                    Ok(0) => {}
                    Ok(graded) => log::info!("timed-out quiz attempts graded: {graded}"),
                    Err(e) => log::error!("grading timed-out quiz attempts failed: {e}"),
                }
                beat();
                if sweep {
                    match deadlines::sweep(&mut conn, now) {
                        Ok(0) => {}
                        Ok(reminded) => log::info!("deadline reminders sent: {reminded}"),
                        Err(e) => log::error!("deadline sweep failed: {e}"),
                    }
                    // Rate-limit counters whose window is over.
                    if let Err(e) = mdsc_core::throttle::purge_expired(&mut conn, now) {
                        log::error!("purging rate-limit counters failed: {e}");
                    }
                    // Revoked tokens past their expiry, reset links a day
                    // past theirs.
                    if let Err(e) = mdsc_auth::account::purge_expired_revocations(&mut conn, now) {
                        log::error!("purging revoked tokens failed: {e}");
                    }
                    if let Err(e) = mdsc_auth::password_reset::purge_expired_resets(&mut conn, now)
                    {
                        log::error!("purging password reset links failed: {e}");
                    }
                    beat();
                }
                // Last, so the e-mails of this pass's reminders go at once.
                match email::send_due(&mut conn, &name, mailer.as_ref(), &links, now, BATCH) {
                    Ok(report) if report != RunReport::default() => {
                        log::info!("e-mails: {report:?}");
                    }
                    Ok(_) => {}
                    Err(e) => log::error!("e-mail pass failed: {e}"),
                }
                beat();
                Ok(())
            })
            .await;
            match pass {
                Ok(Ok(())) => {}
                Ok(Err(e)) => log::error!("job worker could not get a connection: {e}"),
                Err(e) => log::error!("job worker could not run: {e}"),
            }
        }
    });
    Ok(())
}

/// The links of notification e-mails: into the web app (`APP_URL`), and the
/// one-click unsubscribe on this API (`PUBLIC_URL`).
pub fn email_links(state: &AppState) -> email::EmailLinks {
    email::EmailLinks::with_unsubscribe(
        &state.config.schedule.app_url,
        &state.config.public_url,
        state.keys.clone(),
    )
}
