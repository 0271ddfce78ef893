//! Topics: create, list (pinned first, sorted, searched, filtered), read
//! (counting distinct viewers), edit, delete, pin and lock.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{forum_topic_views, forum_topics, lessons};
use mdsc_core::{Clock, DbConnection, Error, Page, PageParams, write_transaction};
use mdsc_notify::{Subject, forum_post_withdrawn};
use serde::Deserialize;
use validator::Validate;

use crate::access::{Ctx, find_forum, find_topic, forum_ctx, lock_topic, topic_ctx};
use crate::counters::topic_visibility_changed;
use crate::model::{ForumTopic, TopicRow};
use crate::rate_limit::{self, Posting};
use crate::render::{render_topic, render_topics};
use crate::settings::ForumSettings;
use crate::text::{SEARCH_MAX, like_patterns, search_text, validate_markdown, validate_title};

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateTopicInput {
    /// 1 to 255 characters, one line.
    #[validate(length(min = 1, max = 255), custom(function = validate_title))]
    pub title: String,
    /// Markdown, 1 to 20,000 characters.
    #[validate(length(min = 1, max = 20000), custom(function = validate_markdown))]
    pub content: String,
    /// A lesson of the same course, for a question asked from it.
    pub lesson_id: Option<i32>,
}

/// Fields left out (or null) stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateTopicInput {
    #[validate(length(min = 1, max = 255), custom(function = validate_title))]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 20000), custom(function = validate_markdown))]
    pub content: Option<String>,
    pub lesson_id: Option<i32>,
}

/// `{"value": true|false}` sets a flag; an empty body toggles it.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
pub struct FlagInput {
    pub value: Option<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TopicSort {
    /// Last activity (creation or latest reply) first (default).
    #[default]
    Recent,
    /// Most replies first, then most views.
    Popular,
    /// Newest topics first.
    Pinned,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TopicFilter {
    #[default]
    All,
    /// Without a solution.
    Unsolved,
    /// With a solution.
    Solved,
    /// Without any live reply.
    Unanswered,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicListQuery {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    /// Pinned topics always come first; then this order.
    #[param(inline)]
    pub sort: Option<TopicSort>,
    /// Words that must all appear in the title or content, in any order,
    /// ignoring case and accents (at most 200 characters, 10 words).
    pub search: Option<String>,
    #[param(inline)]
    pub filter: Option<TopicFilter>,
    /// Only the questions asked from this lesson.
    pub lesson_id: Option<i32>,
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

/// An enrolled student or staff opens a topic in the forum.
pub fn create_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ForumSettings,
    forum_id: i32,
    input: CreateTopicInput,
) -> Result<ForumTopic, Error> {
    let forum = find_forum(conn, forum_id)?;
    let ctx = forum_ctx(conn, actor, forum)?;
    ctx.ensure_writable()?;
    input.validate()?;
    if let Some(lesson_id) = input.lesson_id {
        check_lesson(conn, &ctx, lesson_id)?;
    }
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
                forum_topics::search_text.eq(search_text(&input.title, &input.content)),
                forum_topics::last_activity_at.eq(now),
                forum_topics::created_at.eq(now),
                forum_topics::updated_at.eq(now),
            ))
            .returning(forum_topics::id)
            .get_result(conn)?;
        let row = find_topic(conn, id)?;
        topic_visibility_changed(conn, &row, 1)?;
        mdsc_notify::events::forum_topic(conn, actor.user_id, ctx.forum.course_id, id, now)?;
        Ok(row)
    })?;
    render_topic(conn, row)
}

/// A forum's topics: pinned first, then by `sort`; hidden topics only for
/// staff (and their author).
pub fn list_topics(
    conn: &mut DbConnection,
    actor: &Principal,
    forum_id: i32,
    query: TopicListQuery,
) -> Result<Page<ForumTopic>, Error> {
    let forum = find_forum(conn, forum_id)?;
    let ctx = forum_ctx(conn, actor, forum)?;
    let search = match query.search.as_deref() {
        Some(s) if s.chars().count() > SEARCH_MAX => {
            return Err(Error::invalid_field(
                "search",
                format!("must be at most {SEARCH_MAX} characters"),
            ));
        }
        Some(s) => like_patterns(s),
        None => Vec::new(),
    };
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let staff = ctx.is_staff();
    let me = actor.user_id;
    let filter = query.filter.unwrap_or_default();
    let filtered = || {
        let mut q = forum_topics::table
            .filter(forum_topics::forum_id.eq(forum_id))
            .into_boxed();
        if !staff {
            q = q.filter(
                forum_topics::is_hidden
                    .eq(false)
                    .or(forum_topics::user_id.eq(me)),
            );
        }
        for pattern in &search {
            q = q.filter(forum_topics::search_text.like(pattern.clone()).escape('\\'));
        }
        if let Some(lesson_id) = query.lesson_id {
            q = q.filter(forum_topics::lesson_id.eq(lesson_id));
        }
        match filter {
            TopicFilter::All => q,
            TopicFilter::Unsolved => q.filter(forum_topics::has_solution.eq(false)),
            TopicFilter::Solved => q.filter(forum_topics::has_solution.eq(true)),
            TopicFilter::Unanswered => q.filter(forum_topics::reply_count.eq(0)),
        }
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let ordered = match query.sort.unwrap_or_default() {
        TopicSort::Recent => filtered().order((
            forum_topics::is_pinned.desc(),
            forum_topics::last_activity_at.desc(),
            forum_topics::id.desc(),
        )),
        TopicSort::Popular => filtered().order((
            forum_topics::is_pinned.desc(),
            forum_topics::reply_count.desc(),
            forum_topics::view_count.desc(),
            forum_topics::last_activity_at.desc(),
            forum_topics::id.desc(),
        )),
        TopicSort::Pinned => filtered().order((
            forum_topics::is_pinned.desc(),
            forum_topics::created_at.desc(),
            forum_topics::id.desc(),
        )),
    };
    let rows: Vec<TopicRow> = ordered
        .limit(request.limit)
        .offset(request.offset())
        .select(TopicRow::as_select())
        .load(conn)?;
    Ok(Page::new(render_topics(conn, rows)?, request, total))
}

/// Reads a topic and counts the caller among its distinct viewers.
pub fn get_topic(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    topic_id: i32,
) -> Result<ForumTopic, Error> {
    let topic = find_topic(conn, topic_id)?;
    topic_ctx(conn, actor, &topic)?;
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
    let topic = lock_topic(conn, topic_id)?;
    let ctx = topic_ctx(conn, actor, &topic)?;
    Ok((ctx, topic))
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
        if !topic.is_hidden {
            topic_visibility_changed(conn, &topic, -1)?;
        }
        Ok(())
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
