//! A user's notification data, for their export and their erasure (GDPR):
//! the notifications, per-type preferences, language and forum follows.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{
    forum_follows, jobs, notification_counter_deltas, notification_counters,
    notification_preferences, notification_settings, notifications,
};
use mdsc_core::time::utc;
use mdsc_core::{DbConnection, Error};
use serde::Serialize;

use crate::email::EMAIL_JOB;
use crate::language::get_settings;
use crate::model::{Notification, NotificationRow};
use crate::preferences::{NotificationPreference, get_preferences};

/// Keys per statement: well under every backend's bound-parameter limit.
const CHUNK: usize = 500;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationPersonalData {
    /// Every notification kept for the user, newest first.
    pub notifications: Vec<Notification>,
    /// The setting of every notification type.
    pub preferences: Vec<NotificationPreference>,
    /// `fr` or `en`.
    pub language: String,
    /// The forum follows the user chose (the others follow the default).
    pub forum_follows: Vec<ExportedFollow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedFollow {
    pub course_id: i32,
    pub following: bool,
    pub updated_at: DateTime<Utc>,
}

/// What the platform holds about the actor here.
pub fn export(
    conn: &mut DbConnection,
    actor: &Principal,
) -> Result<NotificationPersonalData, Error> {
    let notifications = notifications::table
        .filter(notifications::user_id.eq(actor.user_id))
        .order(notifications::id.desc())
        .select(NotificationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Notification::from)
        .collect();
    let forum_follows = forum_follows::table
        .filter(forum_follows::user_id.eq(actor.user_id))
        .order(forum_follows::course_id)
        .select((
            forum_follows::course_id,
            forum_follows::following,
            forum_follows::updated_at,
        ))
        .load::<(i32, bool, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(course_id, following, at)| ExportedFollow {
            course_id,
            following,
            updated_at: utc(at),
        })
        .collect();
    Ok(NotificationPersonalData {
        notifications,
        preferences: get_preferences(conn, actor)?,
        language: get_settings(conn, actor)?.locale,
        forum_follows,
    })
}

/// Deletes the user's notifications (their e-mails not sent yet are
/// cancelled and emptied), counters, preferences, language and follows.
/// Run inside the erasure's transaction.
pub fn erase(conn: &mut DbConnection, user_id: i32, now: NaiveDateTime) -> Result<(), Error> {
    let ids: Vec<i32> =
        diesel::delete(notifications::table.filter(notifications::user_id.eq(user_id)))
            .returning(notifications::id)
            .get_results(conn)?;
    // Their e-mails not sent yet are cancelled and emptied (their text
    // quoted the notifications); e-mails without an in-app notification
    // carry the user in their key.
    let emptied = (
        crate::jobs::finished("cancelled", now),
        jobs::payload.eq("{}"),
    );
    let keys: Vec<String> = ids.iter().map(|id| format!("{EMAIL_JOB}:{id}")).collect();
    for chunk in keys.chunks(CHUNK) {
        diesel::update(
            jobs::table
                .filter(jobs::finished_at.is_null())
                .filter(jobs::job_key.eq_any(chunk)),
        )
        .set(emptied.clone())
        .execute(conn)?;
    }
    diesel::update(
        jobs::table
            .filter(jobs::finished_at.is_null())
            .filter(jobs::kind.eq(EMAIL_JOB))
            .filter(jobs::job_key.like(format!("{EMAIL_JOB}:%:{user_id}:%"))),
    )
    .set(emptied)
    .execute(conn)?;
    diesel::delete(notification_counters::table.filter(notification_counters::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(
        notification_counter_deltas::table.filter(notification_counter_deltas::user_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::delete(
        notification_preferences::table.filter(notification_preferences::user_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::delete(notification_settings::table.filter(notification_settings::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(forum_follows::table.filter(forum_follows::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}
