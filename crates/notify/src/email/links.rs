//! Where an e-mail's links point: the web app (the notification's page and
//! the preferences page), and the API's one-click unsubscribe from the
//! e-mail's notification type (RFC 8058), which mail clients show as an
//! "Unsubscribe" button.

use chrono::NaiveDateTime;
use mdsc_auth::TokenKeys;
use mdsc_core::Error;

/// The API route an e-mail's `List-Unsubscribe` header points to.
pub const UNSUBSCRIBE_PATH: &str = "/api/notifications/unsubscribe";

#[derive(Clone)]
pub struct EmailLinks {
    app_url: String,
    unsubscribe: Option<Unsubscribe>,
}

#[derive(Clone)]
struct Unsubscribe {
    api_url: String,
    keys: TokenKeys,
}

impl EmailLinks {
    /// Links into the web app (`APP_URL`) only: e-mails carry no
    /// unsubscribe headers.
    pub fn app_only(app_url: &str) -> Self {
        Self {
            app_url: app_url.trim_end_matches('/').to_owned(),
            unsubscribe: None,
        }
    }

    /// Also a one-click unsubscribe link on the API (`PUBLIC_URL`), its
    /// token signed with the API's keys.
    pub fn with_unsubscribe(app_url: &str, api_url: &str, keys: TokenKeys) -> Self {
        Self {
            unsubscribe: Some(Unsubscribe {
                api_url: api_url.trim_end_matches('/').to_owned(),
                keys,
            }),
            ..Self::app_only(app_url)
        }
    }

    pub fn app_url(&self) -> &str {
        &self.app_url
    }

    /// The link that turns off `user_id`'s e-mails of `kind`, if this
    /// deployment puts one in e-mails; it works until the account's token
    /// version (`token_version` now) changes.
    pub fn unsubscribe_url(
        &self,
        user_id: i32,
        token_version: i32,
        kind: &str,
        now: NaiveDateTime,
    ) -> Result<Option<String>, Error> {
        let Some(unsubscribe) = &self.unsubscribe else {
            return Ok(None);
        };
        let token = unsubscribe
            .keys
            .issue_unsubscribe(user_id, token_version, kind, now)?;
        // The type is snake_case ASCII and the token base64url with dots:
        // neither needs escaping in a query.
        Ok(Some(format!(
            "{}{UNSUBSCRIBE_PATH}?type={kind}&token={token}",
            unsubscribe.api_url
        )))
    }
}
