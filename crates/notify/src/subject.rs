//! What a notification is about, when that thing can be withdrawn later
//! (see [`crate::withdraw`]). Stored as a short key on the notification and
//! on its e-mail job, so both are found without reading their JSON.

/// A thing notifications are about that can disappear from its readers'
/// view: a forum post that staff hide or that is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    ForumTopic(i32),
    ForumReply(i32),
}

impl Subject {
    /// The stored key: `forum_topic:12`, `forum_reply:34`.
    pub fn key(self) -> String {
        match self {
            Self::ForumTopic(id) => format!("forum_topic:{id}"),
            Self::ForumReply(id) => format!("forum_reply:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Subject;

    #[test]
    fn keys() {
        assert_eq!(Subject::ForumTopic(12).key(), "forum_topic:12");
        assert_eq!(Subject::ForumReply(34).key(), "forum_reply:34");
    }
}
