//! What each stream reads when its channel signals: the REST services'
//! "what is new" queries, run as the stream's user.

use mdsc_auth::Principal;
use mdsc_core::{DbConnection, Error};
use mdsc_live::chat::{ChatQuery, list_messages};

use super::signal::{Change, StreamKind};

/// Items after a point, as `(id, JSON)`, and the last id read (which may
/// pass items the user may not see).
#[derive(Debug, Default)]
pub struct Batch {
    pub items: Vec<(i32, serde_json::Value)>,
    pub last_read: Option<i32>,
    /// The read hit its limit: there may be more after `last_read`.
    pub more: bool,
}

/// One stream's channel and its read.
pub trait Source: Send + Sync + 'static {
    /// The SSE `event:` name of its items.
    fn event(&self) -> &'static str;
    fn matches(&self, change: &Change) -> bool;
    /// Items after `after` in id order, at most `limit`; without `after`,
    /// the latest `limit`. Access is checked on every read, so a user who
    /// loses access mid-stream gets the error at the next item.
    fn since(
        &self,
        conn: &mut DbConnection,
        actor: &Principal,
        after: Option<i32>,
        limit: i64,
    ) -> Result<Batch, Error>;
}

/// `read`: the rows read, readable or not, with the last one's id.
fn batch<T: serde::Serialize>(
    items: Vec<T>,
    id_of: impl Fn(&T) -> i32,
    read: Option<(usize, Option<i32>)>,
    limit: i64,
) -> Result<Batch, Error> {
    let (rows, last_read) = read.unwrap_or((items.len(), None));
    let items = items
        .into_iter()
        .map(|item| {
            let id = id_of(&item);
            serde_json::to_value(item)
                .map(|json| (id, json))
                .map_err(|e| Error::internal(format!("cannot serialize a streamed item: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let last_read = last_read.or_else(|| items.last().map(|(id, _)| *id));
    Ok(Batch {
        items,
        last_read,
        more: rows as i64 >= limit,
    })
}

/// The user's own notifications.
pub struct Notifications {
    pub user_id: i32,
}

impl Source for Notifications {
    fn event(&self) -> &'static str {
        "notification"
    }
    fn matches(&self, change: &Change) -> bool {
        change.kind == StreamKind::Notification && change.key == self.user_id
    }
    fn since(
        &self,
        conn: &mut DbConnection,
        actor: &Principal,
        after: Option<i32>,
        limit: i64,
    ) -> Result<Batch, Error> {
        let items = mdsc_notify::stream::notifications_since(conn, actor, after, limit)?;
        batch(items, |n| n.id, None, limit)
    }
}

/// A live session's chat, for those who may read it over REST.
pub struct Chat {
    pub session_id: i32,
}

impl Source for Chat {
    fn event(&self) -> &'static str {
        "chat_message"
    }
    fn matches(&self, change: &Change) -> bool {
        change.kind == StreamKind::Chat && change.key == self.session_id
    }
    fn since(
        &self,
        conn: &mut DbConnection,
        actor: &Principal,
        after: Option<i32>,
        limit: i64,
    ) -> Result<Batch, Error> {
        let query = ChatQuery {
            after_id: after,
            limit: Some(limit),
        };
        let items = list_messages(conn, actor, self.session_id, query)?;
        batch(items, |m| m.id, None, limit)
    }
}

/// New replies of a forum topic, for those who may read it over REST.
pub struct TopicReplies {
    pub topic_id: i32,
}

impl Source for TopicReplies {
    fn event(&self) -> &'static str {
        "forum_reply"
    }
    fn matches(&self, change: &Change) -> bool {
        change.kind == StreamKind::Reply && change.key == self.topic_id
    }
    fn since(
        &self,
        conn: &mut DbConnection,
        actor: &Principal,
        after: Option<i32>,
        limit: i64,
    ) -> Result<Batch, Error> {
        let read = mdsc_forum::reply_feed::replies_since(conn, actor, self.topic_id, after, limit)?;
        batch(
            read.replies,
            |r| r.id,
            Some((read.rows_read, read.last_read)),
            limit,
        )
    }
}
