//! A user's personal data across the domains (GDPR): the export gathers
//! each domain's part into one document; the erasure runs each domain's
//! part in one transaction, so an account is erased entirely or not at
//! all. Each domain decides what it deletes and what it keeps anonymised
//! (see its `personal_data` module; `docs/operations.md` sums it up).

use chrono::{DateTime, Utc};
use diesel::Connection;
use mdsc_auth::{Principal, User};
use mdsc_core::throttle::{self, Limit, Refusal, user_subject};
use mdsc_core::time::utc;
use mdsc_core::{DbConnection, Error, write_transaction};
use serde::Serialize;

use crate::routes::account::{Profile, profile};
use crate::state::AppState;

/// Exports per account and hour: each reads everything the account ever
/// wrote, so a loop of them is refused (`429 TOO_MANY_EXPORTS`).
const EXPORTS_PER_HOUR: Limit = Limit::new(5, 3600);
const EXPORT_SCOPE: &str = "personal_data_export";
const TOO_MANY_EXPORTS: Refusal = Refusal::new(
    "TOO_MANY_EXPORTS",
    "Too many exports of your data in the last hour; try again later",
);

/// `GET /api/auth/me/export`: every personal datum held about the caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonalDataExport {
    pub exported_at: DateTime<Utc>,
    /// The account, its language and time zone.
    pub profile: Profile,
    /// Enrollments, progress, completed lessons, quiz attempts, certificates.
    pub learning: mdsc_course::personal_data::LearningPersonalData,
    pub ratings: mdsc_rating::personal_data::RatingPersonalData,
    pub forum: mdsc_forum::personal_data::ForumPersonalData,
    /// Live-session attendance and chat messages.
    pub live: mdsc_live::personal_data::LivePersonalData,
    pub schedules: mdsc_schedule::personal_data::SchedulePersonalData,
    /// Notifications, preferences, language and forum follows.
    pub notifications: mdsc_notify::personal_data::NotificationPersonalData,
}

/// Gathers the export, read in one transaction.
pub fn export(
    conn: &mut DbConnection,
    st: &AppState,
    actor: &Principal,
) -> Result<PersonalDataExport, Error> {
    let now = st.clock().now();
    throttle::hit(
        conn,
        st.clock(),
        EXPORT_SCOPE,
        &user_subject(actor.user_id),
        EXPORTS_PER_HOUR,
        TOO_MANY_EXPORTS,
    )?;
    conn.transaction(|conn| {
        let user: User = mdsc_auth::service::me(conn, actor)?;
        Ok(PersonalDataExport {
            exported_at: utc(now),
            profile: profile(conn, actor, user)?,
            learning: mdsc_course::personal_data::export(conn, actor)?,
            ratings: mdsc_rating::personal_data::export(conn, actor)?,
            forum: mdsc_forum::personal_data::export(conn, actor)?,
            live: mdsc_live::personal_data::export(conn, actor)?,
            schedules: mdsc_schedule::personal_data::export(conn, &st.config.schedule, actor, now)?,
            notifications: mdsc_notify::personal_data::export(conn, actor)?,
        })
    })
}

/// Erases the account (its password already confirmed): every domain's
/// part, in one transaction.
pub fn erase(conn: &mut DbConnection, st: &AppState, actor: &Principal) -> Result<(), Error> {
    let now = st.clock().now();
    write_transaction(conn, |conn| {
        mdsc_auth::erasure::anonymize_account(conn, actor.user_id, now)?;
        mdsc_rating::personal_data::erase(conn, actor.user_id)?;
        mdsc_schedule::personal_data::erase(conn, actor.user_id)?;
        mdsc_notify::personal_data::erase(conn, actor.user_id, now)?;
        Ok(())
    })
}
