//! What the hub broadcasts: "something new on this channel".

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Change(Change),
    /// Changes may have been missed (the listener (re)connected, or a
    /// subscriber lagged): every stream reads what is new.
    Resync,
    /// The server is stopping: streams end, so they do not hold the
    /// graceful stop (browsers reconnect and replay).
    Shutdown,
}

/// Reads a `NOTIFY` payload, `schema|stream|key|id` (see the migration
/// `000007_realtime`); `None` for another schema's or a malformed one.
pub fn parse_payload(payload: &str, schema: &str) -> Option<Change> {
    let mut parts = payload.split('|');
    let (from, kind, key, id) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if from != schema || parts.next().is_some() {
        return None;
    }
    Some(Change {
        kind: StreamKind::parse(kind)?,
        key: key.parse().ok()?,
        id: id.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_this_schema_are_read() {
        assert_eq!(
            parse_payload("public|notification|12|345", "public"),
            Some(Change {
                kind: StreamKind::Notification,
                key: 12,
                id: 345
            })
        );
        assert_eq!(
            parse_payload("test_1|reply|3|9", "test_1").map(|c| c.kind),
            Some(StreamKind::Reply)
        );
        assert_eq!(
            parse_payload("public|chat|3|9", "public").map(|c| c.kind),
            Some(StreamKind::Chat)
        );
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
