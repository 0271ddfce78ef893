//! Reports: any reader flags a topic or a reply once; the course's staff
//! work through the queue, hiding the post, restoring it, or dismissing the
//! report. Resolving closes every open report on the same post.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_replies, forum_reports, forum_topics};
use mdsc_core::throttle::{self, user_subject};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::require_course_staff;
use mdsc_notify::{Subject, forum_post_withdrawn};
use serde::Deserialize;
use validator::Validate;

use crate::access::{Ctx, find_reply, lock_reply, lock_topic, topic_ctx};
use crate::counters::{replies_changed, topic_visibility_changed};
use crate::forum::ensure_forum;
use crate::model::{
    ForumReport, ReplyRow, ReportAction, ReportReason, ReportRow, ReportStatus, ReportedPost,
    TopicRow,
};
use crate::render::{is_masked, people};
pub use crate::report_queue::{ReportListQuery, ReportStatusFilter, list_reports};
use crate::settings::{ForumSettings, REPORTS, TOO_MANY_REPORTS};
use crate::text::validate_markdown;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ReportInput {
    pub reason: ReportReason,
    /// Up to 1000 characters.
    #[validate(length(max = 1000), custom(function = validate_markdown))]
    #[schema(
        max_length = 1000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub details: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
pub struct ResolveReportInput {
    pub action: ReportAction,
}

fn find_report(conn: &mut DbConnection, report_id: i32) -> Result<ReportRow, Error> {
    forum_reports::table
        .find(report_id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Report"))
}

/// Files the report of `ctx.actor`.
fn insert_report(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    settings: &ForumSettings,
    ctx: &Ctx,
    topic_id: i32,
    reply_id: Option<i32>,
    input: &ReportInput,
) -> Result<ReportRow, Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        throttle::hit(
            conn,
            clock,
            REPORTS,
            &user_subject(ctx.actor.user_id),
            settings.reports(),
            TOO_MANY_REPORTS,
        )?;
        let id: i32 = diesel::insert_into(forum_reports::table)
            .values((
                forum_reports::forum_id.eq(ctx.forum.id),
                forum_reports::topic_id.eq(topic_id),
                forum_reports::reply_id.eq(reply_id),
                forum_reports::user_id.eq(ctx.actor.user_id),
                forum_reports::reason.eq(input.reason.as_str()),
                forum_reports::details.eq(&input.details),
                forum_reports::status.eq(ReportStatus::Open.as_str()),
                forum_reports::created_at.eq(clock.now()),
            ))
            .returning(forum_reports::id)
            .get_result(conn)
            .map_err(|e| match Error::from(e) {
                err if err.code == "ALREADY_EXISTS" => {
                    Error::conflict("ALREADY_REPORTED", "You have already reported this")
                }
                err => err,
            })?;
        find_report(conn, id)
    })
}

fn plain(row: ReportRow) -> ForumReport {
    ForumReport {
        id: row.id,
        forum_id: row.forum_id,
        topic_id: row.topic_id,
        reply_id: row.reply_id,
        user_id: row.user_id,
        reason: ReportReason::from_db(&row.reason),
        details: row.details,
        status: ReportStatus::from_db(&row.status),
        resolution: row.resolution.as_deref().and_then(ReportAction::from_db),
        resolved_by: row.resolved_by,
        resolved_at: utc_opt(row.resolved_at),
        created_at: utc(row.created_at),
        user: None,
        post: None,
    }
}

/// Any reader of the topic flags it (once); at most `reports_per_hour`
/// reports per user (`429 RATE_LIMITED`).
pub fn report_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ForumSettings,
    topic_id: i32,
    input: ReportInput,
) -> Result<ForumReport, Error> {
    let (ctx, _) = topic_ctx(conn, actor, topic_id)?;
    input.validate()?;
    let row = insert_report(conn, clock, settings, &ctx, topic_id, None, &input)?;
    Ok(plain(row))
}

/// Any reader of the topic flags one of its replies (once).
pub fn report_reply(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ForumSettings,
    reply_id: i32,
    input: ReportInput,
) -> Result<ForumReport, Error> {
    let reply = find_reply(conn, reply_id)?;
    let (ctx, topic) = topic_ctx(conn, actor, reply.topic_id)?;
    // A deleted reply, or a hidden one the actor may not read, does not
    // exist for them here either (as on every other route).
    if is_masked(&ctx, &reply) {
        return Err(Error::not_found("Reply"));
    }
    input.validate()?;
    let row = insert_report(
        conn,
        clock,
        settings,
        &ctx,
        topic.id,
        Some(reply_id),
        &input,
    )?;
    Ok(plain(row))
}

/// Reports with their reporter and the reported post, in one batch.
pub(crate) fn render_for_staff(
    conn: &mut DbConnection,
    rows: Vec<ReportRow>,
) -> Result<Vec<ForumReport>, Error> {
    let topic_ids: Vec<i32> = rows.iter().map(|r| r.topic_id).collect();
    let reply_ids: Vec<i32> = rows.iter().filter_map(|r| r.reply_id).collect();
    let topics: HashMap<i32, TopicRow> = forum_topics::table
        .filter(forum_topics::id.eq_any(topic_ids))
        .select(TopicRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let replies: HashMap<i32, ReplyRow> = if reply_ids.is_empty() {
        HashMap::new()
    } else {
        forum_replies::table
            .filter(forum_replies::id.eq_any(reply_ids))
            .select(ReplyRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    let people = people(
        conn,
        rows.iter()
            .map(|r| r.user_id)
            .chain(topics.values().map(|t| t.user_id))
            .chain(replies.values().map(|r| r.user_id)),
    )?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let topic = topics.get(&row.topic_id);
            let post = match (row.reply_id, topic) {
                (Some(id), Some(topic)) => replies.get(&id).map(|r| ReportedPost {
                    kind: "reply".to_owned(),
                    id: r.id,
                    user_id: r.user_id,
                    topic_title: topic.title.clone(),
                    content: r.content.clone(),
                    is_hidden: r.is_hidden,
                    is_deleted: r.deleted_at.is_some(),
                    user: people.get(&r.user_id).cloned(),
                }),
                (None, Some(topic)) => Some(ReportedPost {
                    kind: "topic".to_owned(),
                    id: topic.id,
                    user_id: topic.user_id,
                    topic_title: topic.title.clone(),
                    content: topic.content.clone(),
                    is_hidden: topic.is_hidden,
                    is_deleted: false,
                    user: people.get(&topic.user_id).cloned(),
                }),
                _ => None,
            };
            let user = people.get(&row.user_id).cloned();
            ForumReport {
                user,
                post,
                ..plain(row)
            }
        })
        .collect())
}

/// Shows (`hidden` false) or hides a topic, moving its forum's counters.
/// Hiding withdraws its notifications (and its replies'); showing it again
/// sends none.
fn set_topic_hidden(
    conn: &mut DbConnection,
    topic: &TopicRow,
    hidden: bool,
    now: NaiveDateTime,
) -> Result<(), Error> {
    if topic.is_hidden == hidden {
        return Ok(());
    }
    diesel::update(forum_topics::table.find(topic.id))
        .set(forum_topics::is_hidden.eq(hidden))
        .execute(conn)?;
    if hidden {
        forum_post_withdrawn(conn, Subject::ForumTopic(topic.id), now)?;
    }
    topic_visibility_changed(conn, topic, hidden)
}

/// Shows or hides a reply, moving its topic's counters; a hidden reply is
/// no longer the solution, and its notifications are withdrawn.
fn set_reply_hidden(
    conn: &mut DbConnection,
    topic: &TopicRow,
    reply_id: i32,
    hidden: bool,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let reply = lock_reply(conn, reply_id)?;
    if reply.is_hidden == hidden {
        return Ok(());
    }
    if hidden {
        forum_post_withdrawn(conn, Subject::ForumReply(reply_id), now)?;
    }
    diesel::update(forum_replies::table.find(reply_id))
        .set((
            forum_replies::is_hidden.eq(hidden),
            forum_replies::is_solution.eq(reply.is_solution && !hidden),
        ))
        .execute(conn)?;
    if hidden && reply.is_solution {
        diesel::update(forum_topics::table.find(topic.id))
            .set(forum_topics::has_solution.eq(false))
            .execute(conn)?;
    }
    // A deleted reply counts in nothing, hidden or not.
    let delta = match (reply.deleted_at.is_some(), hidden) {
        (true, _) => 0,
        (false, true) => -1,
        (false, false) => 1,
    };
    replies_changed(conn, topic, delta, 0)
}

/// Staff resolve a report: `hide` hides the post from students, `restore`
/// shows it again, `dismiss` leaves it as it is. Every open report on the
/// same post is resolved with it.
pub fn resolve_report(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    report_id: i32,
    input: ResolveReportInput,
) -> Result<ForumReport, Error> {
    require_course_staff(conn, actor, course_id)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let report = find_report(conn, report_id)?;
        let forum = ensure_forum(conn, clock, course_id)?;
        if report.forum_id != forum.id {
            return Err(Error::not_found("Report"));
        }
        // The post's topic first, as every writer of the thread does.
        let topic = lock_topic(conn, report.topic_id)?;
        let hidden = match input.action {
            ReportAction::Hide => Some(true),
            ReportAction::Restore => Some(false),
            ReportAction::Dismiss => None,
        };
        let now = clock.now();
        if let Some(hidden) = hidden {
            match report.reply_id {
                Some(reply_id) => set_reply_hidden(conn, &topic, reply_id, hidden, now)?,
                None => set_topic_hidden(conn, &topic, hidden, now)?,
            }
        }
        let same_post = forum_reports::table
            .filter(forum_reports::topic_id.eq(report.topic_id))
            .filter(forum_reports::status.eq("open"))
            .into_boxed();
        let same_post = match report.reply_id {
            Some(reply_id) => same_post.filter(forum_reports::reply_id.eq(reply_id)),
            None => same_post.filter(forum_reports::reply_id.is_null()),
        };
        let open_ids: Vec<i32> = same_post.select(forum_reports::id).load(conn)?;
        diesel::update(
            forum_reports::table.filter(
                forum_reports::id
                    .eq_any(open_ids)
                    .or(forum_reports::id.eq(report_id)),
            ),
        )
        .set((
            forum_reports::status.eq(ReportStatus::Resolved.as_str()),
            forum_reports::resolution.eq(input.action.as_str()),
            forum_reports::resolved_by.eq(actor.user_id),
            forum_reports::resolved_at.eq(now),
        ))
        .execute(conn)?;
        find_report(conn, report_id)
    })?;
    render_for_staff(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("rendering lost the report"))
}
