//! Forum settings an operator chooses (`FORUM_TOPICS_PER_MINUTE`,
//! `FORUM_REPLIES_PER_MINUTE`).

pub const DEFAULT_TOPICS_PER_MINUTE: u32 = 5;
pub const DEFAULT_REPLIES_PER_MINUTE: u32 = 20;

/// Anti-spam bounds: how many topics and replies one user may create per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForumSettings {
    pub topics_per_minute: u32,
    pub replies_per_minute: u32,
}

impl Default for ForumSettings {
    fn default() -> Self {
        Self {
            topics_per_minute: DEFAULT_TOPICS_PER_MINUTE,
            replies_per_minute: DEFAULT_REPLIES_PER_MINUTE,
        }
    }
}
