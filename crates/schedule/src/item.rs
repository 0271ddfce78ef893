//! The kinds and states of schedule items, shared by the planner, the
//! calendar writer and the API.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A string that is not the `as_str` form of any variant, e.g. a database
/// value written by a newer version or by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseItemError {
    /// `"item type"` or `"item status"`.
    pub kind: &'static str,
    /// The rejected value, as given.
    pub value: String,
}

impl fmt::Display for ParseItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}: {:?}", self.kind, self.value)
    }
}

impl std::error::Error for ParseItemError {}

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
    /// Every variant, in declaration order.
    pub const ALL: [Self; 5] = [
        Self::Lesson,
        Self::Quiz,
        Self::Milestone,
        Self::LiveSession,
        Self::Custom,
    ];

    /// The snake_case name, as serialized and stored; [`FromStr`] reads it
    /// back.
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
    /// Every variant, in declaration order.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Done, Self::Skipped, Self::Cancelled];

    /// The snake_case name, as serialized and stored; [`FromStr`] reads it
    /// back.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Exactly the [`ItemType::as_str`] forms (case-sensitive, no trimming).
impl FromStr for ItemType {
    type Err = ParseItemError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseItemError {
                kind: "item type",
                value: s.to_owned(),
            })
    }
}

/// Exactly the [`ItemStatus::as_str`] forms (case-sensitive, no trimming).
impl FromStr for ItemStatus {
    type Err = ParseItemError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseItemError {
                kind: "item status",
                value: s.to_owned(),
            })
    }
}
