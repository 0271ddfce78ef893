//! Forum settings an operator chooses (`FORUM_TOPICS_PER_MINUTE`,
//! `FORUM_REPLIES_PER_MINUTE`, `FORUM_REACTIONS_PER_MINUTE`,
//! `FORUM_REPORTS_PER_HOUR`).

use mdsc_core::throttle::{Limit, Refusal};

pub const DEFAULT_TOPICS_PER_MINUTE: u32 = 5;
pub const DEFAULT_REPLIES_PER_MINUTE: u32 = 20;
/// A reader voting through a thread; a script voting on everything is not.
pub const DEFAULT_REACTIONS_PER_MINUTE: u32 = 30;
pub const DEFAULT_REPORTS_PER_HOUR: u32 = 20;

/// Anti-spam bounds: how many topics, replies, reactions and reports one
/// user may make per minute (per hour for reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForumSettings {
    pub topics_per_minute: u32,
    pub replies_per_minute: u32,
    pub reactions_per_minute: u32,
    pub reports_per_hour: u32,
}

impl ForumSettings {
    pub const DEFAULT: Self = Self {
        topics_per_minute: DEFAULT_TOPICS_PER_MINUTE,
        replies_per_minute: DEFAULT_REPLIES_PER_MINUTE,
        reactions_per_minute: DEFAULT_REACTIONS_PER_MINUTE,
        reports_per_hour: DEFAULT_REPORTS_PER_HOUR,
    };

    pub(crate) fn reactions(&self) -> Limit {
        Limit::new(self.reactions_per_minute, 60)
    }

    pub(crate) fn reports(&self) -> Limit {
        Limit::new(self.reports_per_hour, 3600)
    }
}

impl Default for ForumSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

pub(crate) const REACTIONS: &str = "forum_reaction";
pub(crate) const REPORTS: &str = "forum_report";
pub(crate) const TOO_MANY_REACTIONS: Refusal = Refusal::new(
    "RATE_LIMITED",
    "Too many reactions in a short time, slow down",
);
pub(crate) const TOO_MANY_REPORTS: Refusal = Refusal::new(
    "RATE_LIMITED",
    "Too many reports in a short time; staff have been told of the others",
);
