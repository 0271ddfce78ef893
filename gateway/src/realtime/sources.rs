//! Each kind of stream: its channel, its access rule (checked when it
//! opens and when the reader's access changes), and the REST services'
//! "what is new" query, run as the stream's user for a replay after
//! `Last-Event-ID` or a catch-up after falling behind its channel.

use mdsc_auth::Principal;
use mdsc_core::{DbConnection, Error};
use mdsc_live::chat::{ChatQuery, chat_reader, list_messages};

use super::channel::ChannelKey;
use super::signal::StreamKind;
use super::viewer::Viewer;

/// Items after a point, as `(id, JSON)`, and the last id read (which may
/// pass items the user may not see).
#[derive(Debug, Default)]
pub struct Batch {
    pub items: Vec<(i32, serde_json::Value)>,
    pub last_read: Option<i32>,
    /// The read hit its limit: there may be more after `last_read`.
    pub more: bool,
}

/// One stream's channel, access rule and read.
pub trait Source: Send + Sync + 'static {
    fn channel(&self) -> ChannelKey;
    /// The actor may follow the channel now (else the error the REST
    /// route gives), and what filtering its items takes.
    fn admit(&self, conn: &mut DbConnection, actor: &Principal) -> Result<Viewer, Error>;
    /// Items after `after` in id order, at most `limit`; without `after`,
    /// the latest `limit`; with the REST route's access rules.
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
    fn channel(&self) -> ChannelKey {
        ChannelKey {
            kind: StreamKind::Notification,
            key: self.user_id,
        }
    }
    /// One's own notifications: the account existing is enough.
    fn admit(&self, _: &mut DbConnection, actor: &Principal) -> Result<Viewer, Error> {
        Ok(Viewer {
            user_id: actor.user_id,
            course_id: None,
            staff: false,
        })
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
    fn channel(&self) -> ChannelKey {
        ChannelKey {
            kind: StreamKind::Chat,
            key: self.session_id,
        }
    }
    fn admit(&self, conn: &mut DbConnection, actor: &Principal) -> Result<Viewer, Error> {
        let course_id = chat_reader(conn, actor, self.session_id)?;
        Ok(Viewer {
            user_id: actor.user_id,
            course_id: Some(course_id),
            staff: false,
        })
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
    fn channel(&self) -> ChannelKey {
        ChannelKey {
            kind: StreamKind::Reply,
            key: self.topic_id,
        }
    }
    fn admit(&self, conn: &mut DbConnection, actor: &Principal) -> Result<Viewer, Error> {
        let reader = mdsc_forum::reply_feed::topic_reader(conn, actor, self.topic_id)?;
        Ok(Viewer {
            user_id: actor.user_id,
            course_id: Some(reader.course_id),
            staff: reader.is_staff,
        })
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
