//! Writing notifications, inside the caller's transaction: the in-app row
//! and the e-mail job of each recipient, in the recipient's language.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{notification_preferences, notification_settings, notifications, users};
use mdsc_core::{DbConnection, Error};

use crate::email::{self, EmailJob};
use crate::kind::NotificationKind;
use crate::locale::{Locale, Texts};
use crate::subject::Subject;

/// Recipients per statement: well under every backend's bound-parameter limit.
pub(crate) const CHUNK: usize = 500;
/// Titles are stored in a VARCHAR(255).
const TITLE_CHARS: usize = 255;
/// Bodies quote what was written; a notification is not the place for all of it.
const BODY_CHARS: usize = 300;

/// One notification for several people.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub kind: NotificationKind,
    /// Who caused it: nobody is notified of their own action.
    pub actor_id: Option<i32>,
    pub recipients: Vec<i32>,
    /// In every language; each recipient gets theirs.
    pub title: Texts,
    pub body: Texts,
    /// The ids concerned and an app-relative `link`.
    pub data: serde_json::Value,
    /// What it is about, when that can be withdrawn (a forum post): the
    /// notifications and their e-mails are found by it.
    pub subject: Option<Subject>,
}

/// A recipient as a delivery needs them.
struct Recipient {
    id: i32,
    address: String,
    locale: Locale,
    in_app: bool,
    email: bool,
}

/// Recipients written in the transaction of the change itself; the rest
/// are written by the job worker, [`CHUNK`] at a time (see `batch`). A live
/// session scheduled for a course of 10,000 students must not hold the
/// instructor's request while 10,000 rows are written.
pub const INLINE_RECIPIENTS: usize = 200;

/// A delivery ready to write: texts cut to size, data serialized.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub kind: NotificationKind,
    pub title: Texts,
    pub body: Texts,
    /// `data` as stored.
    pub data: String,
    pub link: Option<String>,
    pub subject: Option<String>,
}

/// Writes the notification for each recipient, except the actor, in their
/// language: in-app unless they turned this kind off in-app, and an e-mail
/// job unless they turned its e-mails off (or have no address). Call it
/// inside the transaction of the change it reports: the first
/// [`INLINE_RECIPIENTS`] are written there, and a job that writes the others
/// is queued there (so a rolled-back change notifies nobody). Returns how
/// many in-app notifications were written now.
pub fn notify(
    conn: &mut DbConnection,
    delivery: Delivery,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    let recipients: BTreeSet<i32> = delivery
        .recipients
        .iter()
        .copied()
        .filter(|id| Some(*id) != delivery.actor_id)
        .collect();
    let recipients: Vec<i32> = recipients.into_iter().collect();
    let prepared = Prepared {
        kind: delivery.kind,
        title: delivery.title.map(|t| shorten(t, TITLE_CHARS)),
        body: delivery.body.map(|b| shorten(b, BODY_CHARS)),
        data: delivery.data.to_string(),
        link: delivery.data["link"].as_str().map(str::to_owned),
        subject: delivery.subject.map(Subject::key),
    };
    let (now_part, later) = recipients.split_at(recipients.len().min(INLINE_RECIPIENTS));
    let written = write_for(conn, &prepared, now_part, now)?;
    if !later.is_empty() {
        crate::batch::queue(conn, &prepared, later, now)?;
    }
    Ok(written)
}

/// Writes `prepared` for `recipients` (distinct, actor excluded), one
/// multi-row INSERT per [`CHUNK`]; returns the in-app notifications written.
pub(crate) fn write_for(
    conn: &mut DbConnection,
    prepared: &Prepared,
    recipients: &[i32],
    now: NaiveDateTime,
) -> Result<usize, Error> {
    let Prepared {
        kind,
        title,
        body,
        data,
        link,
        subject,
    } = prepared;
    let mut written = 0;
    for chunk in recipients.chunks(CHUNK) {
        let people = recipients_of(conn, *kind, chunk)?;
        let rows: Vec<_> = people
            .iter()
            .filter(|p| p.in_app)
            .map(|p| {
                (
                    notifications::user_id.eq(p.id),
                    notifications::kind.eq(kind.as_str()),
                    notifications::title.eq(title.get(p.locale)),
                    notifications::body.eq(body.get(p.locale)),
                    notifications::data.eq(data),
                    notifications::created_at.eq(now),
                    notifications::subject.eq(subject.as_deref()),
                )
            })
            .collect();
        let mut notification_of = BTreeMap::new();
        if !rows.is_empty() {
            // Multi-row inserts are per backend (not through MultiConnection).
            let insert = diesel::insert_into(notifications::table)
                .values(&rows)
                .returning((notifications::user_id, notifications::id));
            let written_rows: Vec<(i32, i32)> = match conn {
                DbConnection::Pg(pg) => insert.get_results(pg)?,
                DbConnection::Sqlite(sqlite) => insert.get_results(sqlite)?,
            };
            written += written_rows.len();
            // Ascending, like every counter batch (see `counters`).
            let mut users: Vec<i32> = written_rows.iter().map(|(user_id, _)| *user_id).collect();
            users.sort_unstable();
            crate::counters::added(conn, &users)?;
            notification_of.extend(written_rows);
        }
        let mails: Vec<EmailJob> = people
            .iter()
            .filter(|p| p.email && !p.address.trim().is_empty())
            .map(|p| EmailJob {
                user_id: p.id,
                kind: kind.as_str().to_owned(),
                locale: p.locale.as_str().to_owned(),
                title: title.get(p.locale).to_owned(),
                body: body.get(p.locale).to_owned(),
                link: link.clone(),
                notification_id: notification_of.get(&p.id).copied(),
            })
            .collect();
        email::enqueue(conn, &mails, subject.as_deref(), now)?;
    }
    Ok(written)
}

/// The chunk's users with their address, language and channels for
/// `kind`: two queries, whatever the chunk's size.
fn recipients_of(
    conn: &mut DbConnection,
    kind: NotificationKind,
    chunk: &[i32],
) -> Result<Vec<Recipient>, Error> {
    // Only what differs from the default (both on) is stored.
    let channels: BTreeMap<i32, (bool, bool)> = notification_preferences::table
        .filter(notification_preferences::kind.eq(kind.as_str()))
        .filter(notification_preferences::user_id.eq_any(chunk))
        .select((
            notification_preferences::user_id,
            notification_preferences::in_app,
            notification_preferences::email,
        ))
        .load::<(i32, bool, bool)>(conn)?
        .into_iter()
        .map(|(user_id, in_app, email)| (user_id, (in_app, email)))
        .collect();
    let people: Vec<(i32, String, Option<String>)> = users::table
        .left_join(notification_settings::table)
        .filter(users::id.eq_any(chunk))
        .select((
            users::id,
            users::email,
            notification_settings::locale.nullable(),
        ))
        .load(conn)?;
    Ok(people
        .into_iter()
        .map(|(id, address, locale)| {
            let (in_app, email) = channels.get(&id).copied().unwrap_or((true, true));
            Recipient {
                id,
                address,
                locale: Locale::from_stored(locale.as_deref()),
                in_app,
                email,
            }
        })
        .collect())
}

/// At most `max` characters, with an ellipsis when cut; whitespace runs
/// (line breaks of a post) become single spaces.
pub fn shorten(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shorten_flattens_and_cuts_on_characters() {
        assert_eq!(shorten("a\n\n  b", 10), "a b");
        assert_eq!(shorten("éééé", 3), "éé…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
