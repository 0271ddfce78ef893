//! The one read a channel does per event, shared by all its streams:
//! through each domain's own "what is new" function, without a reader
//! (access is the streams' business, checked when they open and when it
//! changes), each item with who may see it.

use mdsc_core::{DbConnection, Error};
use mdsc_forum::reply_feed::{ReplyAudience, shared_replies_after};

use super::channel::{Audience, ChannelKey, Item};
use super::signal::StreamKind;

/// Items read per query.
pub const BATCH: i64 = 100;

/// What one read found.
#[derive(Debug, Default)]
pub struct Fetched {
    pub items: Vec<Item>,
    /// The last id read, shown or not (a deleted reply).
    pub last_read: Option<i32>,
    /// The read hit its limit: there may be more after `last_read`.
    pub more: bool,
}

/// Items of the channel after `after` in id order, at most `limit`;
/// without `after`, the latest `limit`. `late` marks them as committed
/// behind the channel's cursor.
pub fn fetch(
    conn: &mut DbConnection,
    channel: ChannelKey,
    after: Option<i32>,
    limit: i64,
    late: bool,
) -> Result<Fetched, Error> {
    let ChannelKey { kind, key } = channel;
    let item =
        |id: i32, data: String, audience: Audience| Item::new(id, kind, &data, audience, late);
    let (items, last_read, rows) = match kind {
        StreamKind::Notification => {
            let rows = mdsc_notify::stream::notifications_of(conn, key, after, limit)?;
            let items = rows
                .iter()
                .map(|n| Ok(item(n.id, json(n)?, Audience::Everyone)))
                .collect::<Result<Vec<_>, Error>>()?;
            let last = rows.last().map(|n| n.id);
            (items, last, rows.len())
        }
        StreamKind::Chat => {
            let rows = mdsc_live::chat::messages_after(conn, key, after, limit)?;
            let items = rows
                .iter()
                .map(|m| Ok(item(m.id, json(m)?, Audience::Everyone)))
                .collect::<Result<Vec<_>, Error>>()?;
            let last = rows.last().map(|m| m.id);
            (items, last, rows.len())
        }
        StreamKind::Reply => {
            let read = shared_replies_after(conn, key, after, limit)?;
            let items = read
                .replies
                .iter()
                .map(|shared| {
                    let audience = match shared.audience {
                        ReplyAudience::Everyone => Audience::Everyone,
                        ReplyAudience::StaffAndAuthor(author) => Audience::StaffAndAuthor(author),
                    };
                    Ok(item(shared.reply.id, json(&shared.reply)?, audience))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            (items, read.last_read, read.rows_read)
        }
    };
    Ok(Fetched {
        items,
        last_read,
        more: rows as i64 >= limit,
    })
}

fn json(value: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(value)
        .map_err(|e| Error::internal(format!("cannot serialize a streamed item: {e}")))
}
