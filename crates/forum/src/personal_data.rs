//! A user's forum activity, for their export (GDPR): topics, replies,
//! votes and reports.
//!
//! Erasure keeps them, attached to the anonymised account: the threads
//! stay readable for the other students (the posts then show a deleted
//! user), and vote counts stay exact.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_reactions, forum_replies, forum_reports, forum_topics};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{DbConnection, Error};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForumPersonalData {
    pub topics: Vec<ExportedTopic>,
    pub replies: Vec<ExportedReply>,
    /// Up and down votes and other reactions on replies.
    pub reactions: Vec<ExportedReaction>,
    /// Posts the user reported to staff.
    pub reports: Vec<ExportedReport>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedTopic {
    pub id: i32,
    pub forum_id: i32,
    pub title: String,
    pub content: String,
    pub is_hidden: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedReply {
    pub id: i32,
    pub topic_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_reply_id: Option<i32>,
    pub content: String,
    pub is_hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedReaction {
    pub reply_id: i32,
    pub reaction_type: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedReport {
    pub id: i32,
    pub topic_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_id: Option<i32>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

type TopicColumns = (i32, i32, String, String, bool, NaiveDateTime, NaiveDateTime);
type ReplyColumns = (
    i32,
    i32,
    Option<i32>,
    String,
    bool,
    Option<NaiveDateTime>,
    NaiveDateTime,
    NaiveDateTime,
);
type ReportColumns = (
    i32,
    i32,
    Option<i32>,
    String,
    Option<String>,
    String,
    NaiveDateTime,
);

/// What the platform holds about the actor's forum activity.
pub fn export(conn: &mut DbConnection, actor: &Principal) -> Result<ForumPersonalData, Error> {
    let topics = forum_topics::table
        .filter(forum_topics::user_id.eq(actor.user_id))
        .order(forum_topics::id)
        .select((
            forum_topics::id,
            forum_topics::forum_id,
            forum_topics::title,
            forum_topics::content,
            forum_topics::is_hidden,
            forum_topics::created_at,
            forum_topics::updated_at,
        ))
        .load::<TopicColumns>(conn)?
        .into_iter()
        .map(
            |(id, forum_id, title, content, is_hidden, created, updated)| ExportedTopic {
                id,
                forum_id,
                title,
                content,
                is_hidden,
                created_at: utc(created),
                updated_at: utc(updated),
            },
        )
        .collect();
    let replies = forum_replies::table
        .filter(forum_replies::user_id.eq(actor.user_id))
        .order(forum_replies::id)
        .select((
            forum_replies::id,
            forum_replies::topic_id,
            forum_replies::parent_reply_id,
            forum_replies::content,
            forum_replies::is_hidden,
            forum_replies::deleted_at,
            forum_replies::created_at,
            forum_replies::updated_at,
        ))
        .load::<ReplyColumns>(conn)?
        .into_iter()
        .map(
            |(id, topic_id, parent_reply_id, content, is_hidden, deleted, created, updated)| {
                ExportedReply {
                    id,
                    topic_id,
                    parent_reply_id,
                    content,
                    is_hidden,
                    deleted_at: utc_opt(deleted),
                    created_at: utc(created),
                    updated_at: utc(updated),
                }
            },
        )
        .collect();
    let reactions = forum_reactions::table
        .filter(forum_reactions::user_id.eq(actor.user_id))
        .order(forum_reactions::id)
        .select((
            forum_reactions::reply_id,
            forum_reactions::reaction_type,
            forum_reactions::created_at,
        ))
        .load::<(i32, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(reply_id, reaction_type, at)| ExportedReaction {
            reply_id,
            reaction_type,
            created_at: utc(at),
        })
        .collect();
    let reports = forum_reports::table
        .filter(forum_reports::user_id.eq(actor.user_id))
        .order(forum_reports::id)
        .select((
            forum_reports::id,
            forum_reports::topic_id,
            forum_reports::reply_id,
            forum_reports::reason,
            forum_reports::details,
            forum_reports::status,
            forum_reports::created_at,
        ))
        .load::<ReportColumns>(conn)?
        .into_iter()
        .map(
            |(id, topic_id, reply_id, reason, details, status, at)| ExportedReport {
                id,
                topic_id,
                reply_id,
                reason,
                details,
                status,
                created_at: utc(at),
            },
        )
        .collect();
    Ok(ForumPersonalData {
        topics,
        replies,
        reactions,
        reports,
    })
}
