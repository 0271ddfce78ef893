//! The authenticated actor, from `Authorization: Bearer <token>`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use mdsc_auth::Principal;
use mdsc_core::Error;

use crate::error::ApiError;
use crate::request_context::RequestContext;
use crate::state::AppState;

/// A signed-in user: the bearer token's signature and expiry are checked
/// here, without the database; the account it names (does it still exist,
/// what is its role now) is read by `AppState::db_as` on the same pooled
/// connection as the handler's own statements, so a request takes one
/// connection, not two. 401 in the envelope when the token is missing or
/// invalid.
#[derive(Debug, Clone)]
pub struct Auth(pub(crate) Claim);

/// The user if a valid token is present; anonymous otherwise. A token that
/// is present but invalid is still a 401, so a client notices expiry.
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub(crate) Option<Claim>);

/// What a verified token says: whose it is, the token version it was
/// issued at and its id. Not yet an actor: the account is read (and the
/// token checked against it) inside the request's database call.
pub type Claim = mdsc_auth::TokenClaim;

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::from(Error::internal("application state missing")))
}

fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(Error::unauthenticated("Use Authorization: Bearer <token>")
            .with_code("INVALID_TOKEN")
            .into()),
    }
}

/// The bearer token's claim, verified (CPU only).
fn claim(req: &HttpRequest) -> Result<Option<Claim>, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(None);
    };
    let state = app_state(req)?;
    let claim = state.keys.verify(&token, state.clock())?;
    // The request's log lines and access line say whose it is.
    if let Some(context) = req.extensions().get::<RequestContext>() {
        context.set_user(claim.user_id);
    }
    Ok(Some(claim))
}

/// The account behind the bearer token, read now (event streams, which
/// hold no connection afterwards), with the token's claim.
async fn principal(req: &HttpRequest) -> Result<Option<(Principal, Claim)>, ApiError> {
    let Some(claim) = claim(req)? else {
        return Ok(None);
    };
    let state = app_state(req)?;
    let checked = claim.clone();
    let principal = state
        .db(move |conn, _| mdsc_auth::service::current_principal(conn, &checked))
        .await?;
    Ok(Some((principal, claim)))
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(claim(req).and_then(|claim| {
            claim.map(Auth).ok_or_else(|| {
                Error::unauthenticated("Sign in to do this")
                    .with_code("UNAUTHENTICATED")
                    .into()
            })
        }))
    }
}

/// The user of an event stream: an API token in `Authorization`, or a
/// stream token (`POST /api/notifications/stream-token`) in `?token=`, as
/// browsers' `EventSource` cannot send headers. API tokens are not
/// accepted in the URL, where logs and history would keep them.
#[derive(Debug, Clone)]
pub struct StreamAuth {
    pub principal: Principal,
    /// Checked again whenever the account's access changes: a logout or a
    /// password change closes the stream.
    pub claim: Claim,
}

fn query_token(req: &HttpRequest) -> Option<String> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()?
        .get("token")
        .map(|value| value.trim().to_owned())
}

impl FromRequest for StreamAuth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some((principal, claim)) = principal(&req).await? {
                return Ok(StreamAuth { principal, claim });
            }
            let Some(token) = query_token(&req).filter(|t| !t.is_empty()) else {
                return Err(Error::unauthenticated(
                    "Sign in: a stream token in ?token= or Authorization: Bearer <token>",
                )
                .with_code("UNAUTHENTICATED")
                .into());
            };
            let (principal, claim) = app_state(&req)?
                .db(move |conn, st| {
                    mdsc_auth::stream_token::authenticate_stream(conn, &st.keys, st.clock(), &token)
                })
                .await?;
            Ok(StreamAuth { principal, claim })
        })
    }
}

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(claim(req).map(MaybeAuth))
    }
}

/// The client's address, as `TRUSTED_PROXIES` allows reading it (see
/// `client_address`); `None` without a TCP peer (in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl FromRequest for ClientAddress {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let peer = req.peer_addr().map(|addr| addr.ip());
        let address = match req.app_data::<web::Data<AppState>>() {
            Some(state) if !state.config.limits.trusted_proxies.is_empty() => {
                let forwarded = req
                    .headers()
                    .get_all("X-Forwarded-For")
                    .filter_map(|v| v.to_str().ok());
                state
                    .config
                    .limits
                    .trusted_proxies
                    .client_of(peer, forwarded)
            }
            _ => peer,
        };
        std::future::ready(Ok(ClientAddress(address)))
    }
}
