//! Forum rows and the seed's `CourseForum`, `ForumTopic`, `ForumReply`
//! shapes (§4.3.1), plus reports.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::UserSummary;
use mdsc_core::schema::{course_forums, forum_replies, forum_reports, forum_topics};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = course_forums)]
pub struct ForumRow {
    pub id: i32,
    pub course_id: i32,
    pub title: String,
    pub description: Option<String>,
    pub is_locked: bool,
    pub topic_count: i32,
    pub reply_count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Hidden topics (staff's total lists them too).
    pub hidden_topic_count: i32,
}

/// A topic row without its `search_text` and `search_title`, which only
/// queries use.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = forum_topics)]
pub struct TopicRow {
    pub id: i32,
    pub forum_id: i32,
    pub user_id: i32,
    pub lesson_id: Option<i32>,
    pub title: String,
    pub content: String,
    pub is_pinned: bool,
    pub is_locked: bool,
    pub is_hidden: bool,
    pub has_solution: bool,
    pub view_count: i32,
    pub reply_count: i32,
    pub last_reply_at: Option<NaiveDateTime>,
    pub last_reply_by: Option<i32>,
    pub last_activity_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Top-level replies, hidden ones and deleted placeholders included.
    pub thread_count: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = forum_replies)]
pub struct ReplyRow {
    pub id: i32,
    pub topic_id: i32,
    pub user_id: i32,
    pub parent_reply_id: Option<i32>,
    pub root_reply_id: Option<i32>,
    pub depth: i32,
    pub content: String,
    pub is_solution: bool,
    pub is_hidden: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub like_count: i32,
    pub helpful_count: i32,
    pub deleted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ReplyRow {
    /// Counted in `reply_count` and eligible for `last_reply_*`: neither
    /// deleted nor hidden by a moderator.
    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none() && !self.is_hidden
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = forum_reports)]
pub struct ReportRow {
    pub id: i32,
    pub forum_id: i32,
    pub topic_id: i32,
    pub reply_id: Option<i32>,
    pub user_id: i32,
    pub reason: String,
    pub details: Option<String>,
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<i32>,
    pub resolved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// The course embedded in a forum.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForumCourse {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

/// `CourseForum` of the seed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseForum {
    pub id: i32,
    pub course_id: i32,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Read-only for students while locked.
    pub is_locked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course: Option<ForumCourse>,
    /// Visible topics.
    pub topic_count: i32,
    /// Live replies of the visible topics.
    pub reply_count: i32,
}

/// `ForumTopic` of the seed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForumTopic {
    pub id: i32,
    pub forum_id: i32,
    pub user_id: i32,
    pub title: String,
    /// Markdown, as written.
    pub content: String,
    pub is_pinned: bool,
    /// No new replies from students while locked.
    pub is_locked: bool,
    /// Distinct users who opened the topic.
    pub view_count: i32,
    /// Live replies, nested or not.
    pub reply_count: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reply_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reply_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reply_user: Option<UserSummary>,
    /// One of its replies is marked as the solution.
    pub has_solution: bool,
    /// Hidden by a moderator: only staff and the author see it.
    pub is_hidden: bool,
    /// The lesson the question was asked from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson_id: Option<i32>,
    /// The later of its creation and its last live reply.
    pub last_activity_at: DateTime<Utc>,
}

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
#[serde(rename_all = "lowercase")]
pub enum ReactionType {
    Upvote,
    Downvote,
    Like,
    Helpful,
}

impl ReactionType {
    pub const ALL: [ReactionType; 4] = [Self::Upvote, Self::Downvote, Self::Like, Self::Helpful];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upvote => "upvote",
            Self::Downvote => "downvote",
            Self::Like => "like",
            Self::Helpful => "helpful",
        }
    }
    pub fn from_db(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
    /// The vote this one excludes: an upvote replaces a downvote and back.
    pub fn opposite(self) -> Option<Self> {
        match self {
            Self::Upvote => Some(Self::Downvote),
            Self::Downvote => Some(Self::Upvote),
            Self::Like | Self::Helpful => None,
        }
    }
}

/// `ForumReply` of the seed. A deleted reply that still has answers keeps
/// its place with `is_deleted` and empty `content`; a hidden one shows its
/// content only to staff and its author.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForumReply {
    pub id: i32,
    pub topic_id: i32,
    pub user_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_reply_id: Option<i32>,
    /// Markdown, as written.
    pub content: String,
    pub is_solution: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub like_count: i32,
    pub helpful_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSummary>,
    /// The reply answered, without its own nesting (on a created reply).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub parent_reply: Option<Box<ForumReply>>,
    /// Nested answers, oldest first (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub replies: Option<Vec<ForumReply>>,
    /// The caller's vote: `upvote` or `downvote`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_reaction: Option<ReactionType>,
    /// Every reaction of the caller (votes, `like`, `helpful`).
    pub user_reactions: Vec<ReactionType>,
    pub is_deleted: bool,
    pub is_hidden: bool,
    /// 0 for a top-level reply.
    pub depth: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Offensive,
    OffTopic,
    Other,
}

impl ReportReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Offensive => "offensive",
            Self::OffTopic => "off_topic",
            Self::Other => "other",
        }
    }
    pub fn from_db(value: &str) -> Self {
        match value {
            "spam" => Self::Spam,
            "offensive" => Self::Offensive,
            "off_topic" => Self::OffTopic,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    Open,
    Resolved,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
        }
    }
    pub fn from_db(value: &str) -> Self {
        if value == "resolved" {
            Self::Resolved
        } else {
            Self::Open
        }
    }
}

/// How staff resolve a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportAction {
    /// Hide the post from students.
    Hide,
    /// Show a hidden post again.
    Restore,
    /// Leave the post as it is.
    Dismiss,
}

impl ReportAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hide => "hide",
            Self::Restore => "restore",
            Self::Dismiss => "dismiss",
        }
    }
    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "hide" => Some(Self::Hide),
            "restore" => Some(Self::Restore),
            "dismiss" => Some(Self::Dismiss),
            _ => None,
        }
    }
}

/// The reported post, as staff see it in the queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportedPost {
    /// `topic` or `reply`.
    pub kind: String,
    pub id: i32,
    pub user_id: i32,
    /// The topic's title (for a reply: its topic's).
    pub topic_title: String,
    pub content: String,
    pub is_hidden: bool,
    pub is_deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSummary>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForumReport {
    pub id: i32,
    pub forum_id: i32,
    pub topic_id: i32,
    /// Set when the report is about a reply of the topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_id: Option<i32>,
    pub user_id: i32,
    pub reason: ReportReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    pub status: ReportStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ReportAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The reporter (staff views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSummary>,
    /// What was reported (staff views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<ReportedPost>,
}
