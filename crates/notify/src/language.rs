//! Each user's notification settings: the language notifications are
//! written in (French unless the user chose English).

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{notification_settings, users};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::{Deserialize, Serialize};

use crate::locale::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationSettings {
    /// The language of in-app notifications and e-mails: `fr` (default)
    /// or `en`. Notifications already written keep their language.
    pub locale: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettingsUpdate {
    /// `fr` or `en`.
    #[schema(schema_with = crate::locale::locale_schema)]
    pub locale: String,
}

/// The actor's settings.
pub fn get_settings(
    conn: &mut DbConnection,
    actor: &Principal,
) -> Result<NotificationSettings, Error> {
    let stored: Option<String> = notification_settings::table
        .filter(notification_settings::user_id.eq(actor.user_id))
        .select(notification_settings::locale)
        .first(conn)
        .optional()?;
    let locale = Locale::from_stored(stored.as_deref());
    Ok(NotificationSettings {
        locale: locale.as_str().to_owned(),
    })
}

/// Changes the actor's language (`422 locale` for anything but `fr` or `en`).
pub fn update_settings(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    input: NotificationSettingsUpdate,
) -> Result<NotificationSettings, Error> {
    let locale: Locale = input
        .locale
        .parse()
        .map_err(|message: String| Error::invalid_field("locale", message))?;
    write_transaction(conn, |conn| -> Result<(), Error> {
        // One row per user, also under concurrent requests (the unique
        // index backs it).
        mdsc_core::lock_row!(conn, users, actor.user_id)?;
        diesel::delete(
            notification_settings::table.filter(notification_settings::user_id.eq(actor.user_id)),
        )
        .execute(conn)?;
        diesel::insert_into(notification_settings::table)
            .values((
                notification_settings::user_id.eq(actor.user_id),
                notification_settings::locale.eq(locale.as_str()),
                notification_settings::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    get_settings(conn, actor)
}
