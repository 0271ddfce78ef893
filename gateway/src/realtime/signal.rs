//! What the database tells the hub: "something new on this channel", or
//! "this reader's access may have changed".

/// The three streamed tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// `notifications`, keyed by user.
    Notification,
    /// `live_session_chat`, keyed by session.
    Chat,
    /// `forum_replies`, keyed by topic.
    Reply,
}

impl StreamKind {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "notification" => Some(Self::Notification),
            "chat" => Some(Self::Chat),
            "reply" => Some(Self::Reply),
            _ => None,
        }
    }

    /// The SSE `event:` name of the channel's items.
    pub fn event(self) -> &'static str {
        match self {
            Self::Notification => "notification",
            Self::Chat => "chat_message",
            Self::Reply => "forum_reply",
        }
    }
}

/// A row inserted (and committed) in a streamed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub kind: StreamKind,
    /// The user, session or topic it belongs to.
    pub key: i32,
    /// The row's id.
    pub id: i32,
}

/// Something that grants access to streams changed (see the migration
/// `000500_realtime_access`): the streams it may concern check again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChange {
    /// An account's role, the account, or one of its enrollments.
    User(i32),
    /// A course's instructor, or the course.
    Course(i32),
    /// A topic's moderation, or the topic.
    Topic(i32),
    /// A live session was deleted.
    Session(i32),
}

impl AccessChange {
    pub fn parse(scope: &str, key: i32) -> Option<Self> {
        match scope {
            "user" => Some(Self::User(key)),
            "course" => Some(Self::Course(key)),
            "topic" => Some(Self::Topic(key)),
            "session" => Some(Self::Session(key)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Change(Change),
    Access(AccessChange),
    /// Changes may have been missed (the listener (re)connected): every
    /// channel reads what is new, and every stream checks its access.
    Resync,
    /// The server is stopping: streams end, so they do not hold the
    /// graceful stop (browsers reconnect and replay).
    Shutdown,
}

/// Reads a `NOTIFY` payload: `schema|stream|key|id` for a new row (see the
/// migration `000007_realtime`), `schema|access|scope|key` for an access
/// change; `None` for another schema's or a malformed one.
pub fn parse_payload(payload: &str, schema: &str) -> Option<Signal> {
    let mut parts = payload.split('|');
    let (from, kind, third, fourth) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if from != schema || parts.next().is_some() {
        return None;
    }
    if kind == "access" {
        return AccessChange::parse(third, fourth.parse().ok()?).map(Signal::Access);
    }
    Some(Signal::Change(Change {
        kind: StreamKind::parse(kind)?,
        key: third.parse().ok()?,
        id: fourth.parse().ok()?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_this_schema_are_read() {
        assert_eq!(
            parse_payload("public|notification|12|345", "public"),
            Some(Signal::Change(Change {
                kind: StreamKind::Notification,
                key: 12,
                id: 345
            }))
        );
        assert_eq!(
            parse_payload("test_1|reply|3|9", "test_1"),
            Some(Signal::Change(Change {
                kind: StreamKind::Reply,
                key: 3,
                id: 9
            }))
        );
        assert!(matches!(
            parse_payload("public|chat|3|9", "public"),
            Some(Signal::Change(Change {
                kind: StreamKind::Chat,
                ..
            }))
        ));
    }

    #[test]
    fn access_payloads_are_read() {
        assert_eq!(
            parse_payload("public|access|user|12", "public"),
            Some(Signal::Access(AccessChange::User(12)))
        );
        assert_eq!(
            parse_payload("public|access|course|3", "public"),
            Some(Signal::Access(AccessChange::Course(3)))
        );
        assert_eq!(
            parse_payload("public|access|topic|4", "public"),
            Some(Signal::Access(AccessChange::Topic(4)))
        );
        assert_eq!(
            parse_payload("public|access|session|5", "public"),
            Some(Signal::Access(AccessChange::Session(5)))
        );
        assert_eq!(parse_payload("public|access|forum|5", "public"), None);
        assert_eq!(parse_payload("public|access|user|x", "public"), None);
        assert_eq!(parse_payload("other|access|user|1", "public"), None);
    }

    #[test]
    fn other_schemas_and_malformed_payloads_are_ignored() {
        assert_eq!(parse_payload("staging|chat|3|9", "public"), None);
        assert_eq!(parse_payload("public|chat|3", "public"), None);
        assert_eq!(parse_payload("public|chat|3|9|1", "public"), None);
        assert_eq!(parse_payload("public|vote|3|9", "public"), None);
        assert_eq!(parse_payload("public|chat|x|9", "public"), None);
        assert_eq!(parse_payload("", "public"), None);
    }
}
