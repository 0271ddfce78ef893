//! Sending the due e-mails (the worker's e-mail lane).

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{notification_preferences, users};
use mdsc_core::{DbConnection, Error};

use crate::email::account_mail::ACCOUNT_KIND;
use crate::email::compose::compose;
use crate::email::links::EmailLinks;
use crate::email::mailer::Mailer;
use crate::email::outbox::EmailJob;
use crate::email::smtp_refusal::SMTP_UNAVAILABLE;
use crate::jobs::{self, Claimed, Lane, RunReport};

/// How long a pass sends before giving the rest back: well inside the
/// claims' 5 minutes ([`jobs::LOCK_FOR`]).
const SEND_FOR: Duration = Duration::from_secs(120);

/// Claims up to `limit` due e-mails for `worker` and sends them through
/// `mailer`, with `links` (into the web app, and the unsubscribe link where
/// configured). Each is sent, then marked done if the claim is still this
/// worker's (at least once: a worker whose claim lapsed mid-send may see it
/// sent again). A send error is retried with the jobs' back-off.
pub fn send_due(
    conn: &mut DbConnection,
    worker: &str,
    mailer: &dyn Mailer,
    links: &EmailLinks,
    now: NaiveDateTime,
    limit: i64,
) -> Result<RunReport, Error> {
    let mut report = RunReport::default();
    let started = Instant::now();
    let mut smtp_down = false;
    for job in jobs::claim_in(conn, Lane::Email, worker, now, limit)? {
        // Once the server is unreachable, or the pass has run long enough
        // that its claims might lapse (and another worker send the same
        // e-mails), the rest is given back untried, attempts unspent.
        if smtp_down || started.elapsed() >= SEND_FOR {
            let later = if smtp_down {
                now + jobs::backoff(1)
            } else {
                now
            };
            match jobs::put_back(conn, &job, worker, later) {
                Ok(()) => report.deferred += 1,
                Err(e) => log::error!("job {}: could not give it back: {e}", job.id),
            }
            continue;
        }
        let outcome = send_one(conn, &job, worker, mailer, links, now);
        smtp_down = matches!(&outcome, Err(error) if error.code == SMTP_UNAVAILABLE);
        report.count(conn, &job, worker, outcome, now);
    }
    count_emails(&report);
    Ok(report)
}

/// Counter: e-mails by outcome: `sent`, `failed` (refused for good, or out
/// of attempts) and `deferred` (refused for now, server unavailable, or
/// given back untried).
pub const EMAILS_METRIC: &str = "mdsc_emails_total";

fn count_emails(report: &RunReport) {
    for (outcome, count) in [
        ("sent", report.done),
        ("failed", report.failed),
        ("deferred", report.retried + report.deferred),
    ] {
        if count > 0 {
            metrics::counter!(EMAILS_METRIC, "outcome" => outcome).increment(count as u64);
        }
    }
}

fn send_one(
    conn: &mut DbConnection,
    job: &Claimed,
    worker: &str,
    mailer: &dyn Mailer,
    links: &EmailLinks,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    let mail: EmailJob = serde_json::from_str(&job.payload)
        .map_err(|e| Error::internal(format!("job {} payload: {e}", job.id)))?;
    // Cancelled since the claim (its forum post was hidden or deleted), or
    // taken over: not sent. Checked right before sending, so only an e-mail
    // already on its way to the server can slip through.
    if !jobs::is_ours(conn, job.id, worker)? {
        return Ok(false);
    }
    // No database transaction is held while talking to the SMTP server.
    let account_mail = mail.kind == ACCOUNT_KIND;
    let outcome = match current_address(conn, &mail)? {
        Some((address, token_version)) => {
            let mut message = compose(&mail, &address, links.app_url());
            // An account e-mail (a reset link) is not a notification one
            // can turn off.
            if !account_mail {
                message.unsubscribe_url =
                    links.unsubscribe_url(mail.user_id, token_version, &mail.kind, now)?;
            }
            mailer.send(&message)?;
            "done"
        }
        // E-mail turned off since, or no one to send to: nothing is sent.
        None => "cancelled",
    };
    let finished = jobs::finish_if_ours(conn, job.id, worker, outcome, now)?;
    if account_mail {
        forget_secret(conn, job.id, &mail)?;
    }
    Ok(finished)
}

/// A sent (or cancelled) account e-mail keeps its text but not its link:
/// the reset token must not outlive its e-mail in the jobs table.
fn forget_secret(conn: &mut DbConnection, job_id: i32, mail: &EmailJob) -> Result<(), Error> {
    let kept = EmailJob {
        link: None,
        ..mail.clone()
    };
    let payload = serde_json::to_string(&kept)
        .map_err(|e| Error::internal(format!("e-mail job payload: {e}")))?;
    diesel::update(
        mdsc_core::schema::jobs::table
            .filter(mdsc_core::schema::jobs::id.eq(job_id))
            .filter(mdsc_core::schema::jobs::finished_at.is_not_null()),
    )
    .set(mdsc_core::schema::jobs::payload.eq(payload))
    .execute(conn)?;
    Ok(())
}

/// The recipient's address now, with their token version (for the
/// unsubscribe link), unless they have turned this type's e-mails off since
/// the job was queued, or are gone.
fn current_address(
    conn: &mut DbConnection,
    mail: &EmailJob,
) -> Result<Option<(String, i32)>, Error> {
    let turned_off: Option<bool> = notification_preferences::table
        .filter(notification_preferences::user_id.eq(mail.user_id))
        .filter(notification_preferences::kind.eq(&mail.kind))
        .filter(notification_preferences::email.eq(false))
        .select(notification_preferences::email)
        .first(conn)
        .optional()?;
    if turned_off.is_some() {
        return Ok(None);
    }
    let account: Option<(String, i32)> = users::table
        .find(mail.user_id)
        // An erased account has no address any more.
        .filter(users::deleted_at.is_null())
        .select((users::email, users::token_version))
        .first(conn)
        .optional()?;
    Ok(account
        .map(|(address, version)| (address.trim().to_owned(), version))
        .filter(|(address, _)| !address.is_empty()))
}
