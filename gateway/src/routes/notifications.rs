//! Notifications (seed §6.1): the signed-in user's list, unread count,
//! marking read, per-type preferences (in-app, e-mail), the language they
//! are written in, and following course forums.

use actix_web::web::{Data, Path, Query};
use actix_web::{delete, get, post, put};
use mdsc_core::Page;
use mdsc_notify::Notification;
use mdsc_notify::follow::{self as forum_follow, ForumFollow};
use mdsc_notify::language::{self, NotificationSettings, NotificationSettingsUpdate};
use mdsc_notify::preferences::{self, NotificationPreference, PreferencesUpdate};
use mdsc_notify::service::{self, MarkedRead, NotificationQuery, UnreadCount};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::envelope::{Envelope, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::json_input::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(unread_count)
        .service(read_all)
        .service(get_preferences)
        .service(update_preferences)
        .service(get_settings)
        .service(update_settings)
        .service(read_one)
        .service(follow_status)
        .service(follow)
        .service(unfollow);
}

/// The signed-in user's notifications, newest first (`?unread=true` for the unread ones).
#[utoipa::path(operation_id = "listNotifications", tag = "notifications", security(("bearer" = [])), params(NotificationQuery),
    responses((status = 200, body = Envelope<Page<Notification>>)))]
#[get("/notifications")]
pub async fn list(state: Data<AppState>, auth: Auth, query: Query<NotificationQuery>) -> ApiResult {
    let query = query.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            service::list_notifications(conn, actor, query)
        })
        .await?;
    Ok(ok(data))
}

/// How many notifications the signed-in user has not read.
#[utoipa::path(operation_id = "getUnreadNotificationCount", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Envelope<UnreadCount>)))]
#[get("/notifications/unread-count")]
pub async fn unread_count(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, _, actor| {
            service::unread_count(conn, actor)
        })
        .await?;
    Ok(ok(data))
}

/// Mark one notification read (the first reading time is kept).
#[utoipa::path(operation_id = "markNotificationRead", tag = "notifications", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Notification id")),
    responses((status = 200, body = Envelope<Notification>)))]
#[post("/notifications/{id}/read")]
pub async fn read_one(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            service::mark_read(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(ok(data))
}

/// Mark every notification of the signed-in user read.
#[utoipa::path(operation_id = "markAllNotificationsRead", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Envelope<MarkedRead>)))]
#[post("/notifications/read-all")]
pub async fn read_all(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, st, actor| {
            service::mark_all_read(conn, actor, st.clock())
        })
        .await?;
    Ok(ok(data))
}

/// Per-type preferences: in-app and e-mail, on unless turned off.
#[utoipa::path(operation_id = "getNotificationPreferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Envelope<Vec<NotificationPreference>>)))]
#[get("/notifications/preferences")]
pub async fn get_preferences(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, _, actor| {
            preferences::get_preferences(conn, actor)
        })
        .await?;
    Ok(ok(data))
}

/// Change some types' preferences; answers them all.
#[utoipa::path(operation_id = "updateNotificationPreferences", tag = "notifications", security(("bearer" = [])), request_body = PreferencesUpdate,
    responses((status = 200, body = Envelope<Vec<NotificationPreference>>)))]
#[put("/notifications/preferences")]
pub async fn update_preferences(
    state: Data<AppState>,
    auth: Auth,
    body: Json<PreferencesUpdate>,
) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            preferences::update_preferences(conn, actor, st.clock(), input)
        })
        .await?;
    Ok(ok(data))
}

/// The signed-in user's notification settings: the language (`fr` or `en`).
#[utoipa::path(operation_id = "getNotificationSettings", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Envelope<NotificationSettings>)))]
#[get("/notifications/settings")]
pub async fn get_settings(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, _, actor| {
            language::get_settings(conn, actor)
        })
        .await?;
    Ok(ok(data))
}

/// Choose the language of new notifications and e-mails: `fr` (default) or `en`.
#[utoipa::path(operation_id = "updateNotificationSettings", tag = "notifications", security(("bearer" = [])), request_body = NotificationSettingsUpdate,
    responses((status = 200, body = Envelope<NotificationSettings>)))]
#[put("/notifications/settings")]
pub async fn update_settings(
    state: Data<AppState>,
    auth: Auth,
    body: Json<NotificationSettingsUpdate>,
) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            language::update_settings(conn, actor, st.clock(), input)
        })
        .await?;
    Ok(ok(data))
}

/// Whether the signed-in member follows the course's forum (new topics notified).
#[utoipa::path(operation_id = "getForumFollowStatus", tag = "notifications", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<ForumFollow>),
        (status = 403, description = "NOT_ENROLLED", body = ErrorBody)))]
#[get("/courses/{courseId}/forum/follow")]
pub async fn follow_status(state: Data<AppState>, auth: Auth, course_id: Path<i32>) -> ApiResult {
    let course_id = course_id.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            forum_follow::follow_status(conn, actor, course_id)
        })
        .await?;
    Ok(ok(data))
}

/// Follow the course's forum: its new topics are notified.
#[utoipa::path(operation_id = "followForum", tag = "notifications", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<ForumFollow>),
        (status = 403, description = "NOT_ENROLLED", body = ErrorBody)))]
#[post("/courses/{courseId}/forum/follow")]
pub async fn follow(state: Data<AppState>, auth: Auth, course_id: Path<i32>) -> ApiResult {
    let course_id = course_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            forum_follow::set_following(conn, actor, st.clock(), course_id, true)
        })
        .await?;
    Ok(ok(data))
}

/// Stop following the course's forum.
#[utoipa::path(operation_id = "unfollowForum", tag = "notifications", security(("bearer" = [])),
    params(("courseId" = i32, Path, description = "Course id")),
    responses((status = 200, body = Envelope<ForumFollow>),
        (status = 403, description = "NOT_ENROLLED", body = ErrorBody)))]
#[delete("/courses/{courseId}/forum/follow")]
pub async fn unfollow(state: Data<AppState>, auth: Auth, course_id: Path<i32>) -> ApiResult {
    let course_id = course_id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            forum_follow::set_following(conn, actor, st.clock(), course_id, false)
        })
        .await?;
    Ok(ok(data))
}
