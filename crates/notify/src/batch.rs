//! The recipients of a large delivery that its request does not wait for.
//!
//! `deliver::notify` writes the first `INLINE_RECIPIENTS` in the change's
//! transaction and queues one `notification_batch` job with the others, in
//! that same transaction. The worker writes `CHUNK` recipients per step
//! (one short transaction each) and requeues the job with the rest, so a
//! course of 10,000 students is notified within a few worker passes and no
//! single transaction holds the database for long.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::random::random_hex;
use mdsc_core::schema::jobs;
use mdsc_core::{DbConnection, Error};
use serde_json::{Value, json};

use crate::deliver::{CHUNK, Prepared, write_for};
use crate::jobs::Step;
use crate::locale::Texts;

/// The job kind (run in the worker's `Effects` lane).
pub const BATCH_JOB: &str = "notification_batch";

/// Queues the delivery of `prepared` to `recipients`, due at once. The job
/// carries the delivery's subject, so withdrawing the post before the
/// worker gets to it cancels the rest too.
pub(crate) fn queue(
    conn: &mut DbConnection,
    prepared: &Prepared,
    recipients: &[i32],
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(BATCH_JOB),
            jobs::job_key.eq(format!("{BATCH_JOB}:{}", random_hex(16)?)),
            jobs::payload.eq(payload(prepared, recipients).to_string()),
            jobs::run_at.eq(now),
            jobs::attempts.eq(0),
            jobs::created_at.eq(now),
            jobs::subject.eq(prepared.subject.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

/// One step of a batch job: writes the next `CHUNK` recipients; `Again`
/// with the others, `Done` when none are left.
pub fn run_step(
    conn: &mut DbConnection,
    payload: &Value,
    now: NaiveDateTime,
) -> Result<Step, Error> {
    let (prepared, recipients) = parse(payload)?;
    let (this_step, rest) = recipients.split_at(recipients.len().min(CHUNK));
    write_for(conn, &prepared, this_step, now)?;
    Ok(if rest.is_empty() {
        Step::Done
    } else {
        Step::Again(self::payload(&prepared, rest))
    })
}

fn payload(prepared: &Prepared, recipients: &[i32]) -> Value {
    json!({
        "kind": prepared.kind.as_str(),
        "title": {"fr": prepared.title.fr, "en": prepared.title.en},
        "body": {"fr": prepared.body.fr, "en": prepared.body.en},
        "data": prepared.data,
        "link": prepared.link,
        "subject": prepared.subject,
        "recipients": recipients,
    })
}

fn parse(payload: &Value) -> Result<(Prepared, Vec<i32>), Error> {
    let broken = |what: &str| Error::internal(format!("notification batch without {what}"));
    let text = |field: &str| -> Result<Texts, Error> {
        let fr = payload[field]["fr"].as_str().ok_or_else(|| broken(field))?;
        let en = payload[field]["en"].as_str().ok_or_else(|| broken(field))?;
        Ok(Texts::new(fr, en))
    };
    let kind = payload["kind"]
        .as_str()
        .and_then(|kind| kind.parse().ok())
        .ok_or_else(|| broken("a known kind"))?;
    let recipients = payload["recipients"]
        .as_array()
        .ok_or_else(|| broken("recipients"))?
        .iter()
        .map(|id| id.as_i64().and_then(|id| i32::try_from(id).ok()))
        .collect::<Option<Vec<i32>>>()
        .ok_or_else(|| broken("valid recipient ids"))?;
    let prepared = Prepared {
        kind,
        title: text("title")?,
        body: text("body")?,
        data: payload["data"]
            .as_str()
            .ok_or_else(|| broken("data"))?
            .to_owned(),
        link: payload["link"].as_str().map(str::to_owned),
        subject: payload["subject"].as_str().map(str::to_owned),
    };
    Ok((prepared, recipients))
}
