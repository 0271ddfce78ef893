//! Per-type preferences: in-app and e-mail, both on unless turned off.

use std::collections::BTreeMap;

use diesel::prelude::*;
use mdsc_auth::{Principal, TokenKeys};
use mdsc_core::schema::{notification_preferences, users};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::{Deserialize, Serialize};

use crate::kind::NotificationKind;
use crate::locale::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationPreference {
    /// The notification type (see `Notification.type`).
    #[serde(rename = "type")]
    pub kind: String,
    pub in_app: bool,
    /// An e-mail for each notification of this type (checked again when
    /// the e-mail is sent).
    pub email: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// The types to change; the others keep their setting.
    pub preferences: Vec<PreferenceChange>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceChange {
    #[serde(rename = "type")]
    #[schema(value_type = crate::kind::NotificationKind)]
    pub kind: String,
    pub in_app: Option<bool>,
    pub email: Option<bool>,
}

/// Every type with the actor's setting.
pub fn get_preferences(
    conn: &mut DbConnection,
    actor: &Principal,
) -> Result<Vec<NotificationPreference>, Error> {
    let stored: BTreeMap<String, (bool, bool)> = notification_preferences::table
        .filter(notification_preferences::user_id.eq(actor.user_id))
        .select((
            notification_preferences::kind,
            notification_preferences::in_app,
            notification_preferences::email,
        ))
        .load::<(String, bool, bool)>(conn)?
        .into_iter()
        .map(|(kind, in_app, email)| (kind, (in_app, email)))
        .collect();
    Ok(NotificationKind::ALL
        .into_iter()
        .map(|kind| {
            let (in_app, email) = stored.get(kind.as_str()).copied().unwrap_or((true, true));
            NotificationPreference {
                kind: kind.as_str().to_owned(),
                in_app,
                email,
            }
        })
        .collect())
}

/// Changes the given types (all checked before anything is written).
pub fn update_preferences(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    input: PreferencesUpdate,
) -> Result<Vec<NotificationPreference>, Error> {
    let mut kinds = Vec::new();
    for (index, change) in input.preferences.iter().enumerate() {
        let field = format!("preferences[{index}].type");
        let kind: NotificationKind = change
            .kind
            .parse()
            .map_err(|message: String| Error::invalid_field(&field, message))?;
        if kinds.contains(&kind) {
            return Err(Error::invalid_field(&field, "listed twice"));
        }
        kinds.push(kind);
    }
    write_transaction(conn, |conn| -> Result<(), Error> {
        mdsc_core::lock_row!(conn, users, actor.user_id)?;
        let current = get_preferences(conn, actor)?;
        for (kind, change) in kinds.iter().zip(&input.preferences) {
            let now = current
                .iter()
                .find(|p| p.kind == kind.as_str())
                .map_or((true, true), |p| (p.in_app, p.email));
            let in_app = change.in_app.unwrap_or(now.0);
            let email = change.email.unwrap_or(now.1);
            let mine = notification_preferences::table
                .filter(notification_preferences::user_id.eq(actor.user_id))
                .filter(notification_preferences::kind.eq(kind.as_str()));
            diesel::delete(mine).execute(conn)?;
            if !(in_app && email) {
                diesel::insert_into(notification_preferences::table)
                    .values((
                        notification_preferences::user_id.eq(actor.user_id),
                        notification_preferences::kind.eq(kind.as_str()),
                        notification_preferences::in_app.eq(in_app),
                        notification_preferences::email.eq(email),
                        notification_preferences::updated_at.eq(clock.now()),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })?;
    get_preferences(conn, actor)
}

/// What an unsubscribe link would turn off, for the page a person sees
/// when they open it: the type, the recipient's language, and whether
/// their e-mails of that type are still on. Changes nothing (RFC 8058: a
/// `GET`, which link scanners follow, must not unsubscribe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeOffer {
    pub kind: NotificationKind,
    pub locale: Locale,
    pub email_on: bool,
}

pub fn unsubscribe_offer(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    clock: &dyn Clock,
    kind: &str,
    token: &str,
) -> Result<UnsubscribeOffer, Error> {
    let (kind, actor) = unsubscribe_link(conn, keys, clock, kind, token)?;
    let locale = Locale::from_stored(Some(&crate::language::get_settings(conn, &actor)?.locale));
    let email_on = get_preferences(conn, &actor)?
        .into_iter()
        .any(|p| p.kind == kind.as_str() && p.email);
    Ok(UnsubscribeOffer {
        kind,
        locale,
        email_on,
    })
}

/// The one-click unsubscribe of an e-mail (`List-Unsubscribe`, RFC 8058):
/// turns e-mail off for the token's user and that one type, leaving in-app
/// as it is. The token is the credential (the mail client posts it without
/// signing in); it names its type, so it cannot turn off another one.
/// Repeating it changes nothing and answers the same.
pub fn unsubscribe_email(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    clock: &dyn Clock,
    kind: &str,
    token: &str,
) -> Result<NotificationPreference, Error> {
    let (kind, actor) = unsubscribe_link(conn, keys, clock, kind, token)?;
    let change = PreferenceChange {
        kind: kind.as_str().to_owned(),
        in_app: None,
        email: Some(false),
    };
    let all = update_preferences(
        conn,
        &actor,
        clock,
        PreferencesUpdate {
            preferences: vec![change],
        },
    )?;
    all.into_iter()
        .find(|p| p.kind == kind.as_str())
        .ok_or_else(|| Error::internal("an unsubscribed type is missing from the preferences"))
}

/// An unsubscribe link's type and recipient: `422 type` for an unknown
/// type, `401` for a token that is not one for this type, or expired, or
/// whose account is gone.
fn unsubscribe_link(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    clock: &dyn Clock,
    kind: &str,
    token: &str,
) -> Result<(NotificationKind, Principal), Error> {
    let kind: NotificationKind = kind
        .parse()
        .map_err(|message: String| Error::invalid_field("type", message))?;
    let claim = keys.verify_unsubscribe(token, kind.as_str(), clock)?;
    let actor = mdsc_auth::service::current_principal(conn, &claim)?;
    Ok((kind, actor))
}
