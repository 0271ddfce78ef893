//! Queuing e-mails as jobs, in the transaction that writes the
//! notifications.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::jobs;
use mdsc_core::{DbConnection, Error};
use serde::{Deserialize, Serialize};

/// The job kind of an e-mail.
pub const EMAIL_JOB: &str = "email";

/// An e-mail to send, as its job's payload: the texts were chosen in the
/// recipient's language when the notification was written. The address is
/// read when sending (the user may change it meanwhile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailJob {
    pub user_id: i32,
    /// The notification type: its e-mail setting is checked again when sending.
    #[serde(rename = "type")]
    pub kind: String,
    pub locale: String,
    pub title: String,
    pub body: String,
    /// The app-relative link of the notification's `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The in-app notification it copies; none when the user turned the
    /// type off in-app but not by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<i32>,
}

impl EmailJob {
    /// `email:{notification_id}`, or, without an in-app row, a key made
    /// unique by chance (nothing else ever schedules the same e-mail).
    fn key(&self) -> Result<String, Error> {
        Ok(match self.notification_id {
            Some(id) => format!("{EMAIL_JOB}:{id}"),
            None => format!(
                "{EMAIL_JOB}:{}:{}:{}",
                self.kind,
                self.user_id,
                mdsc_core::random::random_hex(8)?
            ),
        })
    }
}

/// Queues the e-mails, due at once (one multi-row INSERT), with the
/// subject of their notification (to cancel them if it is withdrawn).
pub(crate) fn enqueue(
    conn: &mut DbConnection,
    mails: &[EmailJob],
    subject: Option<&str>,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    if mails.is_empty() {
        return Ok(0);
    }
    let mut rows = Vec::with_capacity(mails.len());
    for mail in mails {
        let payload = serde_json::to_string(mail)
            .map_err(|e| Error::internal(format!("e-mail job payload: {e}")))?;
        rows.push((
            jobs::kind.eq(EMAIL_JOB),
            jobs::job_key.eq(mail.key()?),
            jobs::payload.eq(payload),
            jobs::run_at.eq(now),
            jobs::attempts.eq(0),
            jobs::created_at.eq(now),
            jobs::subject.eq(subject),
        ));
    }
    // Multi-row inserts are per backend (not through MultiConnection).
    let insert = diesel::insert_into(jobs::table).values(&rows);
    Ok(match conn {
        DbConnection::Pg(pg) => insert.execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
    })
}
