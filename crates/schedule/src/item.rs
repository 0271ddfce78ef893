//! The kinds and states of schedule items, shared by the planner, the
//! calendar writer and the API.

use serde::{Deserialize, Serialize};

/// What a schedule item stands for (`ScheduleItem.type` of the seed).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    Lesson,
    Quiz,
    Milestone,
    LiveSession,
    Custom,
}

impl ItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lesson => "lesson",
            Self::Quiz => "quiz",
            Self::Milestone => "milestone",
            Self::LiveSession => "live_session",
            Self::Custom => "custom",
        }
    }
}

/// Where the student stands with an item.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Pending,
    Done,
    Skipped,
    /// A live session the instructor cancelled.
    Cancelled,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }
}
