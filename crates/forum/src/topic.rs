//! Topics: create, read (counting distinct viewers), edit, delete, pin
//! and lock. Their list is `topic_list`.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_topic_views, forum_topics, lessons};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_notify::{Subject, forum_post_withdrawn};
use serde::Deserialize;
use validator::Validate;

use crate::access::{Ctx, find_topic, forum_ctx, lock_topic, topic_ctx};
use crate::counters::topic_counted;
use crate::model::{ForumTopic, TopicRow};
use crate::participants;
use crate::rate_limit::{self, Posting};
use crate::render::render_topic;
use crate::settings::ForumSettings;
pub use crate::sql::COUNTED_TOTAL_MAX;
use crate::text::{search_text, search_title, validate_markdown, validate_title};
pub use crate::topic_list::{TopicFilter, TopicListQuery, TopicSort, list_topics};

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateTopicInput {
    /// 1 to 255 characters, one line.
    #[validate(length(min = 1, max = 255), custom(function = validate_title))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: String,
    /// Markdown, 1 to 20,000 characters.
    #[validate(length(min = 1, max = 20000), custom(function = validate_markdown))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub content: String,
    /// A lesson of the same course, for a question asked from it.
    pub lesson_id: Option<i32>,
}

/// Fields left out (or null) stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateTopicInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_title))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 20000), custom(function = validate_markdown))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub content: Option<String>,
    pub lesson_id: Option<i32>,
}

/// `{"value": true|false}` sets a flag; an empty body toggles it.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
pub struct FlagInput {
    pub value: Option<bool>,
}

/// 422 unless the lesson belongs to the forum's course.
fn check_lesson(conn: &mut DbConnection, ctx: &Ctx, lesson_id: i32) -> Result<(), Error> {
    let course_id: Option<i32> = lessons::table
        .find(lesson_id)
        .select(lessons::course_id)
        .first(conn)
        .optional()?;
    if course_id == Some(ctx.forum.course_id) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "lesson_id",
            "must be a lesson of this course",
        ))
    }
}

/// An enrolled student or staff opens a topic in the forum. The checks
/// and the text work come before the write transaction (on SQLite, the
/// database-wide write lock), which holds the writes only.
pub fn create_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ForumSettings,
    forum_id: i32,
    input: CreateTopicInput,
) -> Result<ForumTopic, Error> {
    let ctx = forum_ctx(conn, actor, forum_id)?;
    ctx.ensure_writable()?;
    input.validate()?;
    if let Some(lesson_id) = input.lesson_id {
        check_lesson(conn, &ctx, lesson_id)?;
    }
    let folded = search_text(&input.title, &input.content);
    let folded_title = search_title(&input.title);
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        rate_limit::admit(
            conn,
            clock,
            actor,
            Posting::Topic,
            settings.topics_per_minute,
        )?;
        let now = clock.now();
        let id: i32 = diesel::insert_into(forum_topics::table)
            .values((
                forum_topics::forum_id.eq(forum_id),
                forum_topics::user_id.eq(actor.user_id),
                forum_topics::lesson_id.eq(input.lesson_id),
                forum_topics::title.eq(&input.title),
                forum_topics::content.eq(&input.content),
                forum_topics::search_text.eq(&folded),
                forum_topics::search_title.eq(&folded_title),
                forum_topics::last_activity_at.eq(now),
                forum_topics::created_at.eq(now),
                forum_topics::updated_at.eq(now),
            ))
            .returning(forum_topics::id)
            .get_result(conn)?;
        let row = find_topic(conn, id)?;
        topic_counted(conn, &row, 1)?;
        participants::join(conn, row.id, actor.user_id, now)?;
        mdsc_notify::events::forum_topic(conn, actor.user_id, ctx.forum.course_id, row.id, now)?;
        Ok(row)
    })?;
    render_topic(conn, row)
}

/// Reads a topic and counts the caller among its distinct viewers.
pub fn get_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    topic_id: i32,
) -> Result<ForumTopic, Error> {
    let (_, topic) = topic_ctx(conn, actor, topic_id)?;
    let seen: i64 = forum_topic_views::table
        .filter(forum_topic_views::topic_id.eq(topic_id))
        .filter(forum_topic_views::user_id.eq(actor.user_id))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return render_topic(conn, topic);
    }
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        // Locked, so that two first visits of the same user count once.
        let topic = lock_topic(conn, topic_id)?;
        let seen: i64 = forum_topic_views::table
            .filter(forum_topic_views::topic_id.eq(topic_id))
            .filter(forum_topic_views::user_id.eq(actor.user_id))
            .count()
            .get_result(conn)?;
        if seen > 0 {
            return Ok(topic);
        }
        diesel::insert_into(forum_topic_views::table)
            .values((
                forum_topic_views::topic_id.eq(topic_id),
                forum_topic_views::user_id.eq(actor.user_id),
                forum_topic_views::viewed_at.eq(clock.now()),
            ))
            .execute(conn)?;
        diesel::update(forum_topics::table.find(topic_id))
            .set(forum_topics::view_count.eq(forum_topics::view_count + 1))
            .execute(conn)?;
        find_topic(conn, topic_id)
    })?;
    render_topic(conn, row)
}

/// The topic locked, with its context, for a change.
fn for_change(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
) -> Result<(Ctx, TopicRow), Error> {
    mdsc_core::lock_row!(conn, forum_topics, topic_id)?;
    topic_ctx(conn, actor, topic_id)
}

/// Its author or staff edit a topic.
pub fn update_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    topic_id: i32,
    input: UpdateTopicInput,
) -> Result<ForumTopic, Error> {
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, topic) = for_change(conn, actor, topic_id)?;
        ctx.ensure_author_or_staff(topic.user_id, "topic")?;
        ctx.ensure_writable()?;
        input.validate()?;
        if let Some(lesson_id) = input.lesson_id {
            check_lesson(conn, &ctx, lesson_id)?;
        }
        let title = input.title.as_deref().unwrap_or(&topic.title);
        let content = input.content.as_deref().unwrap_or(&topic.content);
        diesel::update(forum_topics::table.find(topic_id))
            .set((
                forum_topics::title.eq(title),
                forum_topics::content.eq(content),
                forum_topics::search_text.eq(search_text(title, content)),
                forum_topics::search_title.eq(search_title(title)),
                input.lesson_id.map(|l| forum_topics::lesson_id.eq(l)),
                forum_topics::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        find_topic(conn, topic_id)
    })?;
    render_topic(conn, row)
}

/// Its author or staff delete a topic, with its replies, reactions and
/// reports, and the notifications of them all.
pub fn delete_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    topic_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, topic) = for_change(conn, actor, topic_id)?;
        ctx.ensure_author_or_staff(topic.user_id, "topic")?;
        ctx.ensure_writable()?;
        // While its replies still exist: their notifications go too.
        forum_post_withdrawn(conn, Subject::ForumTopic(topic_id), clock.now())?;
        diesel::delete(forum_topics::table.find(topic_id)).execute(conn)?;
        topic_counted(conn, &topic, -1)
    })
}

#[derive(Debug, Clone, Copy)]
enum Flag {
    Pinned,
    Locked,
}

fn set_flag(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
    flag: Flag,
    input: FlagInput,
) -> Result<ForumTopic, Error> {
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, topic) = for_change(conn, actor, topic_id)?;
        ctx.ensure_staff()?;
        let target = forum_topics::table.find(topic_id);
        match flag {
            Flag::Pinned => {
                let value = input.value.unwrap_or(!topic.is_pinned);
                diesel::update(target)
                    .set(forum_topics::is_pinned.eq(value))
                    .execute(conn)?
            }
            Flag::Locked => {
                let value = input.value.unwrap_or(!topic.is_locked);
                diesel::update(target)
                    .set(forum_topics::is_locked.eq(value))
                    .execute(conn)?
            }
        };
        find_topic(conn, topic_id)
    })?;
    render_topic(conn, row)
}

/// Staff pin (or unpin) a topic: `value`, else the opposite of now.
pub fn set_pinned(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
    input: FlagInput,
) -> Result<ForumTopic, Error> {
    set_flag(conn, actor, topic_id, Flag::Pinned, input)
}

/// Staff lock (or unlock) a topic: students may no longer reply to it.
pub fn set_locked(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
    input: FlagInput,
) -> Result<ForumTopic, Error> {
    set_flag(conn, actor, topic_id, Flag::Locked, input)
}
