//! mdsc-forum: one discussion forum per course (seed §4). Topics with
//! nested replies, votes and reactions, a solution per topic, pinned and
//! locked topics, search, reports and their moderation, anti-spam limits,
//! and the counters lists show kept exact in the transaction of each change.

mod access;
pub mod counters;
pub mod forum;
pub mod model;
pub mod participants;
pub mod personal_data;
mod rate_limit;
pub mod reaction;
mod render;
pub mod reply;
pub mod reply_feed;
mod reply_list;
pub mod report;
mod report_queue;
mod search;
pub mod settings;
mod sql;
pub mod text;
pub mod topic;
mod topic_cursor;
mod topic_list;
mod topic_search;

pub use model::{
    CourseForum, ForumReply, ForumReport, ForumTopic, ReactionType, ReportAction, ReportReason,
    ReportStatus,
};
pub use settings::ForumSettings;
