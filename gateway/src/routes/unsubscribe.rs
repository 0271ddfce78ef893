//! The unsubscribe link of notification e-mails (RFC 8058). Mail clients
//! `POST` to it (one click, no sign-in: the token is the credential); a
//! person who opens it in a browser gets a page that says what it turns off,
//! with a button that sends that `POST`. A `GET` never unsubscribes: link
//! scanners open every link of an e-mail.

use actix_web::http::header;
use actix_web::web::{Data, Query};
use actix_web::{HttpRequest, HttpResponse, get, post};
use mdsc_core::Error;
use mdsc_notify::preferences::{self, NotificationPreference};
use serde::Deserialize;

use crate::envelope::{Envelope, ok};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routes::unsubscribe_html;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The notification type whose e-mails stop. Required: a link cut
    /// short is answered `422` (an HTML page saying so for a browser).
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = mdsc_notify::kind::NotificationKind, required = true)]
    pub kind: Option<String>,
    /// The signed token of the e-mail's link. Required, as `type`.
    #[param(required = true)]
    pub token: Option<String>,
}

impl UnsubscribeQuery {
    /// Both parts of the link: `422` naming the one that is missing (a
    /// link cut short when copied).
    fn parts(self) -> Result<(String, String), ApiError> {
        match (self.kind, self.token) {
            (Some(kind), Some(token)) => Ok((kind, token)),
            (None, _) => Err(Error::invalid_field("type", "is required").into()),
            (_, None) => Err(Error::invalid_field("token", "is required").into()),
        }
    }
}

/// The page behind an e-mail's unsubscribe link (HTML, in the recipient's
/// language): what it turns off and a button that sends the one-click
/// `POST`. Changes nothing by itself. A broken or expired link gets a page
/// that says so.
#[utoipa::path(operation_id = "showUnsubscribePage", tag = "notifications", params(UnsubscribeQuery),
    responses((status = 200, description = "The page, with its button", content_type = "text/html", body = String),
        (status = 401, description = "INVALID_TOKEN: a page saying the link is invalid or expired", content_type = "text/html", body = String),
        (status = 422, description = "VALIDATION_ERROR: a page saying the link is incomplete", content_type = "text/html", body = String)))]
#[get("/notifications/unsubscribe")]
pub async fn show_page(
    state: Data<AppState>,
    req: HttpRequest,
    query: Query<UnsubscribeQuery>,
) -> HttpResponse {
    let (kind, token) = match query.into_inner().parts() {
        Ok(parts) => parts,
        Err(err) => return refused_page(&req, err),
    };
    let offer = state
        .db(move |conn, st| {
            preferences::unsubscribe_offer(conn, &st.keys, st.clock(), &kind, &token)
        })
        .await;
    match offer {
        Ok(offer) => {
            let action = format!("{}?{}", req.path(), req.query_string());
            unsubscribe_html::offer(&offer, &action)
        }
        Err(err) => refused_page(&req, err),
    }
}

/// One-click unsubscribe (RFC 8058): the URL of every notification
/// e-mail's `List-Unsubscribe` header, which mail clients post to. Turns
/// off e-mail for that type for the e-mail's recipient; in-app stays as it
/// is. The token is the credential; any body is ignored. A browser (which
/// asks for `text/html`, as the page's button does) gets a confirmation
/// page instead of JSON.
#[utoipa::path(operation_id = "unsubscribeFromEmails", tag = "notifications", params(UnsubscribeQuery),
    responses((status = 200, body = Envelope<NotificationPreference>, content(
            (Envelope<NotificationPreference> = "application/json"),
            (String = "text/html"))),
        (status = 401, description = "INVALID_TOKEN: the link is invalid or expired", body = ErrorBody),
        (status = 422, description = "VALIDATION_ERROR: an unknown type, or a part of the link missing", body = ErrorBody)))]
#[post("/notifications/unsubscribe")]
pub async fn unsubscribe(
    state: Data<AppState>,
    req: HttpRequest,
    query: Query<UnsubscribeQuery>,
) -> ApiResult {
    let wants_page = wants_html(&req);
    let done = match query.into_inner().parts() {
        Ok((kind, token)) => {
            state
                .db(move |conn, st| {
                    let offer =
                        preferences::unsubscribe_offer(conn, &st.keys, st.clock(), &kind, &token)?;
                    let preference =
                        preferences::unsubscribe_email(conn, &st.keys, st.clock(), &kind, &token)?;
                    Ok((offer, preference))
                })
                .await
        }
        Err(err) => Err(err),
    };
    match (done, wants_page) {
        (Ok((offer, _)), true) => Ok(unsubscribe_html::done(&offer)),
        (Ok((_, preference)), false) => Ok(ok(preference)),
        (Err(err), true) => Ok(refused_page(&req, err)),
        (Err(err), false) => Err(err),
    }
}

/// A browser, not a mail client or a program: it asks for HTML.
fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn refused_page(req: &HttpRequest, err: ApiError) -> HttpResponse {
    if err.status.is_server_error() {
        // Not the link's fault: the envelope, with its status and code.
        return actix_web::ResponseError::error_response(&err);
    }
    let locale = unsubscribe_html::browser_locale(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    unsubscribe_html::refused(&err.body.code, err.status, locale)
}
