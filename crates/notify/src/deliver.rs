//! Writing notifications, inside the caller's transaction.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{notification_preferences, notifications};
use mdsc_core::{DbConnection, Error};

use crate::kind::NotificationKind;

/// Recipients per statement: well under every backend's bound-parameter limit.
const CHUNK: usize = 500;
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
    pub title: String,
    pub body: String,
    /// The ids concerned and an app-relative `link`.
    pub data: serde_json::Value,
}

/// Writes the notification for each recipient, except the actor and those
/// who turned this kind off in-app. Call it inside the transaction of the
/// change it reports. Returns how many were written.
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
    let title = shorten(&delivery.title, TITLE_CHARS);
    let body = shorten(&delivery.body, BODY_CHARS);
    let data = delivery.data.to_string();
    let mut written = 0;
    for chunk in recipients.chunks(CHUNK) {
        let muted: BTreeSet<i32> = notification_preferences::table
            .filter(notification_preferences::kind.eq(delivery.kind.as_str()))
            .filter(notification_preferences::in_app.eq(false))
            .filter(notification_preferences::user_id.eq_any(chunk))
            .select(notification_preferences::user_id)
            .load::<i32>(conn)?
            .into_iter()
            .collect();
        // One multi-row INSERT per chunk.
        let rows: Vec<_> = chunk
            .iter()
            .filter(|id| !muted.contains(id))
            .map(|user_id| {
                (
                    notifications::user_id.eq(*user_id),
                    notifications::kind.eq(delivery.kind.as_str()),
                    notifications::title.eq(&title),
                    notifications::body.eq(&body),
                    notifications::data.eq(&data),
                    notifications::created_at.eq(now),
                )
            })
            .collect();
        if !rows.is_empty() {
            // Multi-row inserts are per backend (not through MultiConnection).
            let insert = diesel::insert_into(notifications::table).values(&rows);
            written += match conn {
                DbConnection::Pg(pg) => insert.execute(pg)?,
                DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
            };
        }
    }
    Ok(written)
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
