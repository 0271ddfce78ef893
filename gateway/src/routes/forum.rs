//! Course forums (seed §4.2.2): the forum, topics, replies, reactions,
//! solutions, pin and lock, reports and the staff's queue.

use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{delete, get, post, put};
use mdsc_core::Page;
use mdsc_forum::forum::{self, CreateForumInput, UpdateForumInput};
use mdsc_forum::reaction::{self, ReactionInput, RemoveReactionInput};
use mdsc_forum::reply::{self, CreateReplyInput, ReplyListQuery, SolutionInput, UpdateReplyInput};
use mdsc_forum::report::{self, ReportInput, ReportListQuery, ResolveReportInput};
use mdsc_forum::topic::{self, CreateTopicInput, FlagInput, TopicListQuery, UpdateTopicInput};
use mdsc_forum::{CourseForum, ForumReply, ForumReport, ForumTopic};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::envelope::{Envelope, created, deleted, ok};
use crate::error::{ApiResult, ErrorBody, optional_json};
use crate::extract::Auth;
use crate::json_input::Json;
use crate::routes::Deleted;
use crate::state::AppState;

/// Registers the forum routes.
pub fn configure(cfg: &mut ServiceConfig) {
    // No `{id}` segment of these paths sits where another path has a
    // literal one, so their order does not matter; the queue comes first
    // should a `/courses/{courseId}/forum/{…}` path ever be added.
    cfg.service(list_reports)
        .service(resolve_report)
        .service(get_forum)
        .service(create_forum)
        .service(update_forum)
        .service(list_topics)
        .service(create_topic)
        .service(get_topic)
        .service(update_topic)
        .service(delete_topic)
        .service(pin_topic)
        .service(lock_topic)
        .service(report_topic)
        .service(list_replies)
        .service(create_reply)
        .service(update_reply)
        .service(delete_reply)
        .service(mark_solution)
        .service(add_reaction)
        .service(remove_reaction)
        .service(report_reply);
}

// --- the forum -----------------------------------------------------------

/// The course's forum, created on first use. Enrolled students and staff.
#[utoipa::path(operation_id = "getCourseForum", tag = "forum", security(("bearer" = [])), params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<CourseForum>),
        (status = 403, description = "NOT_ENROLLED", body = ErrorBody)))]
#[get("/courses/{courseId}/forum")]
pub async fn get_forum(state: Data<AppState>, auth: Auth, course_id: Path<i32>) -> ApiResult {
    let course_id = course_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            forum::get_course_forum(conn, actor, st.clock(), course_id)
        })
        .await?;
    Ok(ok(data))
}

/// Staff create the course's forum with a title and description.
#[utoipa::path(operation_id = "createCourseForum", tag = "forum", security(("bearer" = [])), request_body = CreateForumInput,
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 201, body = Envelope<CourseForum>), (status = 403, body = ErrorBody),
        (status = 409, description = "FORUM_EXISTS", body = ErrorBody)))]
#[post("/courses/{courseId}/forum")]
pub async fn create_forum(
    state: Data<AppState>,
    auth: Auth,
    course_id: Path<i32>,
    body: Json<CreateForumInput>,
) -> ApiResult {
    let (course_id, input) = (course_id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            forum::create_forum(conn, actor, st.clock(), course_id, input)
        })
        .await?;
    Ok(created(data))
}

/// Staff change the forum's title or description, or lock it (read-only for students).
#[utoipa::path(operation_id = "updateCourseForum", tag = "forum", security(("bearer" = [])), request_body = UpdateForumInput,
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<CourseForum>), (status = 403, body = ErrorBody)))]
#[put("/courses/{courseId}/forum")]
pub async fn update_forum(
    state: Data<AppState>,
    auth: Auth,
    course_id: Path<i32>,
    body: Json<UpdateForumInput>,
) -> ApiResult {
    let (course_id, input) = (course_id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            forum::update_forum(conn, actor, st.clock(), course_id, input)
        })
        .await?;
    Ok(ok(data))
}

// --- topics --------------------------------------------------------------

/// Topics, pinned first; `sort=recent|popular|pinned`, `search`, `filter`, `lesson_id`.
#[utoipa::path(operation_id = "listForumTopics", tag = "forum", security(("bearer" = [])),
    params(("forumId" = i32, Path, description = "Forum id"), TopicListQuery),
    responses((status = 200, body = Envelope<Page<ForumTopic>>), (status = 403, body = ErrorBody)))]
#[get("/forums/{forumId}/topics")]
pub async fn list_topics(
    state: Data<AppState>,
    auth: Auth,
    forum_id: Path<i32>,
    query: Query<TopicListQuery>,
) -> ApiResult {
    let (forum_id, query) = (forum_id.into_inner(), query.into_inner());
    let data = state
        .db_as(auth, move |conn, _, actor| {
            topic::list_topics(conn, actor, forum_id, query)
        })
        .await?;
    Ok(ok(data))
}

/// Open a topic (rate limited per user).
#[utoipa::path(operation_id = "createForumTopic", tag = "forum", security(("bearer" = [])), request_body = CreateTopicInput,
    params(("forumId" = i32, Path, description = "Forum id")),
    responses((status = 201, body = Envelope<ForumTopic>), (status = 403, description = "NOT_ENROLLED, FORUM_LOCKED", body = ErrorBody), (status = 429, description = "RATE_LIMITED", body = ErrorBody)))]
#[post("/forums/{forumId}/topics")]
pub async fn create_topic(
    state: Data<AppState>,
    auth: Auth,
    forum_id: Path<i32>,
    body: Json<CreateTopicInput>,
) -> ApiResult {
    let (forum_id, input) = (forum_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            topic::create_topic(conn, actor, st.clock(), &st.config.forum, forum_id, input)
        })
        .await?;
    Ok(created(data))
}

/// A topic; counts the caller among its viewers.
#[utoipa::path(operation_id = "getForumTopic", tag = "forum", security(("bearer" = [])), params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 200, body = Envelope<ForumTopic>), (status = 403, body = ErrorBody)))]
#[get("/topics/{topicId}")]
pub async fn get_topic(state: Data<AppState>, auth: Auth, topic_id: Path<i32>) -> ApiResult {
    let topic_id = topic_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            topic::get_topic(conn, actor, st.clock(), topic_id)
        })
        .await?;
    Ok(ok(data))
}

/// Its author or staff edit a topic.
#[utoipa::path(operation_id = "updateForumTopic", tag = "forum", security(("bearer" = [])), request_body = UpdateTopicInput,
    params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 200, body = Envelope<ForumTopic>), (status = 403, body = ErrorBody)))]
#[put("/topics/{topicId}")]
pub async fn update_topic(
    state: Data<AppState>,
    auth: Auth,
    topic_id: Path<i32>,
    body: Json<UpdateTopicInput>,
) -> ApiResult {
    let (topic_id, input) = (topic_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            topic::update_topic(conn, actor, st.clock(), topic_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Its author or staff delete a topic and its replies.
#[utoipa::path(operation_id = "deleteForumTopic", tag = "forum", security(("bearer" = [])), params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/topics/{topicId}")]
pub async fn delete_topic(state: Data<AppState>, auth: Auth, topic_id: Path<i32>) -> ApiResult {
    let topic_id = topic_id.into_inner();
    state
        .db_as(auth, move |conn, st, actor| {
            topic::delete_topic(conn, actor, st.clock(), topic_id)
        })
        .await?;
    Ok(deleted())
}

/// Staff pin a topic: `{"value": bool}` sets it, an empty body toggles it.
#[utoipa::path(operation_id = "pinForumTopic", tag = "forum", security(("bearer" = [])), request_body(content = Option<FlagInput>, description = "optional"),
    params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 200, body = Envelope<ForumTopic>), (status = 403, body = ErrorBody)))]
#[post("/topics/{topicId}/pin")]
pub async fn pin_topic(
    state: Data<AppState>,
    auth: Auth,
    topic_id: Path<i32>,
    body: Bytes,
) -> ApiResult {
    let topic_id = topic_id.into_inner();
    let input: FlagInput = optional_json(&body)?.unwrap_or_default();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            topic::set_pinned(conn, actor, topic_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Staff lock a topic (no new replies from students): `{"value": bool}` sets it, an empty body toggles it.
#[utoipa::path(operation_id = "lockForumTopic", tag = "forum", security(("bearer" = [])), request_body(content = Option<FlagInput>, description = "optional"),
    params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 200, body = Envelope<ForumTopic>), (status = 403, body = ErrorBody)))]
#[post("/topics/{topicId}/lock")]
pub async fn lock_topic(
    state: Data<AppState>,
    auth: Auth,
    topic_id: Path<i32>,
    body: Bytes,
) -> ApiResult {
    let topic_id = topic_id.into_inner();
    let input: FlagInput = optional_json(&body)?.unwrap_or_default();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            topic::set_locked(conn, actor, topic_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Flag a topic for the staff (once per user).
#[utoipa::path(operation_id = "reportForumTopic", tag = "forum", security(("bearer" = [])), request_body = ReportInput,
    params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 201, body = Envelope<ForumReport>), (status = 403, body = ErrorBody),
        (status = 409, description = "ALREADY_REPORTED", body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/topics/{topicId}/report")]
pub async fn report_topic(
    state: Data<AppState>,
    auth: Auth,
    topic_id: Path<i32>,
    body: Json<ReportInput>,
) -> ApiResult {
    let (topic_id, input) = (topic_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            report::report_topic(conn, actor, st.clock(), &st.config.forum, topic_id, input)
        })
        .await?;
    Ok(created(data))
}

// --- replies -------------------------------------------------------------

/// A page of top-level replies with their nested replies; `sort=recent|oldest|votes`.
#[utoipa::path(operation_id = "listForumReplies", tag = "forum", security(("bearer" = [])),
    params(("topicId" = i32, Path, description = "Topic id"), ReplyListQuery),
    responses((status = 200, body = Envelope<Page<ForumReply>>), (status = 403, body = ErrorBody)))]
#[get("/topics/{topicId}/replies")]
pub async fn list_replies(
    state: Data<AppState>,
    auth: Auth,
    topic_id: Path<i32>,
    query: Query<ReplyListQuery>,
) -> ApiResult {
    let (topic_id, query) = (topic_id.into_inner(), query.into_inner());
    let data = state
        .db_as(auth, move |conn, _, actor| {
            reply::list_replies(conn, actor, topic_id, query)
        })
        .await?;
    Ok(ok(data))
}

/// Answer the topic or, with `parent_reply_id`, one of its replies (rate limited per user).
#[utoipa::path(operation_id = "createForumReply", tag = "forum", security(("bearer" = [])), request_body = CreateReplyInput,
    params(("topicId" = i32, Path, description = "Topic id")),
    responses((status = 201, body = Envelope<ForumReply>), (status = 403, description = "NOT_ENROLLED, FORUM_LOCKED, TOPIC_LOCKED", body = ErrorBody), (status = 429, description = "RATE_LIMITED", body = ErrorBody)))]
#[post("/topics/{topicId}/replies")]
pub async fn create_reply(
    state: Data<AppState>,
    auth: Auth,
    topic_id: Path<i32>,
    body: Json<CreateReplyInput>,
) -> ApiResult {
    let (topic_id, input) = (topic_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            reply::create_reply(conn, actor, st.clock(), &st.config.forum, topic_id, input)
        })
        .await?;
    Ok(created(data))
}

/// Its author or staff edit a reply.
#[utoipa::path(operation_id = "updateForumReply", tag = "forum", security(("bearer" = [])), request_body = UpdateReplyInput,
    params(("replyId" = i32, Path, description = "Reply id")),
    responses((status = 200, body = Envelope<ForumReply>), (status = 403, body = ErrorBody)))]
#[put("/replies/{replyId}")]
pub async fn update_reply(
    state: Data<AppState>,
    auth: Auth,
    reply_id: Path<i32>,
    body: Json<UpdateReplyInput>,
) -> ApiResult {
    let (reply_id, input) = (reply_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            reply::update_reply(conn, actor, st.clock(), reply_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Its author or staff delete a reply; one with answers keeps its place, its content removed.
#[utoipa::path(operation_id = "deleteForumReply", tag = "forum", security(("bearer" = [])), params(("replyId" = i32, Path, description = "Reply id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody)))]
#[delete("/replies/{replyId}")]
pub async fn delete_reply(state: Data<AppState>, auth: Auth, reply_id: Path<i32>) -> ApiResult {
    let reply_id = reply_id.into_inner();
    state
        .db_as(auth, move |conn, st, actor| {
            reply::delete_reply(conn, actor, st.clock(), reply_id)
        })
        .await?;
    Ok(deleted())
}

/// The topic's author or staff mark the solution (moving it from another
/// reply); `{"value": false}` takes the mark back.
#[utoipa::path(operation_id = "markForumReplySolution", tag = "forum", security(("bearer" = [])), request_body(content = Option<SolutionInput>, description = "optional"),
    params(("replyId" = i32, Path, description = "Reply id")),
    responses((status = 200, body = Envelope<ForumReply>), (status = 403, body = ErrorBody)))]
#[post("/replies/{replyId}/mark-solution")]
pub async fn mark_solution(
    state: Data<AppState>,
    auth: Auth,
    reply_id: Path<i32>,
    body: Bytes,
) -> ApiResult {
    let reply_id = reply_id.into_inner();
    let input: SolutionInput = optional_json(&body)?.unwrap_or_default();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            reply::mark_solution(conn, actor, reply_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// React to a reply (not one's own): an upvote replaces a downvote and back.
#[utoipa::path(operation_id = "addForumReaction", tag = "forum", security(("bearer" = [])), request_body = ReactionInput,
    params(("replyId" = i32, Path, description = "Reply id")),
    responses((status = 200, body = Envelope<ForumReply>), (status = 403, body = ErrorBody),
        (status = 422, description = "OWN_REPLY", body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/replies/{replyId}/reactions")]
pub async fn add_reaction(
    state: Data<AppState>,
    auth: Auth,
    reply_id: Path<i32>,
    body: Json<ReactionInput>,
) -> ApiResult {
    let (reply_id, input) = (reply_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            reaction::add_reaction(conn, actor, st.clock(), &st.config.forum, reply_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Remove one of the caller's reactions; `reaction_type` in the query string or the body.
#[utoipa::path(operation_id = "removeForumReaction", tag = "forum", security(("bearer" = [])), request_body(content = Option<RemoveReactionInput>, description = "optional"),
    params(("replyId" = i32, Path, description = "Reply id"), RemoveReactionInput),
    responses((status = 200, body = Envelope<ForumReply>), (status = 403, body = ErrorBody)))]
#[delete("/replies/{replyId}/reactions")]
pub async fn remove_reaction(
    state: Data<AppState>,
    auth: Auth,
    reply_id: Path<i32>,
    query: Query<RemoveReactionInput>,
    body: Bytes,
) -> ApiResult {
    let reply_id = reply_id.into_inner();
    let input = match query.into_inner() {
        RemoveReactionInput {
            reaction_type: None,
        } => optional_json(&body)?.unwrap_or_default(),
        from_query => from_query,
    };
    let data = state
        .db_as(auth, move |conn, _, actor| {
            reaction::remove_reaction(conn, actor, reply_id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Flag a reply for the staff (once per user).
#[utoipa::path(operation_id = "reportForumReply", tag = "forum", security(("bearer" = [])), request_body = ReportInput,
    params(("replyId" = i32, Path, description = "Reply id")),
    responses((status = 201, body = Envelope<ForumReport>), (status = 403, body = ErrorBody),
        (status = 409, description = "ALREADY_REPORTED", body = ErrorBody), (status = 429, description = "RATE_LIMITED, with Retry-After", body = ErrorBody)))]
#[post("/replies/{replyId}/report")]
pub async fn report_reply(
    state: Data<AppState>,
    auth: Auth,
    reply_id: Path<i32>,
    body: Json<ReportInput>,
) -> ApiResult {
    let (reply_id, input) = (reply_id.into_inner(), body.into_inner());
    let data = state
        .db_as_author(auth, move |conn, st, actor| {
            report::report_reply(conn, actor, st.clock(), &st.config.forum, reply_id, input)
        })
        .await?;
    Ok(created(data))
}

// --- moderation ----------------------------------------------------------

/// The staff's queue of reports; `status=open|resolved|all` (default open).
#[utoipa::path(operation_id = "listForumReports", tag = "forum", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id"), ReportListQuery),
    responses((status = 200, body = Envelope<Page<ForumReport>>), (status = 403, body = ErrorBody)))]
#[get("/courses/{courseId}/forum/reports")]
pub async fn list_reports(
    state: Data<AppState>,
    auth: Auth,
    course_id: Path<i32>,
    query: Query<ReportListQuery>,
) -> ApiResult {
    let (course_id, query) = (course_id.into_inner(), query.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            report::list_reports(conn, actor, st.clock(), course_id, query)
        })
        .await?;
    Ok(ok(data))
}

/// Staff resolve a report: `hide` the post, `restore` it, or `dismiss` the report.
#[utoipa::path(operation_id = "resolveForumReport", tag = "forum", security(("bearer" = [])), request_body = ResolveReportInput,
    params(("courseId" = i32, Path, description = "Course id"), ("reportId" = i32, Path, description = "Report id")),
    responses((status = 200, body = Envelope<ForumReport>), (status = 403, body = ErrorBody)))]
#[post("/courses/{courseId}/forum/reports/{reportId}/resolve")]
pub async fn resolve_report(
    state: Data<AppState>,
    auth: Auth,
    path: Path<(i32, i32)>,
    body: Json<ResolveReportInput>,
) -> ApiResult {
    let ((course_id, report_id), input) = (path.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            report::resolve_report(conn, actor, st.clock(), course_id, report_id, input)
        })
        .await?;
    Ok(ok(data))
}
